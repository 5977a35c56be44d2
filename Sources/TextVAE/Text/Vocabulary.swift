import Foundation

/// Token ids, as <doc:TextToTokens> defines them: the four specials first,
/// then the training corpus's tokens by count (descending), ties broken by code
/// points so that a corpus always yields the same file.
public struct Vocabulary: Equatable, Sendable {
    public static let pad = 0, unk = 1, bos = 2, eos = 3
    public static let specials = ["<pad>", "<unk>", "<bos>", "<eos>"]

    /// Tokens in id order, specials included.
    public let tokens: [String]
    /// Training-corpus counts in id order (0 for the specials).
    public let counts: [Int]
    private let ids: [ExactToken: Int]

    public var count: Int { tokens.count }

    public init(tokens: [String], counts: [Int]) throws {
        guard tokens.count == counts.count else { throw TextVAEError("vocabulary: \(tokens.count) tokens but \(counts.count) counts") }
        guard Array(tokens.prefix(4)) == Self.specials else {
            throw TextVAEError("vocabulary must start with \(Self.specials.joined(separator: " ")), found \(tokens.prefix(4).joined(separator: " "))")
        }
        var ids: [ExactToken: Int] = [:]
        for (i, t) in tokens.enumerated() {
            if ids[ExactToken(t)] != nil { throw TextVAEError("vocabulary lists '\(t)' twice") }
            ids[ExactToken(t)] = i
        }
        self.tokens = tokens
        self.counts = counts
        self.ids = ids
    }

    /// Builds the vocabulary of a tokenised corpus.
    /// - Parameters:
    ///   - minCount: tokens seen fewer times are left out (default 1 keeps all).
    ///   - maxSize: at most this many words, not counting the 4 specials.
    public init(building sentences: [[String]], minCount: Int = 1, maxSize: Int = 20_000) throws {
        var counts: [ExactToken: Int] = [:]
        let specials = Set(Self.specials.map(ExactToken.init))
        for sentence in sentences {
            for token in sentence {
                let key = ExactToken(token)
                if !specials.contains(key) { counts[key, default: 0] += 1 }
            }
        }
        let words = counts.filter { $0.value >= minCount }.sorted { a, b in
            a.value != b.value ? a.value > b.value
                : Array(a.key.text.unicodeScalars.map(\.value)).lexicographicallyPrecedes(b.key.text.unicodeScalars.map(\.value))
        }.prefix(max(0, maxSize))
        try self.init(tokens: Self.specials + words.map(\.key.text), counts: [0, 0, 0, 0] + words.map(\.value))
    }

    /// The id of a token; unknown tokens and literal `<pad>`, `<bos>`, `<eos>` give `<unk>`.
    public func id(_ token: String) -> Int {
        guard let i = ids[ExactToken(token)], i >= 4 else { return Self.unk }
        return i
    }

    public func ids(_ sentence: [String]) -> [Int32] { sentence.map { Int32(id($0)) } }

    /// Token ids back to display text (see `Detokenizer`).
    public func text(_ ids: [Int32]) -> String { Detokenizer.join(ids.map { tokens[Int($0)] }) }

    /// `token<TAB>count` lines in id order.
    public var fileText: String {
        var s = ""
        for (t, c) in zip(tokens, counts) { s += "\(t)\t\(c)\n" }
        return s
    }

    public func write(to path: String) throws {
        try AtomicFile.write(Data(fileText.utf8), to: path)
    }

    public static func load(_ path: String) throws -> Vocabulary {
        try parse(TextFile.readLines(path).lines, name: path)
    }

    /// Reads the lines of a vocabulary file; `name` is what errors call it.
    public static func parse(_ lines: [String], name path: String) throws -> Vocabulary {
        var tokens: [String] = [], counts: [Int] = []
        for (n, line) in lines.enumerated() where !line.isEmpty {
            guard let tab = line.lastIndex(of: "\t"), let c = Int(line[line.index(after: tab)...]) else {
                throw TextVAEError.file(path, "line \(n + 1) is not 'token<TAB>count'", fix: "build it with 'textvae vocab'")
            }
            tokens.append(String(line[..<tab]))
            counts.append(c)
        }
        do { return try Vocabulary(tokens: tokens, counts: counts) } catch let e as TextVAEError {
            throw TextVAEError.file(path, e.description, fix: "build it with 'textvae vocab'")
        }
    }

    /// Share of the corpus's tokens that are in the vocabulary (literal `<unk>` counts as out).
    public func coverage(of sentences: [[String]]) -> Double {
        var known = 0, total = 0
        for s in sentences { for t in s { total += 1; if id(t) != Self.unk { known += 1 } } }
        return total == 0 ? 0 : Double(known) / Double(total)
    }
}
