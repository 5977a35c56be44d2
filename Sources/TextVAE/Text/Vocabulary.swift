import Foundation

/// Token ids, as <doc:TextToTokens> defines them: the four specials first,
/// then the training corpus's tokens by count (descending), ties broken by code
/// points so that a corpus always yields the same file. The tokens are words, or with
/// `subwords` (byte-pair encoding), pieces of words.
package struct Vocabulary: Equatable, Sendable {
    package static let pad = 0, unk = 1, bos = 2, eos = 3
    package static let specials = ["<pad>", "<unk>", "<bos>", "<eos>"]

    /// Tokens in id order, specials included.
    package let tokens: [String]
    /// Training-corpus counts in id order (0 for the specials).
    package let counts: [Int]
    private let ids: [ExactToken: Int]
    /// The merges that split words into the pieces of `tokens`; nil for a vocabulary of words.
    package let subwords: Subwords?

    package var count: Int { tokens.count }

    /// - Parameter merges: for a subword vocabulary, its byte-pair merges in rank order.
    package init(tokens: [String], counts: [Int], merges: [Subwords.Merge]? = nil) throws {
        guard tokens.count == counts.count else {
            throw TextVAEError.invalidInput("vocabulary: \(tokens.count) tokens but \(counts.count) counts")
        }
        guard Array(tokens.prefix(4)) == Self.specials else {
            throw TextVAEError.invalidInput(
                "vocabulary must start with \(Self.specials.joined(separator: " ")), found \(tokens.prefix(4).joined(separator: " "))")
        }
        var ids: [ExactToken: Int] = [:]
        for (i, t) in tokens.enumerated() {
            if ids[ExactToken(t)] != nil { throw TextVAEError.invalidInput("vocabulary lists '\(t)' twice") }
            ids[ExactToken(t)] = i
        }
        self.tokens = tokens
        self.counts = counts
        self.ids = ids
        subwords = try merges.map { try Subwords(merges: $0, tokens: tokens) { ids[ExactToken($0)] } }
    }

    /// Learns a subword vocabulary of about `size` pieces (specials included; more when the corpus has more
    /// distinct characters) from tokenised sentences: see `Subwords` and `SubwordLearner`.
    package init(learningSubwords sentences: [[String]], size: Int) throws {
        try self.init(learningSubwords: Self.counts(of: sentences), size: size)
    }

    /// Learns a subword vocabulary from each word's count in the training sentences.
    init(learningSubwords counts: [ExactToken: Int], size: Int) throws {
        let words = counts.map { (word: $0.key.text, count: $0.value) }
            .sorted { $0.word.unicodeScalars.map(\.value).lexicographicallyPrecedes($1.word.unicodeScalars.map(\.value)) }
        let learned = try SubwordLearner.learn(words, size: size)
        try self.init(tokens: Self.specials + learned.pieces, counts: [0, 0, 0, 0] + learned.counts, merges: learned.merges)
    }

    /// Builds the vocabulary of a tokenised corpus.
    /// - Parameters:
    ///   - minCount: tokens seen fewer times are left out (default 1 keeps all; `Vocabulary.automaticMinCount`
    ///     chooses from the counts).
    ///   - maxSize: at most this many words, not counting the 4 specials.
    package init(building sentences: [[String]], minCount: Int = 1, maxSize: Int = 20_000) throws {
        try self.init(counts: Self.counts(of: sentences), minCount: minCount, maxSize: maxSize)
    }

    /// Builds a vocabulary of words from each token's count in the training sentences (what a streaming
    /// pass over a corpus too large for memory collects): the same vocabulary as from the sentences.
    init(counts: [ExactToken: Int], minCount: Int = 1, maxSize: Int = 20_000) throws {
        let specials = Set(Self.specials.map(ExactToken.init))
        let minCount = minCount == Self.automaticMinCount ? Self.minCount(for: counts) : minCount
        let words = counts.filter { $0.value >= minCount && !specials.contains($0.key) }.sorted { a, b in
            a.value != b.value
                ? a.value > b.value
                : Array(a.key.text.unicodeScalars.map(\.value)).lexicographicallyPrecedes(b.key.text.unicodeScalars.map(\.value))
        }.prefix(max(0, maxSize))
        try self.init(tokens: Self.specials + words.map(\.key.text), counts: [0, 0, 0, 0] + words.map(\.value))
    }

    /// The minimum count that asks for `minCount(for:)` (what `--min-count auto` stores).
    package static let automaticMinCount = 0

    /// The minimum count that fits a corpus: 2, leaving out the words seen once (each would get an embedding
    /// and an output row trained on one sentence), when the words seen at least twice still cover 95% of the
    /// training tokens; else 1. A corpus of edited text of some size passes (5,000 Penn Treebank lines: 98.3%),
    /// a small or varied one does not (5,000 WordNet example sentences: 80.3%, whose samples would be full of
    /// `<unk>`), so it keeps every word.
    static func minCount(for counts: [ExactToken: Int]) -> Int {
        var total = 0, seenTwice = 0
        for (_, n) in counts {
            total += n
            if n >= 2 { seenTwice += n }
        }
        return Double(seenTwice) >= 0.95 * Double(total) ? 2 : 1
    }

    /// Each distinct token's count; tokens are told apart by their code points (as `ExactToken` does), not
    /// by Swift's canonical equivalence.
    static func counts(of sentences: [[String]]) -> [ExactToken: Int] {
        var counts: [ExactToken: Int] = [:]
        for sentence in sentences { for token in sentence { counts[ExactToken(token), default: 0] += 1 } }
        return counts
    }

    /// The id of a token; unknown tokens and literal `<pad>`, `<bos>`, `<eos>` give `<unk>`.
    package func id(_ token: String) -> Int {
        guard let i = ids[ExactToken(token)], i >= 4 else { return Self.unk }
        return i
    }

    /// The ids of a tokenised sentence: one per word, or with subwords, each word's pieces.
    package func ids(_ sentence: [String]) -> [Int32] {
        guard let subwords else { return sentence.map { Int32(id($0)) } }
        return sentence.flatMap { word in subwords.encode(word) { self.pieceID($0) } }
    }

    /// A single piece's id (a character or the marker), nil when unknown.
    private func pieceID(_ piece: String) -> Int? {
        guard let i = ids[ExactToken(piece)], i >= 4 else { return nil }
        return i
    }

    /// Whether a word reads as something other than `<unk>` (with subwords: every character of it is known).
    package func knows(_ word: String) -> Bool {
        guard subwords != nil else { return id(word) != Self.unk }
        return !ids([word]).contains(Int32(Self.unk))
    }

    /// Token ids back to words: each id's token, or with subwords, the pieces joined into words (a piece
    /// starting with the marker starts a word) with the marker dropped.
    package func words(_ ids: [Int32]) -> [String] {
        guard subwords != nil else { return ids.map { tokens[Int($0)] } }
        var words: [String] = []
        for id in ids {
            let piece = tokens[Int(id)]
            if Subwords.startsWord(piece) || words.isEmpty {  // `<unk>` stays inside its word: "na<unk>ve"
                words.append(Subwords.withoutMarker(piece))
            } else {
                words[words.count - 1] += piece
            }
        }
        return words.filter { !$0.isEmpty }
    }

    /// How many words `ids` spell (with subwords, fewer than the ids).
    package func wordCount(_ ids: [Int32]) -> Int { subwords == nil ? ids.count : words(ids).count }

    /// Token ids back to display text (see `Detokenizer`).
    package func text(_ ids: [Int32]) -> String { Detokenizer.join(words(ids)) }

    /// `token<TAB>count` lines in id order; for subwords, then a line `<merges>` and `left<TAB>right` lines in rank order.
    package var fileText: String {
        var s = ""
        for (t, c) in zip(tokens, counts) { s += "\(t)\t\(c)\n" }
        if let subwords {
            s += Self.mergesLine + "\n"
            for m in subwords.merges { s += "\(m.left)\t\(m.right)\n" }
        }
        return s
    }

    /// Separates a subword vocabulary file's tokens from its merges.
    static let mergesLine = "<merges>"

    package func write(to path: String) throws {
        try AtomicFile.write(Data(fileText.utf8), to: path)
    }

    package static func load(_ path: String) throws -> Vocabulary {
        try parse(TextFile.readLines(path).lines, name: path)
    }

    /// Reads the lines of a vocabulary file; `name` is what errors call it.
    package static func parse(_ lines: [String], name path: String) throws -> Vocabulary {
        var tokens: [String] = [], counts: [Int] = [], merges: [Subwords.Merge]?
        for (n, line) in lines.enumerated() where !line.isEmpty {
            if line == mergesLine && merges == nil { merges = []; continue }
            if merges != nil {
                let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
                guard parts.count == 2 else {
                    throw TextVAEError.file(path, "line \(n + 1) is not a merge 'left<TAB>right'", fix: "build it with 'textvae vocab'")
                }
                merges!.append(Subwords.Merge(String(parts[0]), String(parts[1])))
                continue
            }
            guard let tab = line.lastIndex(of: "\t"), let c = Int(line[line.index(after: tab)...]) else {
                throw TextVAEError.file(path, "line \(n + 1) is not 'token<TAB>count'", fix: "build it with 'textvae vocab'")
            }
            tokens.append(String(line[..<tab]))
            counts.append(c)
        }
        do { return try Vocabulary(tokens: tokens, counts: counts, merges: merges) } catch let e as TextVAEError {
            throw TextVAEError.file(path, e.description, fix: "build it with 'textvae vocab'")
        }
    }

    /// Share of the corpus's tokens that are in the vocabulary (literal `<unk>` counts as out).
    package func coverage(of sentences: [[String]]) -> Double {
        var known = 0, total = 0
        for s in sentences { for t in s { total += 1; if knows(t) { known += 1 } } }
        return total == 0 ? 0 : Double(known) / Double(total)
    }
}

extension Vocabulary {
    /// The share of the sentences' tokens that are `<unk>`: what a vocabulary leaves out of the text it is
    /// scored on, to be stated beside every figure (runs with different vocabularies do not compare).
    package static func unknownShare(_ sentences: [[Int32]]) -> Double {
        var unknown = 0, tokens = 0
        for s in sentences {
            tokens += s.count
            for id in s where id == Int32(unk) { unknown += 1 }
        }
        return Double(unknown) / Double(max(1, tokens))
    }
}
