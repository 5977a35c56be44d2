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
    public func priorDraws(count: Int, seed: UInt64) -> (z: [Float], rowSeeds: [UInt64]) {
        var rng = Random(seed: seed)
        let z = (0..<count * latent).map { _ in rng.normal() }
        return (z, SentenceVAE.rowSeeds(seed, rows: 0..<count))
    }
}
