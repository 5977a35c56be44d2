import Foundation

/// Sentences a user gives to a trained model (`encode`, `reconstruct`,
/// `evaluate`), tokenised and mapped to ids as training did.
///
/// Problems with single lines are reported, not fatal: blank lines are
/// skipped silently (<doc:TextToTokens>), lines that give no token are skipped with a
/// warning, lines made only of unknown words are kept with a warning (the
/// model can still encode them, but they say little), and lines longer than
/// the model's maximum length are cut to it with a warning.
package struct ModelInput {
    package struct Sentence: Sendable {
        /// 1-based line number in the input.
        package var line: Int
        /// Tokens after truncation, as the tokenizer wrote them (with subwords, the words the kept pieces
        /// spell, the last one perhaps in part).
        package var tokens: [String]
        package var ids: [Int32]
    }

    package var sentences: [Sentence] = []
    /// 1-based line numbers of non-blank lines that gave no token (skipped).
    package var noTokens: [Int] = []
    /// Line numbers of sentences whose every token is unknown to the model (kept).
    package var onlyUnknown: [Int] = []
    /// Line numbers of sentences cut to `maxLength` tokens.
    package var truncated: [Int] = []
    package var maxLength: Int
    /// The longest sentence the tool's commands read, in tokens: far beyond any sentence, short enough that
    /// importance sampling's logits for one line stay within a few hundred megabytes.
    package static let longest = 2_000
    /// What the input is called in messages: the path, or "standard input".
    package var name: String

    package var ids: [[Int32]] { sentences.map(\.ids) }

    /// - Parameter paragraphs: read running text as training with `--paragraphs` does: paragraphs separated by
    ///   blank lines, split into sentences by ICU; each sentence is numbered by its paragraph's first line.
    package init(
        lines: [String], name: String, tokenizer: Tokenizer, vocabulary: Vocabulary, maxLength: Int = ModelInput.longest,
        paragraphs: Bool = false
    ) throws {
        self.name = name
        self.maxLength = maxLength
        let units = paragraphs ? try Self.sentences(ofParagraphs: lines, tokenizer) : lines.enumerated().map { ($0.offset + 1, $0.element) }
        for (number, line) in units {
            if line.unicodeScalars.allSatisfy(\.properties.isWhitespace) { continue }
            let i = number - 1
            var tokens = try tokenizer.tokenize(line)
            if tokens.isEmpty { noTokens.append(i + 1); continue }
            var ids = vocabulary.ids(tokens)  // with subwords, more ids than tokens
            if ids.count > maxLength {
                truncated.append(i + 1)
                ids = Array(ids.prefix(maxLength))
                tokens = Array(tokens.prefix(vocabulary.wordCount(ids)))
            }
            if ids.allSatisfy({ $0 == Int32(Vocabulary.unk) }) { onlyUnknown.append(i + 1) }
            sentences.append(Sentence(line: i + 1, tokens: tokens, ids: ids))
        }
    }

    /// The sentences of running text: each paragraph (lines up to a blank one) joined and split by ICU,
    /// with the 1-based number of the paragraph's first line.
    static func sentences(ofParagraphs lines: [String], _ tokenizer: Tokenizer) throws -> [(Int, String)] {
        var units: [(Int, String)] = [], pending: [String] = [], first = 0
        func flush() throws {
            guard !pending.isEmpty else { return }
            for s in try tokenizer.sentences(pending.joined(separator: " ")) { units.append((first, s)) }
            pending.removeAll()
        }
        for (i, line) in lines.enumerated() {
            if Corpus.isBlank(line) { try flush(); continue }
            if pending.isEmpty { first = i + 1 }
            pending.append(line)
        }
        try flush()
        return units
    }

    /// Reads `path`, or standard input for "-".
    package static func read(
        _ path: String, tokenizer: Tokenizer, vocabulary: Vocabulary, maxLength: Int = ModelInput.longest,
        paragraphs: Bool = false
    ) throws -> ModelInput {
        let lines: [String], name: String
        if path == "-" {
            name = "standard input"
            let data = FileHandle.standardInput.readDataToEndOfFile()
            lines = try TextFile.lines(of: [UInt8](data), name: name).lines
        } else {
            name = path
            lines = try TextFile.readLines(path).lines
        }
        let input = try ModelInput(
            lines: lines, name: name, tokenizer: tokenizer, vocabulary: vocabulary, maxLength: maxLength,
            paragraphs: paragraphs)
        if input.sentences.isEmpty {
            throw TextVAEError.file(
                name, "holds no sentences" + (input.noTokens.isEmpty ? " (it is empty or blank)" : " with tokens"),
                fix: "give UTF-8 text with one sentence per line")
        }
        return input
    }

    /// One line per kind of problem, naming the first few lines, for stderr.
    package var warnings: [String] {
        func lines(_ l: [Int]) -> String {
            let shown = l.prefix(5).map(String.init).joined(separator: ", ")
            return (l.count == 1 ? "line " : "lines ") + shown + (l.count > 5 ? " and \(l.count - 5) more" : "")
        }
        var w: [String] = []
        if !noTokens.isEmpty {
            w.append("\(name): \(lines(noTokens)) gave no tokens and \(noTokens.count == 1 ? "was" : "were") skipped")
        }
        if !onlyUnknown.isEmpty {
            w.append(
                "\(name): \(lines(onlyUnknown)) \(onlyUnknown.count == 1 ? "has" : "have") only words the model does not know "
                    + "(all <unk>); kept, but the result says little")
        }
        if !truncated.isEmpty {
            w.append(
                "\(name): \(lines(truncated)) \(truncated.count == 1 ? "is" : "are") longer than "
                    + "\(maxLength) tokens (the longest sentence textvae reads) and \(truncated.count == 1 ? "was" : "were") cut to \(maxLength)"
            )
        }
        return w
    }
}
