import Foundation

extension SentenceVAE {
    /// The posterior q(z|x) = N(μ, σ²) of many sentences, in the caller's order,
    /// `batchSize` at a time through the encoder alone (`encode`): the decoder's
    /// V-wide output layer, by far the costliest part of `run`, is not needed to
    /// place sentences in the latent space.
    ///
    /// - Parameters:
    ///   - sentences: token ids, no specials, each non-empty.
    /// - Returns: μ and log σ², each N × Z.
    public func posterior(of sentences: [[Int32]], batchSize: Int = 64, workspace: Workspace = Workspace())
        -> (mu: [Float], logv: [Float]) {
        var mu: [Float] = [], logv: [Float] = []
        mu.reserveCapacity(sentences.count * config.latent)
        logv.reserveCapacity(sentences.count * config.latent)
        for start in stride(from: 0, to: sentences.count, by: max(1, batchSize)) {
            let q = encode(Batch(Array(sentences[start..<min(sentences.count, start + batchSize)])), workspace: workspace)
            mu += q.mu
            logv += q.logv
        }
        return (mu, logv)
    }
}

/// A model file with its tokenizer: text in, token ids and posterior means out,
/// tokenised exactly as training did (the settings come from the model file).
public final class LatentEncoder {
    public let file: ModelFile
    public let path: String
    let tokenizer: Tokenizer
    let workspace = Workspace()

    public var model: SentenceVAE { file.model }
    public var vocabulary: Vocabulary { file.vocabulary }
    public var latent: Int { file.model.config.latent }

    public init(file: ModelFile, path: String = "model") throws {
        self.file = file
        self.path = path
        tokenizer = try Tokenizer(file.tokenizer)
    }

    /// Loads the model file at `path` (and OpenBLAS).
    public convenience init(path: String) throws {
        try BLAS.load()
        try self.init(file: ModelFile.load(path), path: path)
    }

    /// The sentence's tokens as the model sees them: ids, cut to the model's maximum length.
    public func tokens(_ sentence: String) throws -> [Int32] {
        Array(vocabulary.ids(try tokenizer.tokenize(sentence)).prefix(model.config.maxLength))
    }

    /// The sentence's tokens that are not in the vocabulary (they become `<unk>`).
    public func unknownWords(_ sentence: String) throws -> [String] {
        try tokenizer.tokenize(sentence).filter { vocabulary.id($0) == Vocabulary.unk }
    }

    /// The tokens of `sentence`, or an error that says what is wrong with it.
    public func requireTokens(_ sentence: String, what: String = "the sentence") throws -> [Int32] {
        let ids = try tokens(sentence)
        if ids.isEmpty { throw TextVAEError("\(what) '\(sentence)' has no words; give a sentence with at least one word") }
        return ids
    }

    /// Posterior means μ (N × Z) of non-empty token sequences.
    public func means(_ sentences: [[Int32]]) -> [Float] {
        model.posterior(of: sentences, workspace: workspace).mu
    }

    /// Ids back to display text.
    public func text(_ ids: [Int32]) -> String {
        Detokenizer.join(ids.map { vocabulary.tokens[Int($0)] })
    }
}

/// Sentences of a user's file, each with an optional label: the input of
/// `map`, `neighbours` and `analogy`.
///
/// A line is a sentence, or, with a label column, tab-separated columns of
/// which one is the label and one the sentence (the last by default), as
/// spreadsheets and pandas write them. Labels may also come from a second
/// file, one per line, line for line. Blank lines are skipped (with their
/// label), so are lines whose sentence has no tokens.
public struct SentenceFile {
    /// The sentence text as written in the file (for tooltips and tables).
    public var texts: [String] = []
    /// Token ids per sentence, non-empty, cut to the model's maximum length.
    public var tokens: [[Int32]] = []
    /// One label per sentence, when labels were asked for.
    public var labels: [String]?
    /// 1-based line number of each sentence in the file.
    public var lineNumbers: [Int] = []
    /// Lines with text but no tokens (only punctuation-free white space, say).
    public var skippedEmpty = 0
    public var truncated = 0
    /// Tokens outside the model's vocabulary, and all tokens.
    public var unknownTokens = 0, totalTokens = 0

    public var count: Int { texts.count }

    public struct Columns: Equatable, Sendable {
        /// 1-based column holding the label.
        public var label: Int?
        /// 1-based column holding the sentence; nil: the last column that is not the label's.
        public var text: Int?
        public init(label: Int? = nil, text: Int? = nil) { self.label = label; self.text = text }
        var split: Bool { label != nil || text != nil }
    }

    /// Reads `path` for the model in `encoder`.
    /// - Parameters:
    ///   - columns: which tab-separated column is the label and which the sentence; nothing: whole lines are sentences.
    ///   - labelsFile: one label per line of `path`, line for line (cannot be combined with a label column).
    public static func read(_ path: String, encoder: LatentEncoder, columns: Columns = Columns(), labelsFile: String? = nil,
                            skipInvalid: Bool = false) throws -> SentenceFile {
        precondition(!(columns.label != nil && labelsFile != nil), "a label column or a labels file, not both")
        var lines = try TextFile.readLines(path, skipInvalid: skipInvalid).lines
        while let last = lines.last, last.allSatisfy(\.isWhitespace) { lines.removeLast() }
        var labelLines: [String]?
        if let labelsFile {
            var l = try TextFile.readLines(labelsFile).lines
            while let last = l.last, last.isEmpty { l.removeLast() }
            guard l.count == lines.count else {
                throw TextVAEError.file(labelsFile, "has \(l.count) lines but \(path) has \(lines.count)",
                                        fix: "give one label per line of \(path), line for line")
            }
            labelLines = l
        }
        var out = SentenceFile()
        if columns.label != nil || labelLines != nil { out.labels = [] }
        for (n, line) in lines.enumerated() where !line.allSatisfy(\.isWhitespace) {
            var text = line, label: String?
            if columns.split {
                let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                let textIndex = (columns.text ?? (columns.label == cells.count ? cells.count - 1 : cells.count)) - 1
                guard textIndex >= 0, textIndex < cells.count, columns.label.map({ $0 <= cells.count }) ?? true else {
                    let needed = max(columns.text ?? 2, columns.label ?? 1)
                    throw TextVAEError.file(path, "line \(n + 1) has \(cells.count) tab-separated column\(cells.count == 1 ? "" : "s"), but column \(needed) was asked for",
                                            fix: "give lines such as 'label<TAB>sentence', or choose the columns with --label-column and --text-column")
                }
                text = cells[textIndex]
                label = columns.label.map { cells[$0 - 1].trimmingCharacters(in: .whitespaces) }
            }
            if let labelLines { label = labelLines[n].trimmingCharacters(in: .whitespaces) }
            let words = try encoder.tokenizer.tokenize(text)
            if words.isEmpty { out.skippedEmpty += 1; continue }
            let ids = encoder.vocabulary.ids(words)
            out.totalTokens += ids.count
            out.unknownTokens += ids.filter { $0 == Int32(Vocabulary.unk) }.count
            if ids.count > encoder.model.config.maxLength { out.truncated += 1 }
            out.texts.append(text.trimmingCharacters(in: .whitespaces))
            out.tokens.append(Array(ids.prefix(encoder.model.config.maxLength)))
            out.lineNumbers.append(n + 1)
            if let label { out.labels?.append(label.isEmpty ? "(no label)" : label) }
        }
        if out.texts.isEmpty {
            throw TextVAEError.file(path, "holds no sentences (it is empty, blank, or its sentence column has no words)",
                                    fix: "give a text file with one sentence per line")
        }
        return out
    }

    /// "3 lines without words skipped; 12 of 400 tokens (3.0%) not in the model's vocabulary" — what a user should know.
    public var notes: [String] {
        var n: [String] = []
        if skippedEmpty > 0 { n.append("\(skippedEmpty) lines without words skipped") }
        if truncated > 0 { n.append("\(truncated) sentences cut to the model's maximum length") }
        if unknownTokens > 0 {
            n.append(String(format: "%d of %d tokens (%.1f%%) are not in the model's vocabulary and read as <unk>",
                            unknownTokens, totalTokens, 100 * Double(unknownTokens) / Double(max(1, totalTokens))))
        }
        return n
    }
}
