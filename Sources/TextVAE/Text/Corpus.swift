/// A text file read as tokenised sentences.
public struct Corpus {
    public var sentences: [[String]]
    /// Lines dropped because they were not valid UTF-8 (only with `skipInvalid`).
    public var skippedInvalid: Int
    /// Lines (or paragraph-mode sentences) that gave no tokens.
    public var empty: Int

    public var tokenCount: Int { sentences.reduce(0) { $0 + $1.count } }

    /// Reads `path`: one sentence per line, or running text split into
    /// sentences by ICU when `paragraphs` is set. Lines without tokens are skipped.
    public static func read(_ path: String, tokenizer: Tokenizer, paragraphs: Bool = false,
                            skipInvalid: Bool = false) throws -> Corpus {
        let file = try TextFile.readLines(path, skipInvalid: skipInvalid)
        let corpus = try Corpus(lines: file.lines, tokenizer: tokenizer, paragraphs: paragraphs)
        if corpus.sentences.isEmpty {
            throw TextVAEError.file(path, "holds no sentences (it is empty or blank)",
                                    fix: "give a text file with one sentence per line")
        }
        return Corpus(sentences: corpus.sentences, skippedInvalid: file.skippedInvalid, empty: corpus.empty)
    }

    public init(sentences: [[String]], skippedInvalid: Int = 0, empty: Int = 0) {
        self.sentences = sentences
        self.skippedInvalid = skippedInvalid
        self.empty = empty
    }

    public init(lines: [String], tokenizer: Tokenizer, paragraphs: Bool = false) throws {
        var sentences: [[String]] = []
        var empty = 0
        var pending: [String] = []
        func flush() throws {
            guard !pending.isEmpty else { return }
            for (n, s) in try tokenizer.sentences(pending.joined(separator: " ")).enumerated() {
                if n % 1024 == 0 { try Interruption.check("tokenising") }
                let tokens = try tokenizer.tokenize(s)
                if tokens.isEmpty { empty += 1 } else { sentences.append(tokens) }
            }
            pending.removeAll()
        }
        for (n, line) in lines.enumerated() {
            if n % 1024 == 0 { try Interruption.check("tokenising") }
            if paragraphs {
                // A blank line ends a paragraph; lines within one are joined.
                if line.unicodeScalars.allSatisfy(\.properties.isWhitespace) { try flush() } else { pending.append(line) }
            } else {
                let tokens = try tokenizer.tokenize(line)
                if tokens.isEmpty { empty += 1 } else { sentences.append(tokens) }
            }
        }
        try flush()
        self.init(sentences: sentences, empty: empty)
    }
}
