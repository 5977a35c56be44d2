import Foundation

/// Byte-pair encoding (Sennrich et al. 2016) over ICU words: how a subword vocabulary splits a word into
/// pieces. A word is first its characters (grapheme clusters) after a word-start marker `▁`; then the
/// learned merges apply, the lowest-ranked adjacent pair first (the leftmost among equals), until none
/// applies. Merges never cross a word boundary. A character the training corpus never had becomes `<unk>`.
///
/// Pieces are vocabulary tokens: "▁the" starts a word, "ing" continues one. Display text joins a word's
/// pieces, drops the marker, then joins words as `Detokenizer` does.
package struct Subwords: Sendable {
    /// Marks the start of a word (U+2581, as SentencePiece writes it).
    package static let marker = "\u{2581}"
    static let markerScalar: Unicode.Scalar = "\u{2581}"

    /// Whether `text` holds the marker, alone or inside a larger character (String's `contains` compares
    /// characters, and "▁" + a combining mark is one character that is not "▁").
    static func holdsMarker(_ text: String) -> Bool { text.unicodeScalars.contains(markerScalar) }

    /// Whether a piece starts a word. By code point, not by character: a piece such as "▁" + U+200D (zero-width
    /// joiner) is one grapheme cluster, which `hasPrefix` would not see as starting with the marker.
    package static func startsWord(_ piece: String) -> Bool { piece.unicodeScalars.first == markerScalar }

    /// The piece without its word-start marker.
    static func withoutMarker(_ piece: String) -> String {
        startsWord(piece) ? String(String.UnicodeScalarView(piece.unicodeScalars.dropFirst())) : piece
    }

    /// One merge: the adjacent pieces `left` and `right` become `left + right`.
    package struct Merge: Equatable, Sendable {
        package let left: String
        package let right: String
        package init(_ left: String, _ right: String) {
            self.left = left
            self.right = right
        }
    }

    /// In rank order: the first learned applies first.
    package let merges: [Merge]
    /// (left id, right id) → rank; and each rank's result id.
    private let rank: [UInt64: Int32]
    private let result: [Int32]
    private let markerID: Int32
    /// Ids of the pieces that are one code point (most characters), to skip the string lookup.
    private let scalarID: [UInt32: Int32]
    /// Words already split (a corpus repeats its words), shared by copies of this value.
    private let cache = WordCache()

    /// The merge table over a vocabulary's ids; every merge's parts and result must be its tokens.
    init(merges: [Merge], tokens: [String], id: (String) -> Int?) throws {
        guard let marker = id(Self.marker) else {
            throw TextVAEError.invalidInput("a subword vocabulary must hold the word-start marker \(Self.marker)")
        }
        var rank: [UInt64: Int32] = [:], result: [Int32] = []
        for (r, m) in merges.enumerated() {
            guard let a = id(m.left), let b = id(m.right), let c = id(m.left + m.right) else {
                throw TextVAEError.invalidInput("subword merge \(r + 1) ('\(m.left)' + '\(m.right)') uses pieces the vocabulary lacks")
            }
            if rank[Self.key(Int32(a), Int32(b))] == nil { rank[Self.key(Int32(a), Int32(b))] = Int32(r) }
            result.append(Int32(c))
        }
        self.merges = merges
        self.rank = rank
        self.result = result
        markerID = Int32(marker)
        var scalarID: [UInt32: Int32] = [:]
        for (i, token) in tokens.enumerated().dropFirst(Vocabulary.specials.count) {
            var scalars = token.unicodeScalars.makeIterator()
            if let first = scalars.next(), scalars.next() == nil, token != Self.marker { scalarID[first.value] = Int32(i) }
        }
        self.scalarID = scalarID
    }

    static func key(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b)) }

    /// The pieces of one word, as ids; `id` maps a single character to its id (nil: unknown).
    func encode(_ word: String, id: (String) -> Int?) -> [Int32] {
        let key = ExactToken(word)
        if let known = cache[key] { return known }
        let pieces = split(word, id: id)
        cache[key] = pieces
        return pieces
    }

    private func split(_ word: String, id: (String) -> Int?) -> [Int32] {
        var symbols: [Int32] = [markerID]
        symbols.reserveCapacity(word.count + 1)
        for c in word {
            if c.unicodeScalars.count == 1, let known = scalarID[c.unicodeScalars.first!.value] {
                symbols.append(known)
            } else {
                // The marker inside a word would read as the start of another: it is `<unk>`, as learning left it
                // out; also when a combining mark or joiner makes it part of a larger character ("▁" + U+0301).
                let known = Self.holdsMarker(String(c)) ? nil : id(String(c))
                symbols.append(Int32(known ?? Vocabulary.unk))
            }
        }
        return symbols.count <= 48 ? mergeByScanning(symbols) : mergeWithHeap(symbols)
    }

    /// Short words: find the best pair by scanning, merge it, repeat (quadratic, but words are short).
    func mergeByScanning(_ word: [Int32]) -> [Int32] {
        var symbols = word
        while symbols.count > 1 {
            var best = Int32.max, at = -1
            for i in 0..<(symbols.count - 1) {
                if let r = rank[Self.key(symbols[i], symbols[i + 1])], r < best { best = r; at = i }
            }
            if at < 0 { break }
            symbols[at] = result[Int(best)]
            symbols.remove(at: at + 1)
        }
        return symbols
    }

    /// Long words (a 300,000-character "word" must not take quadratic time): the same merges in the same
    /// order, found with a heap of (rank, position) over a linked list of symbols.
    func mergeWithHeap(_ word: [Int32]) -> [Int32] {
        var symbols = word
        var next = Array(1...word.count), previous = Array(-1..<(word.count - 1))
        var alive = [Bool](repeating: true, count: word.count)
        var heap = BinaryHeap<(rank: Int32, at: Int)> { $0.rank != $1.rank ? $0.rank < $1.rank : $0.at < $1.at }
        func offer(_ i: Int) {
            guard i >= 0, next[i] < symbols.count, let r = rank[Self.key(symbols[i], symbols[next[i]])] else { return }
            heap.push((r, i))
        }
        for i in 0..<(symbols.count - 1) { offer(i) }
        while let (r, i) = heap.pop() {
            // Stale entries: the left symbol was absorbed, or either side changed since the entry was pushed.
            guard alive[i], next[i] < symbols.count, rank[Self.key(symbols[i], symbols[next[i]])] == r else { continue }
            let j = next[i]
            symbols[i] = result[Int(r)]
            alive[j] = false
            next[i] = next[j]
            if next[j] < symbols.count { previous[next[j]] = i }
            offer(previous[i])
            offer(i)
        }
        var out: [Int32] = []
        var i = 0
        while i < symbols.count { out.append(symbols[i]); i = next[i] }
        return out
    }
}

extension Subwords: Equatable {
    package static func == (a: Subwords, b: Subwords) -> Bool { a.merges == b.merges }
}

/// Split words by their text, up to a bound (so that a stream of distinct words cannot grow it without end).
private final class WordCache: @unchecked Sendable {  // guarded by `lock`
    static let capacity = 500_000
    private let lock = NSLock()
    private var pieces: [ExactToken: [Int32]] = [:]

    subscript(word: ExactToken) -> [Int32]? {
        get {
            lock.lock()
            defer { lock.unlock() }
            return pieces[word]
        }
        set {
            lock.lock()
            defer { lock.unlock() }
            if pieces.count < Self.capacity { pieces[word] = newValue }
        }
    }
}
