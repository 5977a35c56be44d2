import Foundation

/// How homotopies between real sentences read, as `textvae evaluate --paths N` reports them: whether a path
/// starts and ends at the sentences it was asked to join (what a user of `interpolate` sees first), how many
/// different sentences it passes through, and how gradually it moves. Distances are Levenshtein distances over
/// tokens (words for a word model).
package struct PathQuality: Equatable, Sendable {
    package private(set) var paths = 0
    /// Paths whose first and last decodings are exactly the two sentences.
    package private(set) var bothEndsExact = 0
    /// Ends (two a path) decoded to exactly their sentence.
    package private(set) var endsExact = 0
    /// Distinct decodings summed over paths.
    package private(set) var distinctSentences = 0
    /// Edit distance between neighbouring steps, summed over all neighbouring pairs.
    package private(set) var stepDistance = 0
    package private(set) var neighbours = 0
    /// Paths along which the edit distance to the first decoding never falls: the walk never turns back.
    package private(set) var monotone = 0

    package init() {}

    package var bothEndsExactShare: Double { paths == 0 ? 0 : Double(bothEndsExact) / Double(paths) }
    package var endsExactShare: Double { paths == 0 ? 0 : Double(endsExact) / Double(2 * paths) }
    package var meanDistinct: Double { paths == 0 ? 0 : Double(distinctSentences) / Double(paths) }
    package var meanStepDistance: Double { neighbours == 0 ? 0 : Double(stepDistance) / Double(neighbours) }
    package var monotoneShare: Double { paths == 0 ? 0 : Double(monotone) / Double(paths) }

    /// Counts one path: its decodings in order, from sentence `a` to sentence `b`.
    package mutating func add(path: [[Int32]], from a: [Int32], to b: [Int32]) {
        precondition(path.count >= 2, "a path has at least its two ends")
        paths += 1
        let ends = (path.first == a ? 1 : 0) + (path.last == b ? 1 : 0)
        endsExact += ends
        if ends == 2 { bothEndsExact += 1 }
        distinctSentences += Set(path).count
        for (x, y) in zip(path, path.dropFirst()) { stepDistance += Self.editDistance(x, y) }
        neighbours += path.count - 1
        let fromStart = path.map { Self.editDistance(path[0], $0) }
        if zip(fromStart, fromStart.dropFirst()).allSatisfy({ $0 <= $1 }) { monotone += 1 }
    }

    /// The fewest insertions, deletions and substitutions that turn `a` into `b`.
    package static func editDistance(_ a: [Int32], _ b: [Int32]) -> Int {
        guard !a.isEmpty else { return b.count }
        var previous = Array(0...b.count), current = previous
        for i in 1...a.count {
            current[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// `count` pairs of different sentences among `eligible` (indices), drawn from a generator seeded with
    /// `seed`, so the same file and seed give the same pairs. Empty when fewer than two are eligible.
    package static func pairs(count: Int, among eligible: [Int], seed: UInt64) -> [(Int, Int)] {
        guard eligible.count >= 2 else { return [] }
        var rng = Random(seed: seed ^ 0x9A7_4501)
        let n = UInt64(eligible.count)
        return (0..<count).map { _ in
            let a = Int(rng.next() % n)
            let b = (a + 1 + Int(rng.next() % (n - 1))) % eligible.count  // any index but a
            return (eligible[a], eligible[b])
        }
    }
}

extension TrainedModel {
    /// The paths `textvae interpolate` would print (linear, `steps` steps, greedy with the repetition rule) between
    /// `count` pairs of `sentences` of 1 to `maxWords` tokens, the pairs drawn with `seed`; nil when fewer than two
    /// sentences are that short. In a model with classes each end takes its most likely class, as `interpolate`
    /// does; with `refine` > 0 the ends' codes are refined by that many steps first (`refinedMeans`),
    /// as `interpolate --refine` does.
    package func pathQuality(
        _ sentences: [[Int32]], count: Int, steps: Int, maxWords: Int, seed: UInt64, refine: Int = 0
    ) -> PathQuality? {
        let eligible = sentences.indices.filter { (1...maxWords).contains(sentences[$0].count) }
        let pairs = PathQuality.pairs(count: count, among: eligible, seed: seed)
        guard !pairs.isEmpty else { return nil }
        let used = Array(Set(pairs.flatMap { [$0.0, $0.1] })).sorted()
        let row = Dictionary(uniqueKeysWithValues: used.enumerated().map { ($1, $0) })
        let posteriors = encode(used.map { sentences[$0] })
        let classes = self.classes == 0 ? Array(repeating: 0, count: used.count) : posteriors.mostLikelyClasses
        let mu = refinedMeans(used.map { sentences[$0] }, posteriors, steps: refine)
        let Z = latent
        let ts = Interpolation.steps(steps)
        var z: [Float] = [], c: [Float] = []
        for (a, b) in pairs {
            let (ra, rb) = (row[a]!, row[b]!)
            let path = homotopy((Array(mu[ra * Z..<(ra + 1) * Z]), classes[ra]), (Array(mu[rb * Z..<(rb + 1) * Z]), classes[rb]), at: ts)
            z += path.z
            c += path.classes ?? []
        }
        let decoded = decodeGreedily(z, classes: self.classes == 0 ? nil : c, repetition: .standard)
        var quality = PathQuality()
        for (p, (a, b)) in pairs.enumerated() {
            quality.add(path: Array(decoded[p * steps..<(p + 1) * steps]), from: sentences[a], to: sentences[b])
        }
        return quality
    }
}
