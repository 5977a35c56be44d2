import Foundation

extension SentenceVAE {
    /// How many z `decode` runs together. Larger batches make larger, faster
    /// products; the gain stops near 250 (greedy, PTB model, 1,000 sentences:
    /// 100 → 5,000 sentences/s, 250 → 5,900, 500 → 5,700, 1,000 → 5,500), and
    /// smaller ones let output stream sooner (`textvae sample` writes each batch).
    package static let decodingBatchSize = 250

    /// How many z one decoding pass takes: `decodingBatchSize`, or for a beam of width W, as many z
    /// as make about that many rows (at least one z): the logits of a pass are rows × V floats,
    /// and 250 z × a beam of 256 would be 64,000 rows, 5 GB at V = 20,000.
    package static func decodingRows(_ method: DecodingMethod) -> Int {
        if case .beam(let width) = method { return max(1, decodingBatchSize / max(1, width)) }
        return decodingBatchSize
    }

    /// The generators' seeds for rows `rows` of the caller's numbering: row r draws from its own generator seeded
    /// from (seed, r), so a sentence does not depend on which other rows share its batch.
    package static func rowSeeds(_ seed: UInt64, rows: Range<Int>) -> [UInt64] {
        rows.map { Sampler.rowSeed(seed, $0) }
    }

    /// Decodes a sentence from each code: z, or [z; c] in a model with classes (see `TrainedModel.codes`).
    ///
    /// Rows go through in batches of `decodingRows(method)` (`decodingBatchSize`, fewer for wide beams); greedy and
    /// sampled rows advance together, one GRU step at a time, and leave the batch as they emit `<eos>`
    /// (`decodeRunning`). Rows that came from different requests can share a call: each keeps the sentence it
    /// would get alone.
    /// - Parameters:
    ///   - z: (B, Z + K) codes, row-major.
    ///   - rowSeeds: for `.sample`, row r draws from a generator seeded with `rowSeeds[r]` (see `rowSeeds(_:rows:)`);
    ///     nil: `rowSeeds(0, rows: 0..<B)`. A model without a latent (empty codes) needs them, to count its rows.
    ///   - stop: asked before each step; once it says true, decoding ends and the results are partial (a row may
    ///     have no hypothesis). The server stops work whose requests have all given up.
    /// - Returns: per z row, one hypothesis (greedy, sample) or up to `width` (beam), best first.
    package func decode(
        _ z: [Float], options: DecodingOptions = DecodingOptions(), rowSeeds: [UInt64]? = nil,
        workspace: DecoderWorkspace = DecoderWorkspace(), stop: (() -> Bool)? = nil
    ) -> [[Hypothesis]] {
        precondition(rowSeeds != nil || config.code > 0, "a model without a latent needs rowSeeds, which say how many rows")
        let rowSeeds = rowSeeds ?? Self.rowSeeds(0, rows: 0..<z.count / max(1, config.code))
        // B from the seeds: a model without a latent (Z + K = 0) has empty codes.
        let Z = config.code, B = rowSeeds.count
        precondition(z.count == B * Z, "codes must be (B, Z + K), with one seed per row")
        if B == 0 { return [] }
        let perCall = Self.decodingRows(options.method)
        if B > perCall {
            return stride(from: 0, to: B, by: perCall).flatMap { start in
                let end = min(B, start + perCall)
                if stop?() == true { return [[Hypothesis]](repeating: [], count: end - start) }
                return decode(
                    Array(z[start * Z..<end * Z]), options: options, rowSeeds: Array(rowSeeds[start..<end]),
                    workspace: workspace, stop: stop)
            }
        }
        if case .beam(let width) = options.method {
            let cap = options.maxLength ?? config.maxLength
            precondition(cap >= 1, "the length cap must be at least 1 word")
            precondition(width >= 1, "the beam width must be at least 1")
            let rules = TokenRules(vocabulary: config.vocabulary, forbidUnknown: options.forbidUnknown)
            return withTensors { p in
                z.withUnsafeBufferPointer { zp in
                    var state = DecoderState(self, p, code: zp.baseAddress!, rows: B, workspace: workspace)
                    return decodeBeam(&state, cap: cap, rules: rules, repetition: options.repetition, width: width, stop: stop)
                }
            }
        }
        // Greedy and sampled: every row joins at the first step and leaves when its sentence ends.
        var out = [Hypothesis](repeating: Hypothesis(tokens: [], logProbability: 0, reachedLengthCap: false), count: B)
        var joined = false
        decodeRunning(
            options: options, workspace: workspace, stop: stop,
            admit: { _ in
                if joined { return [] }
                joined = true
                return (0..<B).map { DecodingRow(code: Array(z[$0 * Z..<($0 + 1) * Z]), seed: rowSeeds[$0], tag: $0) }
            },
            finished: { out[$0] = $1 })
        return out.map { [$0] }
    }
}
