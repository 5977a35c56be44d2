import Foundation

/// How the decoder picks each next word.
public enum DecodingMethod: Equatable, Sendable {
    /// The most probable word at each step.
    case greedy
    /// A word drawn from the (tempered, truncated) distribution at each step.
    case sample(Sampling)
    /// Beam search keeping `width` hypotheses per z.
    case beam(width: Int)
}

/// Knobs of `DecodingMethod.sample`. Applied in this order: temperature,
/// top-k, then top-p, as Hugging Face's `generate` does.
public struct Sampling: Equatable, Sendable {
    /// Divides the logits: below 1 sharpens, above 1 flattens (1 = the model's distribution).
    public var temperature: Float
    /// Keep only the k most probable words (0 = all).
    public var topK: Int
    /// Keep the smallest set of most probable words whose probability reaches p (1 = all).
    public var topP: Float

    public init(temperature: Float = 1, topK: Int = 0, topP: Float = 1) {
        precondition(temperature > 0 && topK >= 0 && topP > 0 && topP <= 1, "invalid sampling settings")
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
    }
}

/// What a decoding run may emit and for how long.
public struct DecodingOptions: Equatable, Sendable {
    public var method: DecodingMethod
    /// At most this many words per sentence (nil: the model's `max_length`).
    /// The step that would emit one word more emits `<eos>` instead.
    public var maxLength: Int?
    /// Never emit `<unk>` (`<pad>` and `<bos>` are never emitted anyway).
    public var forbidUnknown: Bool

    public init(method: DecodingMethod = .greedy, maxLength: Int? = nil, forbidUnknown: Bool = false) {
        self.method = method
        self.maxLength = maxLength
        self.forbidUnknown = forbidUnknown
    }
}

/// A decoded sentence.
public struct Hypothesis: Equatable, Sendable {
    /// Word ids, without `<eos>`.
    public var tokens: [Int32]
    /// log p(tokens, `<eos>` | z) under the model itself: the sum over the
    /// emitted words and the final `<eos>` of the untempered log-softmax, so it
    /// equals −rec of this sentence at the same z, whatever method chose it.
    /// A sentence cut at the length cap includes log p(`<eos>`) at the cap.
    public var logProbability: Double
    /// True when the sentence ended because it reached the length cap.
    public var reachedLengthCap: Bool
}

/// Buffers a decoder reuses from call to call and from step to step, so that
/// a step allocates no large array. One per thread.
public final class DecoderWorkspace {
    let h = Buffer(), hNext = Buffer(), z = Buffer(), zNext = Buffer(), x = Buffer(), logits = Buffer()
    let slots = ScratchBuffer<Int32>()
    let gru = Workspace.GRUBuffers()

    public init() {}
}

extension SentenceVAE {
    /// How many z `decode` runs together. Larger batches make larger, faster
    /// products; the gain stops near 250 (greedy, PTB model, 1,000 sentences:
    /// 100 → 5,000 sentences/s, 250 → 5,900, 500 → 5,700, 1,000 → 5,500), and
    /// smaller ones let output stream sooner (`textvae sample` writes each batch).
    public static let decodingBatchSize = 250

    /// Decodes a sentence from each z.
    ///
    /// Rows go through in batches of `decodingBatchSize`. In a batch all rows
    /// advance together, one GRU step at a time; a row leaves the batch when it
    /// emits `<eos>`, and decoding stops when no row is left.
    /// - Parameters:
    ///   - z: (B, Z) latent codes, row-major.
    ///   - seed: for `.sample`; row r draws from its own generator seeded from
    ///     (seed, firstRow + r), so a sentence does not depend on which other
    ///     rows share its batch.
    ///   - firstRow: the index of z's first row in the caller's numbering.
    /// - Returns: per z row, one hypothesis (greedy, sample) or up to `width`
    ///   (beam), best first.
    public func decode(_ z: [Float], options: DecodingOptions = DecodingOptions(), seed: UInt64 = 0, firstRow: Int = 0,
                       workspace: DecoderWorkspace = DecoderWorkspace()) -> [[Hypothesis]] {
        let Z = config.latent
        precondition(z.count % Z == 0, "z must be (B, Z)")
        let B = z.count / Z
        if B == 0 { return [] }
        if B > Self.decodingBatchSize {
            return stride(from: 0, to: B, by: Self.decodingBatchSize).flatMap { start in
                decode(Array(z[start * Z..<min(B, start + Self.decodingBatchSize) * Z]), options: options, seed: seed,
                       firstRow: firstRow + start, workspace: workspace)
            }
        }
        let cap = options.maxLength ?? config.maxLength
        precondition(cap >= 1, "the length cap must be at least 1 word")
        let rules = TokenRules(vocabulary: config.vocabulary, forbidUnknown: options.forbidUnknown)
        return parameters.withUnsafeBufferPointer { p in
            z.withUnsafeBufferPointer { zp in
                var state = DecoderState(self, parameters: p.baseAddress!, z: zp.baseAddress!, rows: B, workspace: workspace)
                switch options.method {
                case .greedy:
                    return decodeOneEach(&state, cap: cap, rules: rules, sampling: nil, seed: seed, firstRow: firstRow).map { [$0] }
                case .sample(let s):
                    return decodeOneEach(&state, cap: cap, rules: rules, sampling: s, seed: seed, firstRow: firstRow).map { [$0] }
                case .beam(let width):
                    precondition(width >= 1, "the beam width must be at least 1")
                    return decodeBeam(&state, cap: cap, rules: rules, width: width)
                }
            }
        }
    }

    /// Greedy or sampled decoding: one running row per z.
    private func decodeOneEach(_ state: inout DecoderState, cap: Int, rules: TokenRules, sampling: Sampling?,
                               seed: UInt64, firstRow: Int) -> [Hypothesis] {
        let B = state.rows, V = config.vocabulary
        var out = [Hypothesis](repeating: Hypothesis(tokens: [], logProbability: 0, reachedLengthCap: false), count: B)
        var generators = sampling == nil ? [] : (0..<B).map { Random(seed: rowSeed(seed, firstRow + $0)) }
        var owner = Array(0..<B)  // state row -> output index
        var inputs = [Int32](repeating: Int32(Vocabulary.bos), count: B)
        for t in 0...cap {
            let logits = state.step(inputs)
            let R = state.rows
            var words = [Int](repeating: Vocabulary.eos, count: R), lse = [Double](repeating: 0, count: R)
            // Each row's word and log-normaliser; rows are independent, so both cores take a share.
            words.withUnsafeMutableBufferPointer { words in
                lse.withUnsafeMutableBufferPointer { lse in
                    generators.withUnsafeMutableBufferPointer { generators in
                        let parts = R >= 16 ? BLAS.threads : 1
                        Parallel.forEach(parts) { part in
                            var sampler = Sampler(vocabulary: sampling == nil ? 0 : V)
                            withUnsafeTemporaryAllocation(of: Float.self, capacity: V) { scratch in
                                for r in stride(from: part, to: R, by: parts) {
                                    let row = logits + r * V
                                    lse[r] = RowReduce.logSumExp(row, V, scratch: scratch.baseAddress!)
                                    if t == cap { continue }  // <eos>
                                    if let sampling {
                                        words[r] = sampler.draw(row, rules: rules, sampling, &generators[owner[r]])
                                    } else {
                                        words[r] = rules.argmax(row)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            var kept: [Int] = []
            inputs.removeAll(keepingCapacity: true)
            for r in 0..<R {
                let b = owner[r], word = words[r]
                out[b].logProbability += Double(logits[r * V + word]) - lse[r]
                if word == Vocabulary.eos {
                    out[b].reachedLengthCap = t == cap
                } else {
                    out[b].tokens.append(Int32(word))
                    kept.append(r)
                    inputs.append(Int32(word))
                }
            }
            if kept.isEmpty { break }
            if kept.count < state.rows {
                state.keep(kept)
                owner = kept.map { owner[$0] }
            }
        }
        return out
    }

    /// Beam search. Per z, each step ranks the extensions of its live
    /// hypotheses by total log-probability and walks the best 2W: an `<eos>`
    /// among the first W finishes a hypothesis, and the first W others stay
    /// live (so the beam stays full even when some finish). A z is done once
    /// W hypotheses have finished (Hugging Face's `early_stopping=True`), or at
    /// the length cap, where the live ones are ended with `<eos>`. With W = 1
    /// this is exactly greedy decoding.
    private func decodeBeam(_ state: inout DecoderState, cap: Int, rules: TokenRules, width W: Int) -> [[Hypothesis]] {
        let B = state.rows, V = config.vocabulary
        struct Live { var tokens: [Int32]; var score: Double; var row: Int }
        var live = (0..<B).map { [Live(tokens: [], score: 0, row: $0)] }
        var finished = [[Hypothesis]](repeating: [], count: B)
        var inputs = [Int32](repeating: Int32(Vocabulary.bos), count: B)
        var top = TopCandidates(capacity: 2 * W)
        for t in 0...cap {
            let logits = state.step(inputs)
            var lse = [Double](repeating: 0, count: state.rows)
            withUnsafeTemporaryAllocation(of: Float.self, capacity: V) { scratch in
                for r in 0..<state.rows { lse[r] = RowReduce.logSumExp(logits + r * V, V, scratch: scratch.baseAddress!) }
            }
            var parents: [Int] = []
            inputs.removeAll(keepingCapacity: true)
            for b in 0..<B where !live[b].isEmpty {
                if t == cap {
                    for h in live[b] {
                        let score = h.score + Double(logits[h.row * V + Vocabulary.eos]) - lse[h.row]
                        finished[b].append(Hypothesis(tokens: h.tokens, logProbability: score, reachedLengthCap: true))
                    }
                    live[b] = []
                    continue
                }
                top.removeAll()
                for (k, h) in live[b].enumerated() {
                    let row = logits + h.row * V
                    for v in 0..<V where rules.allowed(v) {
                        top.offer(h.score + (Double(row[v]) - lse[h.row]), hypothesis: k, word: v)
                    }
                }
                var next: [Live] = []
                for i in 0..<top.count {
                    let (score, k, v) = top[i]
                    if v == Vocabulary.eos {
                        if i < W {
                            finished[b].append(Hypothesis(tokens: live[b][k].tokens, logProbability: score, reachedLengthCap: false))
                        }
                    } else if next.count < W {
                        next.append(Live(tokens: live[b][k].tokens + [Int32(v)], score: score, row: parents.count))
                        parents.append(live[b][k].row)
                        inputs.append(Int32(v))
                    }
                    if next.count == W && i >= W - 1 { break }
                }
                if finished[b].count >= W {
                    // Done: drop its rows from the next step.
                    parents.removeLast(next.count)
                    inputs.removeLast(next.count)
                    next = []
                }
                live[b] = next
            }
            if parents.isEmpty { break }
            state.keep(parents)
        }
        return finished.map { hs in
            Array(hs.enumerated().sorted { $0.element.logProbability != $1.element.logProbability
                ? $0.element.logProbability > $1.element.logProbability : $0.offset < $1.offset }.prefix(W).map(\.element))
        }
    }
}

/// The decoder's running state for R rows: each row's GRU state h (R, H) and
/// its z (R, Z). Everything about how one decoder step is computed lives here;
/// the decoding methods only choose words and which rows go on.
struct DecoderState {
    let config: ModelConfig
    let ws: DecoderWorkspace
    let gru: GRU
    let embedding: UnsafePointer<Float>, outputWeight: UnsafePointer<Float>, outputBias: UnsafePointer<Float>
    private(set) var rows: Int
    private var sequence: PackedSequences

    /// h0 = W_zh z + b_zh for each row of z (R, Z).
    init(_ model: SentenceVAE, parameters p: UnsafePointer<Float>, z: UnsafePointer<Float>, rows R: Int, workspace: DecoderWorkspace) {
        let c = model.config
        func at(_ t: ParameterTensor) -> UnsafePointer<Float> { p + model.layout.offsets[t.rawValue] }
        config = c
        ws = workspace
        gru = GRU(input: c.decoderInput, hidden: c.hidden, weightIH: at(.decoderWeightIH), weightHH: at(.decoderWeightHH),
                  biasIH: at(.decoderBiasIH), biasHH: at(.decoderBiasHH))
        embedding = at(.embedding)
        outputWeight = at(.outputWeight)
        outputBias = at(.outputBias)
        rows = R
        sequence = PackedSequences(lengths: [Int](repeating: 1, count: R))
        ws.z.reserve(R * c.latent).update(from: z, count: R * c.latent)
        Linear.forward(z, rows: R, input: c.latent, output: c.hidden, weight: at(.latentWeight), bias: at(.latentBias),
                       into: ws.h.reserve(R * c.hidden))
    }

    /// Feeds one word per row (`<bos>` first) and returns the logits of the
    /// next word, (R, V), valid until the next call.
    mutating func step(_ inputs: [Int32]) -> UnsafeMutablePointer<Float> {
        precondition(inputs.count == rows, "one input word per row")
        let (E, Z, H, D, V, R) = (config.embedding, config.latent, config.hidden, config.decoderInput, config.vocabulary, rows)
        let x: GRUInputs
        if config.latentToInputs {
            let rows = ws.x.reserve(R * D)  // (R, D): [embedding; z]
            inputs.withUnsafeBufferPointer { ids in
                Embedding.gather(embedding, width: E, ids: ids.baseAddress!, count: R, into: rows, stride: D)
            }
            for r in 0..<R { (rows + r * D + E).update(from: ws.z.pointer + r * Z, count: Z) }
            x = GRUInputs(x: rows, rows: R, slots: nil)
        } else {
            x = .words(DistinctWords(inputs), embedding: embedding, width: E, x: ws.x, slots: ws.slots)  // rows sharing a word share its projection
        }
        let cache = GRU.Cache(gi: ws.gru.gi.reserve(x.rows * 3 * H), hPrev: ws.gru.hPrev.reserve(R * H),
                              gates: ws.gru.gates.reserve(R * 4 * H), out: ws.gru.out.reserve(R * H), gh: ws.gru.gh.reserve(R * 3 * H))
        gru.forward(x, h0: ws.h.pointer, sequence, cache)  // one position per row, from the current state
        ws.h.pointer.update(from: cache.out, count: R * H)
        let logits = ws.logits.reserve(R * V)
        Linear.forward(ws.h.pointer, rows: R, input: H, output: V, weight: outputWeight, bias: outputBias, into: logits)
        return logits
    }

    /// Row i of the new state continues old row `parents[i]` (rows may repeat or drop out).
    mutating func keep(_ parents: [Int]) {
        let (H, Z) = (config.hidden, config.latent)
        let R = parents.count
        let h = ws.hNext.reserve(R * H), z = ws.zNext.reserve(R * Z)
        for (i, r) in parents.enumerated() {
            precondition(r >= 0 && r < rows, "parent row out of range")
            (h + i * H).update(from: ws.h.pointer + r * H, count: H)
            (z + i * Z).update(from: ws.z.pointer + r * Z, count: Z)
        }
        ws.h.reserve(R * H).update(from: h, count: R * H)
        ws.z.reserve(R * Z).update(from: z, count: R * Z)
        if R != rows { sequence = PackedSequences(lengths: [Int](repeating: 1, count: R)) }
        rows = R
    }
}

/// Which words may be emitted: never `<pad>` or `<bos>`, `<unk>` on request.
struct TokenRules {
    let vocabulary: Int
    let forbidUnknown: Bool

    @inline(__always) func allowed(_ v: Int) -> Bool {
        v != Vocabulary.pad && v != Vocabulary.bos && !(forbidUnknown && v == Vocabulary.unk)
    }

    /// The allowed word with the largest logit (the first on ties).
    func argmax(_ row: UnsafePointer<Float>) -> Int {
        // Allowed: <unk> (id 1) unless forbidden, and every id from <eos> (3) on.
        let best = RowReduce.argmax(row, from: Vocabulary.eos, to: vocabulary)
        return !forbidUnknown && row[Vocabulary.unk] >= row[best] ? Vocabulary.unk : best
    }
}

/// Reductions over a row of V logits, run once per row and step, eight lanes
/// at a time (a single running max or sum must go in order, which blocks SIMD);
/// `naive*` are the obvious references the tests compare them with.
enum RowReduce {
    /// The index of the largest value in row[start..<end], the first one on ties.
    static func argmax(_ row: UnsafePointer<Float>, from start: Int, to end: Int) -> Int {
        precondition(start < end)
        let body = start + (end - start) / 8 * 8
        let raw = UnsafeRawPointer(row)
        var best = SIMD8<Float>(repeating: -.infinity), index = SIMD8<Int32>(repeating: -1)
        var lane = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7) &+ Int32(start)
        var j = start
        while j < body {
            let x = raw.loadUnaligned(fromByteOffset: 4 * j, as: SIMD8<Float>.self)
            let better = x .> best  // strict: each lane keeps its first maximum; NaN never wins
            best.replace(with: x, where: better)
            index.replace(with: lane, where: better)
            lane &+= 8
            j += 8
        }
        var value = -Float.infinity, at = -1
        for k in 0..<8 where index[k] >= 0 && (best[k] > value || (best[k] == value && Int(index[k]) < at)) {
            value = best[k]; at = Int(index[k])
        }
        for j in body..<end where at < 0 || row[j] > value { value = row[j]; at = j }
        return at < 0 ? start : at  // all NaN or −∞: the first
    }

    /// log Σ_v exp(row[v]), computed as SoftmaxCrossEntropy does (max, then a
    /// sum of fastExp), so that decoding's log-probabilities match the loss's NLL.
    /// - Parameter scratch: room for V floats.
    static func logSumExp(_ row: UnsafePointer<Float>, _ V: Int, scratch: UnsafeMutablePointer<Float>) -> Double {
        let (m, sum) = SoftmaxCrossEntropy.expSum(row, classes: V, into: scratch)
        return Double(m + log(sum))
    }

    static func logSumExp(_ row: UnsafePointer<Float>, _ V: Int) -> Double {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: V) { logSumExp(row, V, scratch: $0.baseAddress!) }
    }

    static func naiveArgmax(_ row: UnsafePointer<Float>, from start: Int, to end: Int) -> Int {
        var at = start
        for j in start..<end where row[j] > row[at] { at = j }
        return at
    }

    static func naiveLogSumExp(_ row: UnsafePointer<Float>, _ V: Int) -> Double {
        let m = (0..<V).map { Double(row[$0]) }.max()!
        return m + log((0..<V).reduce(0.0) { $0 + exp(Double(row[$1]) - m) })
    }
}

/// A seed for row `row` of a decoding run: mixed so that neighbouring rows get
/// unrelated generators.
func rowSeed(_ seed: UInt64, _ row: Int) -> UInt64 {
    var mixer = Random(seed: UInt64(truncatingIfNeeded: row))
    return seed ^ mixer.next()
}

/// The best `capacity` (score, hypothesis, word) triples offered, best first;
/// on equal scores the one offered first ranks higher.
struct TopCandidates {
    let capacity: Int
    private var scores: [Double] = [], hypotheses: [Int] = [], words: [Int] = []

    init(capacity: Int) { self.capacity = capacity }

    var count: Int { scores.count }
    subscript(i: Int) -> (Double, Int, Int) { (scores[i], hypotheses[i], words[i]) }

    mutating func removeAll() {
        scores.removeAll(keepingCapacity: true); hypotheses.removeAll(keepingCapacity: true); words.removeAll(keepingCapacity: true)
    }

    @inline(__always) mutating func offer(_ score: Double, hypothesis: Int, word: Int) {
        if scores.count == capacity && !(score > scores[capacity - 1]) { return }
        var i = scores.count
        while i > 0 && score > scores[i - 1] { i -= 1 }
        if scores.count == capacity { scores.removeLast(); hypotheses.removeLast(); words.removeLast() }
        scores.insert(score, at: i); hypotheses.insert(hypothesis, at: i); words.insert(word, at: i)
    }
}

/// Draws a word from a row of logits with temperature, top-k and top-p.
/// Keeps its scratch arrays between draws.
struct Sampler {
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
        // Unnormalised probabilities exp((ℓ − max) / T) of the allowed words.
        candidates.removeAll(keepingCapacity: true)
        weights.removeAll(keepingCapacity: true)
        let invT = 1 / s.temperature
        for v in 0..<V where rules.allowed(v) {
            candidates.append(Int32(v))
            weights.append(VectorMath.fastExp((row[v] - m) * invT))
        }
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

    /// Keeps the k heaviest candidates (ties: the lower word id), heaviest first.
    private mutating func keepTop(_ k: Int) {
        var top = TopCandidates(capacity: k)
        for i in candidates.indices { top.offer(Double(weights[i]), hypothesis: i, word: 0) }
        let chosen = (0..<top.count).map { top[$0].1 }
        candidates = chosen.map { candidates[$0] }
        weights = chosen.map { weights[$0] }
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
                order.sort { weights[$0] != weights[$1] ? weights[$0] > weights[$1] : candidates[$0] < candidates[$1] }
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
