import Foundation

/// Sentences of a user's file, each with an optional label: the input of
/// `map`, `neighbours` and `analogy`.
///
/// A line is a sentence, or, with a label column, tab-separated columns of
/// which one is the label and one the sentence (the last other one by
/// default), as spreadsheets and pandas write them. Labels may also come from
/// a second file, one per line, line for line. The sentences are read as
/// `ModelInput` reads any input of a model: blank lines are skipped (with
/// their label), and so are lines whose sentence has no tokens.
package struct SentenceFile {
    /// The sentence text as written in the file (for tooltips and tables).
    package var texts: [String] = []
    /// Token ids per sentence, non-empty, cut to the model's maximum length.
    package var tokens: [[Int32]] = []
    /// One label per sentence, when labels were asked for.
    package var labels: [String]?
    /// 1-based line number of each sentence in the file.
    package var lineNumbers: [Int] = []
    /// What a user should know: skipped, cut or unknown lines, and the share of unknown tokens.
    package var notes: [String] = []

    package var count: Int { texts.count }

    package typealias Columns = LabelledLines.Columns

    /// Reads `path` for `model`.
    /// - Parameters:
    ///   - columns: which tab-separated column is the label and which the sentence; nothing: whole lines are sentences.
    ///   - labelsFile: one label per line of `path`, line for line (cannot be combined with a label column).
    package static func read(
        _ path: String, model: TrainedModel, columns: Columns = Columns(), labelsFile: String? = nil,
        skipInvalid: Bool = false
    ) throws -> SentenceFile {
        precondition(!(columns.label != nil && labelsFile != nil), "a label column or a labels file, not both")
        var lines = try TextFile.readLines(path, skipInvalid: skipInvalid).lines
        while let last = lines.last, last.allSatisfy(\.isWhitespace) { lines.removeLast() }
        let split = try LabelledLines(lines, path: path, columns: columns, labelsFile: labelsFile)
        let texts = split.texts, labels = split.labels
        let input = try ModelInput(lines: texts, name: path, tokenizer: model.tokenizer, vocabulary: model.vocabulary)
        guard !input.sentences.isEmpty else {
            throw TextVAEError.file(
                path, "holds no sentences (it is empty, blank, or its sentence column has no words)",
                fix: "give a text file with one sentence per line")
        }
        var out = SentenceFile()
        out.lineNumbers = input.sentences.map(\.line)
        out.texts = out.lineNumbers.map { texts[$0 - 1].trimmingCharacters(in: .whitespaces) }
        out.tokens = input.ids
        out.labels = labels.map { l in
            out.lineNumbers.map { n in
                let label = l[n - 1]
                return label.isEmpty ? "(no label)" : label
            }
        }
        out.notes = input.warnings
        let total = out.tokens.reduce(0) { $0 + $1.count }
        let unknown = out.tokens.reduce(0) { $0 + $1.filter { $0 == Int32(Vocabulary.unk) }.count }
        if unknown > 0 {
            out.notes.append(
                String(
                    format: "%d of %d tokens (%.1f%%) are not in the model's vocabulary and read as <unk>",
                    unknown, total, 100 * Double(unknown) / Double(max(1, total))))
        }
        return out
    }
}
