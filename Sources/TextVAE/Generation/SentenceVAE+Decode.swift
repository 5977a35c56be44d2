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

    /// Decodes a sentence from each code: z, or [z; c] in a model with classes (see `TrainedModel.codes`).
    ///
    /// Rows go through in batches of `decodingRows(method)` (`decodingBatchSize`, fewer for wide beams). In a batch all rows
    /// advance together, one GRU step at a time; a row leaves the batch when it
    /// emits `<eos>`, and decoding stops when no row is left.
    /// - Parameters:
    ///   - z: (B, Z + K) codes, row-major.
    ///   - seed: for `.sample`; row r draws from its own generator seeded from
    ///     (seed, firstRow + r), so a sentence does not depend on which other
    ///     rows share its batch.
    ///   - firstRow: the index of z's first row in the caller's numbering.
    /// - Returns: per z row, one hypothesis (greedy, sample) or up to `width`
    ///   (beam), best first.
    package func decode(
        _ z: [Float], options: DecodingOptions = DecodingOptions(), seed: UInt64 = 0, firstRow: Int = 0,
        workspace: DecoderWorkspace = DecoderWorkspace()
    ) -> [[Hypothesis]] {
        precondition(config.code > 0, "a model without a latent needs the rowSeeds overload, which says how many rows")
        let B = z.count / config.code
        return decode(z, options: options, rowSeeds: Self.rowSeeds(seed, rows: firstRow..<firstRow + B), workspace: workspace)
    }

    /// The generators' seeds `decode(_:options:seed:firstRow:workspace:)` gives its rows: row r of the caller's
    /// numbering draws from its own generator seeded from (seed, r).
    package static func rowSeeds(_ seed: UInt64, rows: Range<Int>) -> [UInt64] {
        rows.map { Sampler.rowSeed(seed, $0) }
    }

    /// Decodes a sentence from each code (B, Z + K), row r drawing (for `.sample`) from a generator seeded with `rowSeeds[r]`.
    /// Rows that came from different requests can share a call: each keeps the sentence it would get alone.
    /// - Parameter stop: asked before each step; once it says true, decoding ends and the results are partial
    ///   (a row may have no hypothesis). The server stops work whose requests have all given up.
    package func decode(
        _ z: [Float], options: DecodingOptions, rowSeeds: [UInt64],
        workspace: DecoderWorkspace = DecoderWorkspace(), stop: (() -> Bool)? = nil
    ) -> [[Hypothesis]] {
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
