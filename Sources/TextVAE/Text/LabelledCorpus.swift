/// A labelled text file read as tokenised sentences, each with its label ("" where the line gives none):
/// the input of a training run with labels. Unlike `Corpus`, lines stay sentences (no paragraph mode), so
/// that each keeps its label; lines without tokens are dropped together with their labels.
package struct LabelledCorpus {
    package var sentences: [[String]] = []
    package var labels: [String] = []
    /// Lines dropped because they were not valid UTF-8 (only with `skipInvalid`), or gave no tokens.
    package var skippedInvalid = 0, empty = 0

    package static func read(
        _ path: String, tokenizer: Tokenizer, columns: LabelledLines.Columns, labelsFile: String?,
        skipInvalid: Bool
    ) throws -> LabelledCorpus {
        let file = try TextFile.readLines(path, skipInvalid: skipInvalid)
        if labelsFile != nil && file.skippedInvalid > 0 {
            throw TextVAEError.file(
                path, "has \(file.skippedInvalid) lines that are not valid UTF-8, and skipping them would put its labels out of line",
                fix: "repair the file (iconv -f LATIN1 -t UTF-8, say), or give the labels in a column with --label-column")
        }
        let split = try LabelledLines(file.lines, path: path, columns: columns, labelsFile: labelsFile)
        var out = LabelledCorpus()
        out.skippedInvalid = file.skippedInvalid
        for (n, text) in split.texts.enumerated() {
            if n % 1024 == 0 { try Interruption.check("tokenising") }
            let tokens = try tokenizer.tokenize(text)
            if tokens.isEmpty { out.empty += 1; continue }
            out.sentences.append(tokens)
            out.labels.append(split.labels?[n] ?? "")
        }
        if out.sentences.isEmpty {
            throw TextVAEError.file(
                path, "holds no sentences (it is empty, blank, or its sentence column has no words)",
                fix: "give a text file with one sentence per line")
        }
        return out
    }
}
