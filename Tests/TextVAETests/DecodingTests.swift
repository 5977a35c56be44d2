import Foundation
import Testing

@testable import TextVAE

/// Decoders against teacher forcing through `SentenceVAE.run`, the independent
/// reference: every word a decoder picks and every log-probability it reports
/// must agree with what the model computes for that sentence at that z.
@Suite struct DecodingTests {
    /// latent_to_inputs, and the recurrent cell.
    static let variants: [(Bool, RecurrentCell)] = [(false, .gru), (true, .gru), (false, .lstm), (true, .lstm)]

    @Test(arguments: variants)
    func greedyPicksTheMostProbableAllowedWordAtEveryStep(latentToInputs: Bool, cell: RecurrentCell) throws {
        try loadBLAS()
        let model = TinyModel.varied(latentToInputs: latentToInputs, cell: cell)
        let z = TinyModel.prior(6)
        let decoded = model.decode(z)
        #expect(decoded.count == 6 && decoded.allSatisfy { $0.count == 1 })
        var lengths = Set<Int>()
        for (r, hs) in decoded.enumerated() {
            let h = hs[0], zr = z[r * 4..<(r + 1) * 4]
            lengths.insert(h.tokens.count)
            // At the cap (12 words) <eos> is forced, not chosen.
            for t in 0...min(h.tokens.count, 11) {
                let p = model.nextWordProbabilities(after: Array(h.tokens.prefix(t)), z: zr)
                let chosen = t < h.tokens.count ? Int(h.tokens[t]) : Vocabulary.eos
                let allowed = (0..<p.count).filter { $0 != Vocabulary.pad && $0 != Vocabulary.bos }
                let best = allowed.max { p[$0] < p[$1] }!
                #expect(
                    abs(p[chosen] - p[best]) <= 1e-6 * p[best],
                    "row \(r) step \(t): chose \(chosen) (p \(p[chosen])), best \(best) (p \(p[best]))")
            }
            if !h.tokens.isEmpty {
                let reference = model.logProbability(h.tokens, z: zr)
                #expect(abs(h.logProbability - reference) <= 1e-4 * abs(reference), "row \(r): \(h.logProbability) vs −rec \(reference)")
            }
        }
        #expect(lengths.count >= 2, "the tiny model should end sentences at different lengths: \(lengths)")
    }

    @Test func greedyIsDeterministicAndIndependentOfTheBatch() throws {
        try loadBLAS()
        let model = TinyModel.make()
        let z = TinyModel.prior(9)
        let all = model.decode(z)
        #expect(model.decode(z) == all)
        // Rows leave the batch as they end; each row alone must decode the same.
        for r in 0..<9 {
            let alone = model.decode(Array(z[r * 4..<(r + 1) * 4]))[0][0]
            #expect(alone.tokens == all[r][0].tokens, "row \(r)")
            #expect(abs(alone.logProbability - all[r][0].logProbability) <= 1e-5 * abs(alone.logProbability) + 1e-6)
        }
    }

    @Test func samplingIsReproducibleAndPerRow() throws {
        try loadBLAS()
        let model = TinyModel.make(biases: [Vocabulary.eos: -0.5])
        let z = TinyModel.prior(8)
        let options = DecodingOptions(method: .sample(Sampling(temperature: 1.5)))
        let a = model.decode(z, options: options, rowSeeds: SentenceVAE.rowSeeds(42, rows: 0..<8))
        #expect(model.decode(z, options: options, rowSeeds: SentenceVAE.rowSeeds(42, rows: 0..<8)) == a)
        #expect(
            model.decode(z, options: options, rowSeeds: SentenceVAE.rowSeeds(43, rows: 0..<8)) != a,
            "another seed should give other sentences")
        // Row r draws from its own generator: decoding it alone, as row r, gives the same sentence.
        for r in [0, 5] {
            let alone = model.decode(Array(z[r * 4..<(r + 1) * 4]), options: options, rowSeeds: SentenceVAE.rowSeeds(42, rows: r..<r + 1))
            #expect(alone[0][0].tokens == a[r][0].tokens, "row \(r)")
        }
        // The reported log-probability is the model's, untempered.
        for (r, hs) in a.enumerated() where !hs[0].tokens.isEmpty {
            let reference = model.logProbability(hs[0].tokens, z: z[r * 4..<(r + 1) * 4])
            #expect(abs(hs[0].logProbability - reference) <= 1e-4 * abs(reference))
        }
    }

    /// The first word's empirical distribution against p(v | <bos>, z)^(1/T),
    /// renormalised over the allowed words (and over the top k): a chi-square
    /// test at a level that fails by chance about once in 10⁵ runs (the seed is fixed anyway).
    @Test(arguments: [(Float(1), 0), (Float(0.7), 0), (Float(1.3), 4)])
    func samplingDrawsFromTheTemperedDistribution(temperature: Float, topK: Int) throws {
        try loadBLAS()
        let model = TinyModel.make(biases: [Vocabulary.eos: -0.5, Vocabulary.pad: 1, Vocabulary.bos: 1])
        let z1 = Array(TinyModel.prior(1))
        let n = 4000
        let z = Array(repeating: z1, count: n).flatMap { $0 }
        let options = DecodingOptions(method: .sample(Sampling(temperature: temperature, topK: topK)), maxLength: 1)
        var counts = [Int](repeating: 0, count: 12)
        for hs in model.decode(z, options: options, rowSeeds: SentenceVAE.rowSeeds(9, rows: 0..<n)) {
            counts[hs[0].tokens.first.map(Int.init) ?? Vocabulary.eos] += 1
        }
        #expect(counts[Vocabulary.pad] == 0 && counts[Vocabulary.bos] == 0)
        let p = model.nextWordProbabilities(after: [], z: z1[...])
        var allowed = (0..<12).filter { $0 != Vocabulary.pad && $0 != Vocabulary.bos }
        if topK > 0 { allowed = Array(allowed.sorted { p[$0] > p[$1] }.prefix(topK)) }
        let weights = allowed.map { pow(p[$0], 1 / Double(temperature)) }
        let total = weights.reduce(0, +)
        var chi2 = 0.0
        for (v, w) in zip(allowed, weights) {
            let expected = Double(n) * w / total
            chi2 += pow(Double(counts[v]) - expected, 2) / expected
        }
        #expect(counts.enumerated().allSatisfy { allowed.contains($0.offset) || $0.element == 0 }, "only allowed words: \(counts)")
        // 99.999th percentile of chi-square with up to 9 degrees of freedom is about 37.
        #expect(chi2 < 37, "chi-square \(chi2) with \(allowed.count - 1) degrees of freedom; counts \(counts)")
    }

    @Test func topKOneTinyTopPAndColdTemperatureAreGreedy() throws {
        try loadBLAS()
        let model = TinyModel.make()
        let z = TinyModel.prior(6)
        let greedy = model.decode(z).map { $0[0].tokens }
        for s in [Sampling(topK: 1), Sampling(topP: 1e-6), Sampling(temperature: 1e-3)] {
            #expect(
                model.decode(z, options: DecodingOptions(method: .sample(s)), rowSeeds: SentenceVAE.rowSeeds(3, rows: 0..<6)).map {
                    $0[0].tokens
                } == greedy, "\(s)")
        }
    }

    @Test(arguments: variants)
    func beamOfWidthOneIsGreedy(latentToInputs: Bool, cell: RecurrentCell) throws {
        try loadBLAS()
        let model = TinyModel.varied(latentToInputs: latentToInputs, cell: cell)
        let z = TinyModel.prior(8)
        let greedy = model.decode(z)
        let beam = model.decode(z, options: DecodingOptions(method: .beam(width: 1)))
        for r in 0..<8 {
            #expect(beam[r].count == 1)
            #expect(beam[r][0].tokens == greedy[r][0].tokens, "row \(r)")
            #expect(abs(beam[r][0].logProbability - greedy[r][0].logProbability) <= 1e-9 * abs(greedy[r][0].logProbability) + 1e-12)
        }
    }

    @Test(arguments: variants)
    func beamHypothesesAreOrderedAndScoredAsTheModelScoresThem(latentToInputs: Bool, cell: RecurrentCell) throws {
        try loadBLAS()
        let model = TinyModel.varied(latentToInputs: latentToInputs, cell: cell)
        let z = TinyModel.prior(5)
        let W = 4
        let beam = model.decode(z, options: DecodingOptions(method: .beam(width: W)))
        let greedy = model.decode(z)
        var checked = 0
        for (r, hs) in beam.enumerated() {
            #expect(hs.count == W, "row \(r): \(hs.count) hypotheses")
            #expect(Set(hs.map(\.tokens)).count == hs.count, "row \(r): hypotheses repeat")
            for (a, b) in zip(hs, hs.dropFirst()) { #expect(a.logProbability >= b.logProbability, "row \(r) not in order of score") }
            // The best beam is at least as likely as the greedy sentence here (not a law of beam search, but true on
            // this model; the slack is float rounding, since beam rows are batched differently).
            #expect(hs[0].logProbability >= greedy[r][0].logProbability * (1 + 1e-6))
            for h in hs where !h.tokens.isEmpty {
                let reference = model.logProbability(h.tokens, z: z[r * 4..<(r + 1) * 4])
                #expect(
                    abs(h.logProbability - reference) <= 1e-4 * abs(reference),
                    "row \(r) \(h.tokens): \(h.logProbability) vs −rec \(reference)")
                checked += 1
            }
        }
        #expect(checked >= 10)
    }

    /// A model that never wants to stop: every sentence ends at the cap, whose
    /// step emits <eos> (and counts its log-probability) instead of word cap + 1.
    @Test func theLengthCapEndsSentences() throws {
        try loadBLAS()
        let model = TinyModel.make(maxLength: 7, biases: [Vocabulary.eos: -20])
        let z = TinyModel.prior(3)
        for method in [DecodingMethod.greedy, .sample(Sampling()), .beam(width: 3)] {
            for cap in [nil, 1, 4] as [Int?] {
                let decoded = model.decode(z, options: DecodingOptions(method: method, maxLength: cap))
                for (r, hs) in decoded.enumerated() {
                    for h in hs {
                        #expect(h.tokens.count == (cap ?? 7) && h.reachedLengthCap, "\(method) cap \(String(describing: cap)): \(h.tokens)")
                        let reference = model.logProbability(h.tokens, z: z[r * 4..<(r + 1) * 4])
                        #expect(abs(h.logProbability - reference) <= 1e-4 * abs(reference))
                    }
                }
            }
        }
        // Sentences that end by themselves are not marked.
        let free = TinyModel.make().decode(z)
        #expect(free.allSatisfy { $0[0].tokens.count < 12 && !$0[0].reachedLengthCap })
    }

    @Test func padAndBosAreNeverEmittedAndUnknownOnlyWhenAllowed() throws {
        try loadBLAS()
        // <pad> and <bos> are the most probable words by far; <unk> next.
        let model = TinyModel.make(biases: [Vocabulary.pad: 30, Vocabulary.bos: 30, Vocabulary.unk: 5, Vocabulary.eos: -1])
        let z = TinyModel.prior(20)
        let methods = [DecodingMethod.greedy, .sample(Sampling(temperature: 2)), .beam(width: 3)]
        for method in methods {
            let free = model.decode(z, options: DecodingOptions(method: method)).flatMap { $0 }.flatMap(\.tokens)
            #expect(!free.contains(Int32(Vocabulary.pad)) && !free.contains(Int32(Vocabulary.bos)), "\(method)")
            #expect(free.contains(Int32(Vocabulary.unk)), "\(method): <unk> is likely and allowed")
            let strict = model.decode(z, options: DecodingOptions(method: method, forbidUnknown: true)).flatMap { $0 }.flatMap(\.tokens)
            #expect(
                !strict.contains(Int32(Vocabulary.pad)) && !strict.contains(Int32(Vocabulary.bos))
                    && !strict.contains(Int32(Vocabulary.unk)), "\(method) with forbidUnknown")
            #expect(!strict.isEmpty)
        }
    }

    @Test func theRepetitionRuleBansWhatWouldRepeatAndCountsDegenerateSentences() {
        let unk = Int32(Vocabulary.unk)
        let rule = RepetitionRule.standard
        // "a b c a b": c would repeat the 3-gram "a b c".
        #expect(rule.banned(after: [5, 6, 7, 5, 6]) == [7])
        #expect(rule.banned(after: [5, 6, 7, 5, 6, 9, 5, 6]).sorted() == [7, 9])
        #expect(rule.banned(after: [5, 6]).isEmpty && rule.banned(after: []).isEmpty)
        #expect(rule.banned(after: [5, unk, unk]) == [unk] && rule.banned(after: [unk, 5, unk]).isEmpty)
        #expect(RepetitionRule(noRepeatNGram: 1, longestUnknownRun: 0).banned(after: [4, 5]) == [4, 5])
        #expect(RepetitionRule.off.banned(after: [5, 6, 7, 5, 6]).isEmpty)

        #expect(RepetitionRule.isDegenerate([5, 6, 7, 8, 5, 6, 7]))
        #expect(RepetitionRule.isDegenerate([4, unk, unk, unk, 5]))
        #expect(!RepetitionRule.isDegenerate([4, unk, unk, 5, unk, 6]))
        #expect(!RepetitionRule.isDegenerate([5, 6, 7, 5, 6, 8]) && !RepetitionRule.isDegenerate([]))
    }

    /// A model that loops (a strong pull towards two words, <eos> improbable): raw decoding degenerates, decoding
    /// under the rule never does, and the log-probability reported is still the model's own.
    @Test(arguments: [DecodingMethod.greedy, .sample(Sampling(temperature: 0.5)), .beam(width: 3)])
    func decodingUnderTheRuleNeverDegenerates(method: DecodingMethod) throws {
        try loadBLAS()
        let model = TinyModel.make(maxLength: 12, biases: [Vocabulary.eos: -6, Vocabulary.unk: 4, 4: 4])
        let z = TinyModel.prior(40)
        let raw = model.decode(z, options: DecodingOptions(method: method)).map { $0[0].tokens }
        #expect(raw.filter(RepetitionRule.isDegenerate).count > 10, "the raw model loops: \(raw.prefix(3))")
        let ruled = model.decode(z, options: DecodingOptions(method: method, repetition: .standard))
        for (r, hs) in ruled.enumerated() {
            for h in hs {
                #expect(!RepetitionRule.isDegenerate(h.tokens), "\(method): \(h.tokens)")
                let reference = model.logProbability(h.tokens, z: z[r * 4..<(r + 1) * 4])
                #expect(abs(h.logProbability - reference) <= 1e-4 * abs(reference))
            }
        }
    }

    @Test func nucleusKeepsTheSmallestSetReachingP() {
        var sampler = Sampler(vocabulary: 8)
        // Logits whose softmax is 0.5, 0.25, 0.125, ... for ids 4, 5, 6, 7 (and tiny for the rest).
        let logits: [Float] = [-50, -50, -50, -50, log(0.5), log(0.25), log(0.125), log(0.125)]
        let rules = TokenRules(vocabulary: 8, forbidUnknown: false)
        var rng = Random(seed: 1)
        for (p, expected) in [(Float(0.45), Set([4])), (0.6, [4, 5]), (0.74, [4, 5]), (0.8, [4, 5, 6]), (1, [1, 3, 4, 5, 6, 7])] {
            var seen = Set<Int>()
            for _ in 0..<400 {
                seen.insert(logits.withUnsafeBufferPointer { sampler.draw($0.baseAddress!, rules: rules, Sampling(topP: p), &rng) })
            }
            if p < 1 { #expect(seen == expected, "top-p \(p): \(seen.sorted())") } else { #expect(seen.isSubset(of: expected)) }
        }
    }
}

/// The vectorised row reductions against their obvious references.
@Suite struct RowReduceTests {
    @Test(arguments: [1, 5, 8, 13, 64, 1001])
    func argmaxAndLogSumExpMatchTheReferences(count: Int) {
        var rng = Random(seed: UInt64(count))
        var row = randomArray(count, &rng, scale: 20)
        if count > 9 { row[7] = 25; row[count - 2] = 25 }  // a tie: the first wins
        row.withUnsafeBufferPointer { r in
            let p = r.baseAddress!
            for start in [0, min(3, count - 1)] {
                #expect(RowReduce.argmax(p, from: start, to: count) == RowReduce.naiveArgmax(p, from: start, to: count), "start \(start)")
            }
            let fast = RowReduce.logSumExp(p, count), slow = RowReduce.naiveLogSumExp(p, count)
            #expect(abs(fast - slow) <= 1e-5 * max(1, abs(slow)), "\(fast) vs \(slow)")
        }
    }
}
