extension TrainedModel {
    /// The greedy decoding of each row of z (N × Z), as token ids without `<eos>`.
    public func decodeGreedily(_ z: [Float], classes: [Float]? = nil, maxLength: Int? = nil, forbidUnknown: Bool = false,
                               repetition: RepetitionRule = .off) -> [[Int32]] {
        decode(z, classes: classes, options: DecodingOptions(method: .greedy, maxLength: maxLength, forbidUnknown: forbidUnknown, repetition: repetition))
            .map { $0.first?.tokens ?? [] }
    }

    /// A sentence decoded from each z, row r sampling from a generator seeded with `rowSeeds[r]`
    /// (see `SentenceVAE.decode(_:options:rowSeeds:workspace:)`).
    public func decode(_ z: [Float], classes: [Float]? = nil, options: DecodingOptions, rowSeeds: [UInt64]) -> [[Hypothesis]] {
        model.decode(codes(z, classes: classes), options: options, rowSeeds: rowSeeds, workspace: decoderWorkspace)
    }

    /// What `textvae sample` decodes for `count` sentences and `seed`: codes z ~ N(0, I) (count × Z, drawn in
    /// order from one generator seeded with `seed`) and the seed of each row's word-sampling generator.
    /// In a model with classes, each row's c: one-hot of `fixedClass`, or of a class drawn uniformly (after all of z,
    /// from the same generator).
    public func priorDraws(count: Int, seed: UInt64, fixedClass: Int? = nil) -> (z: [Float], classes: [Float]?, rowSeeds: [UInt64]) {
        var rng = Random(seed: seed)
        let z = (0..<count * latent).map { _ in rng.normal() }
        var classes: [Float]?
        if self.classes > 0 {
            classes = (0..<count).flatMap { _ in oneHot(fixedClass ?? Int(rng.next() % UInt64(self.classes))) }
        }
        return (z, classes, SentenceVAE.rowSeeds(seed, rows: 0..<count))
    }
}
