extension TrainedModel {
    /// The greedy decoding of each row of z (N × Z), as token ids without `<eos>`.
    package func decodeGreedily(
        _ z: [Float], classes: [Float]? = nil, maxLength: Int? = nil, forbidUnknown: Bool = false,
        repetition: RepetitionRule = .off
    ) -> [[Int32]] {
        decode(
            z, classes: classes,
            options: DecodingOptions(method: .greedy, maxLength: maxLength, forbidUnknown: forbidUnknown, repetition: repetition)
        )
        .map { $0.first?.tokens ?? [] }
    }

    /// Greedy or sampled decoding in which rows join and leave between steps, on this model's decoder
    /// workspace (see `SentenceVAE.decodeRunning`; rows' codes come from `codes`).
    package func decodeRunning(
        options: DecodingOptions, admit: (_ running: Int) -> [DecodingRow], keep: ((_ tag: Int) -> Bool)? = nil,
        finished: (_ tag: Int, _ sentence: Hypothesis) -> Void
    ) {
        model.decodeRunning(options: options, workspace: decoderWorkspace, admit: admit, keep: keep, finished: finished)
    }

    /// What `textvae sample` decodes for `count` sentences and `seed`: codes z ~ N(0, I) (count × Z, drawn in
    /// order from one generator seeded with `seed`) and the seed of each row's word-sampling generator.
    package func priorDraws(count: Int, seed: UInt64) -> (z: [Float], rowSeeds: [UInt64]) {
        var rng = Random(seed: seed)
        let z = (0..<count * latent).map { _ in rng.normal() }
        return (z, SentenceVAE.rowSeeds(seed, rows: 0..<count))
    }

    /// The class of each of `count` prior samples in a model with classes: `fixed` for all, or each drawn
    /// uniformly from a generator of its own (seeded from `seed`), so that the codes z are the same with and
    /// without classes. Empty for a model without classes.
    package func priorClasses(count: Int, seed: UInt64, fixed: Int? = nil) -> [Int] {
        guard classes > 0 else { return [] }
        var rng = Random(seed: seed ^ 0xC1A5_5E5)
        return (0..<count).map { _ in fixed ?? Int(rng.next() % UInt64(classes)) }
    }

    /// The two ends of a homotopy between sentences: each one's posterior mean (with `refine` > 0, refined where
    /// that gives more of the sentence back under `options`: `refinedCodes`, with `fixedClass` or each end's class)
    /// and, in a model with classes, its most likely class (0 without classes), and the sentences' tokens. Throws
    /// when a sentence has no words to encode.
    package func interpolationEnds(
        _ a: String, _ b: String, refine: Int = 0, options: DecodingOptions = DecodingOptions(), fixedClass: Int? = nil
    ) throws -> (ends: [(z: [Float], c: Int)], tokens: [[Int32]], warnings: [String]) {
        let sentences = [a, b]
        let input = try self.input(lines: sentences, name: "the sentences")
        for (i, s) in sentences.enumerated() where !input.sentences.contains(where: { $0.line == i + 1 }) {
            throw TextVAEError.invalidInput("sentence \(i + 1) (\"\(s)\") has no words to encode; give two non-empty sentences")
        }
        let posteriors = encode(input.ids)
        let classes = self.classes == 0 ? [0, 0] : posteriors.mostLikelyClasses
        let z = refinedCodes(
            input.ids, from: posteriors.mu, classes: self.classes == 0 ? nil : classes.map { fixedClass ?? $0 }, steps: refine,
            options: options)
        return (
            [(Array(z[..<latent]), classes[0]), (Array(z[latent...]), classes[1])], input.ids,
            input.warnings.map { $0.replacingOccurrences(of: "line", with: "sentence") }
        )
    }

    /// The codes of a homotopy at each t of `ts`: z on the line (or, `spherical`, the great circle) between the
    /// two ends, and in a model with classes c moving in a straight line between their one-hot vectors (both
    /// `fixedClass` when given); nil classes for a model without.
    package func homotopy(
        _ a: (z: [Float], c: Int), _ b: (z: [Float], c: Int), at ts: [Double], spherical: Bool = false,
        fixedClass: Int? = nil
    ) -> (z: [Float], classes: [Float]?) {
        let z = ts.flatMap { spherical ? Interpolation.spherical(a.z, b.z, $0) : Interpolation.linear(a.z, b.z, $0) }
        guard classes > 0 else { return (z, nil) }
        let (ca, cb) = (oneHot(fixedClass ?? a.c), oneHot(fixedClass ?? b.c))
        return (z, ts.flatMap { Interpolation.linear(ca, cb, $0) })
    }

    /// Gives back the workspaces' buffers larger than `bytes`, so that one large request does not keep a long
    /// process at its size; returns the bytes given back.
    @discardableResult
    package func releaseBuffers(over bytes: Int) -> Int {
        workspace.release(over: bytes) + decoderWorkspace.release(over: bytes)
    }
}
