import ArgumentParser
import Foundation
import TextVAE

/// Where `train`'s sentences come from and how its vocabulary is built. Options left out take
/// `DataSettings`'s defaults (and, on resume, the run's own).
enum VocabularyType: String, ExpressibleByArgument, CaseIterable { case word, bpe }

struct DataOptions: ParsableArguments {
    @Option(
        help:
            "Validation file (default: hold out a fraction of the corpus). With --resume: where the run's validation file is now, if it moved."
    )
    var valid: String?
    @Option(help: "Share of the corpus held out for validation when no --valid is given (default: \(DataSettings().validFraction)).")
    var validFraction: Double?
    @Option(help: "Use this vocabulary file instead of building one.")
    var vocab: String?
    @Option(
        help: ArgumentHelp(
            "Vocabulary: leave out tokens seen fewer times; auto: 2 when the words seen twice or more cover 95% of the training tokens, else 1 (default: auto).",
            valueName: "n|auto"))
    var minCount: CountOrAuto?
    @Option(help: "Vocabulary: at most this many words, plus 4 specials (default: \(DataSettings().maxSize)).")
    var maxSize: Int?
    @Option(
        help: ArgumentHelp(
            "Vocabulary of words (default) or bpe: subword pieces learned by byte-pair encoding, so that only characters never seen become <unk>.",
            valueName: "word|bpe"))
    var vocabType: VocabularyType?
    @Option(help: "Subword vocabulary size, specials included (implies --vocab-type bpe; default \(DataSettings.defaultSubwords)).")
    var subwords: Int?

    @Option(
        help:
            "Train with labels (a conditional model; empty labels train semi-supervised): the tab-separated column of CORPUS that holds each line's label, counted from 1; the sentence is the last other column."
    )
    var labelColumn: Int?
    @Option(help: "With --label-column: the column that holds the sentence.")
    var textColumn: Int?
    @Option(
        help: ArgumentHelp(
            "Train with labels from this file, one per line of CORPUS, line for line (an empty line: no label).", valueName: "file"))
    var labelFile: String?
    /// `--labels FILE`, renamed `--label-file` in 0.7.0: refused with the new name.
    @Option(name: .customLong("labels"), help: .hidden)
    var renamedLabels: String?

    func check() throws {
        try RenamedFlag.refuse(renamedLabels, old: "--labels", new: "--label-file", valueName: "FILE")
        if labelColumn != nil && labelFile != nil { throw ValidationError("give either --label-column or --label-file, not both") }
        if textColumn != nil && labelColumn == nil { throw ValidationError("--text-column goes with --label-column") }
        if let c = labelColumn ?? textColumn, c < 1 { throw ValidationError("columns are counted from 1") }
        if let validFraction, !(validFraction > 0 && validFraction < 1) {
            throw ValidationError("--valid-fraction must be between 0 and 1, e.g. 0.05")
        }
        if let n = minCount?.number, n < 1 { throw ValidationError("--min-count must be at least 1, or auto") }
        if let maxSize, maxSize < 1 { throw ValidationError("--max-size must be at least 1") }
        if let subwords, subwords < 16 || subwords > 1_000_000 {
            throw ValidationError("--subwords must be between 16 and 1000000, such as 8000")
        }
        if vocabType == .word && subwords != nil { throw ValidationError("--subwords applies to --vocab-type bpe; drop one of them") }
        if vocabType == .bpe || subwords != nil, minCount != nil || maxSize != nil {
            throw ValidationError("--min-count and --max-size shape a vocabulary of words; with subwords, give its size with --subwords")
        }
    }

    var hasLabels: Bool { labelColumn != nil || labelFile != nil }

    func settings(_ tokenization: TokenizerOptions) -> DataSettings {
        var d = DataSettings()
        d.valid = valid
        d.validFraction = validFraction ?? d.validFraction
        d.vocabularyFile = vocab
        if let minCount { d.minCount = minCount.number ?? Vocabulary.automaticMinCount }
        d.maxSize = maxSize ?? d.maxSize
        if vocabType == .bpe || subwords != nil { d.subwords = subwords ?? DataSettings.defaultSubwords }
        d.paragraphs = tokenization.paragraphs
        d.skipInvalid = tokenization.skipInvalid
        if labelColumn != nil { d.labelColumns = LabelledLines.Columns(label: labelColumn, text: textColumn) }
        d.labelsFile = labelFile
        return d
    }

    /// The flags given on the command line (--valid is not one: on resume it may name the moved file).
    var given: Set<FixedSetting> {
        let values: [(FixedSetting, Any?)] = [
            (.validFraction, validFraction), (.vocab, vocab), (.minCount, minCount), (.maxSize, maxSize),
            (.vocabType, vocabType), (.subwords, subwords), (.labelColumn, labelColumn),
            (.textColumn, textColumn), (.labelFile, labelFile),
        ]
        return Set(values.filter { $0.1 != nil }.map(\.0))
    }
}
