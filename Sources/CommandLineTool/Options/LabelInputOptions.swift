import ArgumentParser
import TextVAE

/// Where a file's labels are: a tab-separated column, or a second file (as `map` and `train` read them).
struct LabelInputOptions: ParsableArguments {
    @Option(help: "The 1-based tab-separated column of FILE that holds each line's label (the sentence is the last other column).")
    var labelColumn: Int?
    @Option(help: "With --label-column: the column that holds the sentence.")
    var textColumn: Int?
    @Option(help: ArgumentHelp("A file with one label per line of FILE, line for line.", valueName: "file"))
    var labelFile: String?
    /// `--labels FILE`, renamed `--label-file` in 0.7.0: refused with the new name.
    @Option(name: .customLong("labels"), help: .hidden)
    var renamedLabels: String?

    func check() throws {
        try RenamedFlag.refuse(renamedLabels, old: "--labels", new: "--label-file", valueName: "FILE")
        if labelColumn != nil && labelFile != nil { throw ValidationError("give either --label-column or --label-file, not both") }
        if textColumn != nil && labelColumn == nil { throw ValidationError("--text-column goes with --label-column") }
        if let c = labelColumn ?? textColumn, c < 1 {
            throw ValidationError("columns are counted from 1, e.g. --label-column 1 for label<TAB>sentence")
        }
        if let l = labelColumn, l == textColumn { throw ValidationError("--label-column and --text-column must differ") }
    }

    var given: Bool { labelColumn != nil || textColumn != nil || labelFile != nil }
    var columns: SentenceFile.Columns { SentenceFile.Columns(label: labelColumn, text: textColumn) }

    /// Each sentence's gold class in `model`: nil for no label, or a label that is not one of its classes.
    static func classes(of labels: [String], in model: TrainedModel) -> [Int?] {
        labels.map { model.classNames.firstIndex(of: $0) }
    }
}
