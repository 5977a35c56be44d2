import Foundation

/// Draws a word from a row of logits with temperature, top-k and top-p.
/// Keeps its scratch arrays between draws.
struct Sampler {
    /// A seed for row `row` of a decoding run: mixed so that neighbouring rows get
    /// unrelated generators.
    static func rowSeed(_ seed: UInt64, _ row: Int) -> UInt64 {
        var mixer = Random(seed: UInt64(truncatingIfNeeded: row))
        return seed ^ mixer.next()
    }

    private var candidates: [Int32]
    private var weights: [Float]

    init(vocabulary V: Int) {
        candidates = []
        weights = []
        candidates.reserveCapacity(V)
        weights.reserveCapacity(V)
    }

    mutating func draw(_ row: UnsafePointer<Float>, rules: TokenRules, _ s: Sampling, _ rng: inout Random) -> Int {
        let V = rules.vocabulary
        var m = -Float.infinity
        for v in 0..<V where rules.allowed(v) { m = max(m, row[v]) }
        // A logit of −∞ is a word banned for this row (`RepetitionRule`): never a candidate.
        // Unnormalised probabilities exp((ℓ − max) / T) of the allowed words.
        candidates.removeAll(keepingCapacity: true)
        weights.removeAll(keepingCapacity: true)
        let invT = 1 / s.temperature
        for v in 0..<V where rules.allowed(v) && row[v] > -.infinity {
            candidates.append(Int32(v))
            weights.append(VectorMath.fastExp((row[v] - m) * invT))
        }
        // No word left (every logit −∞ or not a number): end the sentence rather than index an empty list.
        guard !candidates.isEmpty else { return Vocabulary.eos }
        if s.topK > 0 && s.topK < candidates.count { keepTop(s.topK) }
        if s.topP < 1 { keepNucleus(s.topP) }
        var total: Float = 0
        for w in weights { total += w }
        let u = rng.uniform() * total
        var acc: Float = 0
        for (i, w) in weights.enumerated() {
            acc += w
            if u < acc { return Int(candidates[i]) }
        }
        return Int(candidates[weights.lastIndex { $0 > 0 } ?? 0])  // u landed on the rounding slack
    }

    /// Keeps the k heaviest candidates (ties: the lower word id), heaviest first. A few by insertion (O(V·k)
    /// with a small k), many by one sort of all candidates (O(V log V)): a k near V must not cost V².
    private mutating func keepTop(_ k: Int) {
        let chosen: [Int]
        if k <= 32 {
            var top = TopCandidates(capacity: k)
            for i in candidates.indices { top.offer(Double(weights[i]), hypothesis: i, word: 0) }
            chosen = (0..<top.count).map { top[$0].1 }
        } else {
            chosen = Self.heaviestFirst(weights, candidates.indices).prefix(k).map { $0 }
        }
        candidates = chosen.map { candidates[$0] }
        weights = chosen.map { weights[$0] }
    }

    /// `indices` of `weights` (each ≥ 0, fewer than 2³² of them), heaviest first, ties by the lower index. Sorted as
    /// 64-bit keys (the weight's bits inverted, then the index): a non-negative float's bits order as its value
    /// does, and a sort of plain integers runs several times faster than one through a comparison closure.
    static func heaviestFirst(_ weights: [Float], _ indices: some Sequence<Int>) -> [Int] {
        var keys = indices.map { UInt64(~weights[$0].bitPattern) << 32 | UInt64($0) }
        keys.sort()
        return keys.map { Int($0 & 0xFFFF_FFFF) }
    }

    /// Keeps the smallest set of heaviest candidates whose share of the total reaches p.
    private mutating func keepNucleus(_ p: Float) {
        var total: Float = 0
        for w in weights { total += w }
        let target = p * total
        // The nucleus is a prefix of the candidates sorted by weight; sort only
        // those above a threshold, lowered until they carry enough weight.
        var threshold = (weights.max() ?? 0) * 1e-3
        while true {
            var order = candidates.indices.filter { weights[$0] >= threshold }
            var mass: Float = 0
            for i in order { mass += weights[i] }
            if mass >= target || threshold == 0 {
                // Ties by index, which is by word id: candidates are in id order, or (after top-k) by weight, then id.
                order = Self.heaviestFirst(weights, order)
                var acc: Float = 0, n = 0
                while n < order.count { acc += weights[order[n]]; n += 1; if acc >= target { break } }
                let kept = order.prefix(n)
                candidates = kept.map { candidates[$0] }
                weights = kept.map { weights[$0] }
                return
            }
            threshold = threshold > 1e-30 ? threshold * 1e-3 : 0
        }
    }
}
