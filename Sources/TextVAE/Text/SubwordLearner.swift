import Foundation

/// Learns byte-pair merges from a corpus's word counts: start from the characters, then merge the most
/// frequent adjacent pair (counted over the corpus, inside words only) into a new piece, until the
/// vocabulary reaches its size or no pair occurs twice. Deterministic: ties go to the pair whose left,
/// then right, piece comes first by code points. Every character of the corpus is in the vocabulary,
/// however large the alphabet; words holding the marker character itself are left out (they read as `<unk>`).
enum SubwordLearner {
    struct Learned {
        var pieces: [String]
        var counts: [Int]
        var merges: [Subwords.Merge]
    }

    /// - Parameter size: pieces wanted, the four specials included.
    static func learn(_ words: [(word: String, count: Int)], size: Int) throws -> Learned {
        var learner = State(words)
        while 4 + learner.pieces.strings.count < size, try learner.mergeBestPair() {}
        return learner.result()
    }

    private struct Candidate {
        var count: Int
        var left: Int32
        var right: Int32
    }

    /// The pieces so far; a class so that the heap's ordering sees pieces added after it was made.
    private final class Pieces {
        var strings: [String] = []
        var scalars: [[UInt32]] = []
        var ids: [String: Int32] = [:]

        @discardableResult func add(_ piece: String) -> Int32 {
            if let id = ids[piece] { return id }
            ids[piece] = Int32(strings.count)
            strings.append(piece)
            scalars.append(piece.unicodeScalars.map(\.value))
            return Int32(strings.count - 1)
        }

        /// Most frequent first; ties: the left piece, then the right, first by code points.
        func precedes(_ a: Candidate, _ b: Candidate) -> Bool {
            if a.count != b.count { return a.count > b.count }
            if a.left != b.left { return scalars[Int(a.left)].lexicographicallyPrecedes(scalars[Int(b.left)]) }
            return scalars[Int(a.right)].lexicographicallyPrecedes(scalars[Int(b.right)])
        }
    }

    private struct State {
        let pieces = Pieces()
        var words: [[Int32]] = []
        var wordCounts: [Int] = []
        var pairCounts: [UInt64: Int] = [:]
        var pairWords: [UInt64: [Int32]] = [:]
        var heap: BinaryHeap<Candidate>
        var merges: [Subwords.Merge] = []
        var visited: [Int] = []
        var round = 0

        init(_ corpusWords: [(word: String, count: Int)]) {
            heap = BinaryHeap(precedes: pieces.precedes)
            // Pieces: the marker, then the alphabet in code-point order.
            var alphabet = Set<String>()
            for (word, _) in corpusWords where !Subwords.holdsMarker(word) { for c in word { alphabet.insert(String(c)) } }
            for piece in [Subwords.marker] + alphabet.sorted(by: Self.codePointOrder) { pieces.add(piece) }
            for (word, count) in corpusWords where !Subwords.holdsMarker(word) && !word.isEmpty {
                words.append([0] + word.map { pieces.ids[String($0)]! })
                wordCounts.append(count)
            }
            visited = [Int](repeating: -1, count: words.count)
            for w in words.indices { countPairs(of: w, sign: 1) }
            for (key, count) in pairCounts {
                heap.push(Candidate(count: count, left: Int32(key >> 32), right: Int32(truncatingIfNeeded: key)))
            }
        }

        static func codePointOrder(_ a: String, _ b: String) -> Bool {
            a.unicodeScalars.map(\.value).lexicographicallyPrecedes(b.unicodeScalars.map(\.value))
        }

        mutating func countPairs(of w: Int, sign: Int) {
            let symbols = words[w], count = wordCounts[w] * sign
            guard symbols.count > 1 else { return }
            for i in 0..<(symbols.count - 1) {
                let key = Subwords.key(symbols[i], symbols[i + 1])
                pairCounts[key, default: 0] += count
                if sign > 0 { pairWords[key, default: []].append(Int32(w)) }
            }
        }

        /// Merges the most frequent pair; false when no pair occurs twice.
        mutating func mergeBestPair() throws -> Bool {
            while let best = heap.pop() {
                let key = Subwords.key(best.left, best.right)
                guard pairCounts[key] == best.count else { continue }  // stale: the count changed since
                if best.count < 2 { return false }
                try Interruption.check("learning subwords")
                merge(best.left, best.right, key: key)
                return true
            }
            return false
        }

        mutating func merge(_ a: Int32, _ b: Int32, key: UInt64) {
            let left = pieces.strings[Int(a)], right = pieces.strings[Int(b)]
            let c = pieces.add(left + right)
            merges.append(Subwords.Merge(left, right))
            round += 1
            var touched = Set<UInt64>()
            for w32 in pairWords[key] ?? [] {
                let w = Int(w32)
                if visited[w] == round { continue }
                visited[w] = round
                let old = words[w]
                var symbols: [Int32] = [], i = 0
                while i < old.count {
                    if i + 1 < old.count && old[i] == a && old[i + 1] == b {
                        symbols.append(c); i += 2
                    } else {
                        symbols.append(old[i]); i += 1
                    }
                }
                guard symbols.count < old.count else { continue }
                countPairs(of: w, sign: -1)
                for j in 0..<(old.count - 1) { touched.insert(Subwords.key(old[j], old[j + 1])) }
                words[w] = symbols
                countPairs(of: w, sign: 1)
                for j in 0..<max(0, symbols.count - 1) { touched.insert(Subwords.key(symbols[j], symbols[j + 1])) }
            }
            pairWords[key] = nil
            for t in touched {
                let count = pairCounts[t] ?? 0
                if count > 0 {
                    heap.push(Candidate(count: count, left: Int32(t >> 32), right: Int32(truncatingIfNeeded: t)))
                } else {
                    pairCounts[t] = nil
                }
            }
        }

        /// Pieces in vocabulary order (by their count in the corpus's final segmentation, descending; ties by
        /// code points) with those counts, and the merges.
        func result() -> Learned {
            var counts = [Int](repeating: 0, count: pieces.strings.count)
            for (w, symbols) in words.enumerated() { for s in symbols { counts[Int(s)] += wordCounts[w] } }
            let order = pieces.strings.indices.sorted { i, j in
                counts[i] != counts[j] ? counts[i] > counts[j] : pieces.scalars[i].lexicographicallyPrecedes(pieces.scalars[j])
            }
            return Learned(pieces: order.map { pieces.strings[$0] }, counts: order.map { counts[$0] }, merges: merges)
        }
    }
}
