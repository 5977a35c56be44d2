import Foundation

/// Corpus BLEU-4 (Papineni et al. 2002) of decodings against one reference each, the usual figure of how well an
/// autoencoder gives its inputs back: n-gram matches (each clipped to the n-gram's count in the reference) and
/// candidate n-grams are summed over the corpus for n = 1...4, and the score is the geometric mean of the four
/// precisions times the brevity penalty min(1, exp(1 − r / c)), r and c the reference and candidate tokens. No
/// smoothing: a corpus with no matching 4-gram scores 0.
package struct CorpusBLEU: Equatable, Sendable {
    /// Clipped matches and candidate n-grams, index n − 1.
    package private(set) var matches = [0, 0, 0, 0]
    package private(set) var totals = [0, 0, 0, 0]
    package private(set) var candidateLength = 0
    package private(set) var referenceLength = 0

    package init() {}

    package mutating func add(candidate: [Int32], reference: [Int32]) {
        candidateLength += candidate.count
        referenceLength += reference.count
        for n in 1...4 where candidate.count >= n {
            var available: [ArraySlice<Int32>: Int] = [:]
            if reference.count >= n { for i in 0...(reference.count - n) { available[reference[i..<i + n], default: 0] += 1 } }
            for i in 0...(candidate.count - n) {
                totals[n - 1] += 1
                let gram = candidate[i..<i + n]
                if let left = available[gram], left > 0 {
                    matches[n - 1] += 1
                    available[gram] = left - 1
                }
            }
        }
    }

    /// The score, from 0 to 1 (0 for an empty corpus).
    package var score: Double {
        guard candidateLength > 0, matches.allSatisfy({ $0 > 0 }) else { return 0 }
        let logPrecision = zip(matches, totals).map { log(Double($0) / Double($1)) }.reduce(0, +) / 4
        let brevity = min(0, 1 - Double(referenceLength) / Double(candidateLength))
        return exp(brevity + logPrecision)
    }
}
