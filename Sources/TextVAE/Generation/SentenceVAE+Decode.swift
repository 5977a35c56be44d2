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
        let cap = options.maxLength ?? config.maxLength
        precondition(cap >= 1, "the length cap must be at least 1 word")
        let rules = TokenRules(vocabulary: config.vocabulary, forbidUnknown: options.forbidUnknown)
        return withTensors { p in
            z.withUnsafeBufferPointer { zp in
                var state = DecoderState(self, p, code: zp.baseAddress!, rows: B, workspace: workspace)
                switch options.method {
                case .greedy:
                    return decodeOneEach(
                        &state, cap: cap, rules: rules, repetition: options.repetition, sampling: nil,
                        rowSeeds: rowSeeds, stop: stop
                    ).map { [$0] }
                case .sample(let s):
                    return decodeOneEach(
                        &state, cap: cap, rules: rules, repetition: options.repetition, sampling: s,
                        rowSeeds: rowSeeds, stop: stop
                    ).map { [$0] }
                case .beam(let width):
                    precondition(width >= 1, "the beam width must be at least 1")
                    return decodeBeam(&state, cap: cap, rules: rules, repetition: options.repetition, width: width, stop: stop)
                }
            }
        }
    }

    /// Greedy or sampled decoding: one running row per z.
    func decodeOneEach(
        _ state: inout DecoderState, cap: Int, rules: TokenRules, repetition: RepetitionRule, sampling: Sampling?,
        rowSeeds: [UInt64], stop: (() -> Bool)? = nil
    ) -> [Hypothesis] {
        let B = state.rows, V = config.vocabulary
        var out = [Hypothesis](repeating: Hypothesis(tokens: [], logProbability: 0, reachedLengthCap: false), count: B)
        var generators = sampling == nil ? [] : rowSeeds.map { Random(seed: $0) }
        var owner = Array(0..<B)  // state row -> output index
        var inputs = [Int32](repeating: Int32(Vocabulary.bos), count: B)
        for t in 0...cap {
            if stop?() == true { break }
            let logits = state.step(inputs)
            let R = state.rows
            var words = [Int](repeating: Vocabulary.eos, count: R), lse = [Double](repeating: 0, count: R)
            // Each row's word and log-normaliser; rows are independent, so both cores take a share.
            words.withUnsafeMutableBufferPointer { words in
                lse.withUnsafeMutableBufferPointer { lse in
                    generators.withUnsafeMutableBufferPointer { generators in
                        // A draw that sorts the vocabulary (top-k above 32, top-p) is worth a thread from 2 rows on.
                        let parts = R >= 16 || (R >= 2 && sampling?.sortsTheVocabulary == true) ? state.ws.threads : 1
                        Parallel.forEach(parts) { part in
                            var sampler = Sampler(vocabulary: sampling == nil ? 0 : V)
                            withUnsafeTemporaryAllocation(of: Float.self, capacity: V) { scratch in
                                for r in stride(from: part, to: R, by: parts) {
                                    let row = logits + r * V
                                    lse[r] = RowReduce.logSumExp(row, V, scratch: scratch.baseAddress!)
                                    if t == cap { continue }  // <eos>
                                    // Words the rule bans get logit −∞ (after the normaliser: probabilities stay the model's).
                                    if !repetition.isOff {
                                        for v in repetition.banned(after: out[owner[r]].tokens) { row[Int(v)] = -.infinity }
                                    }
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
}
