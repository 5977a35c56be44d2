extension TrainedModel {
    /// The greedy decoding of each row of z (N × Z), as token ids without `<eos>`.
    public func decodeGreedily(_ z: [Float], maxLength: Int? = nil, forbidUnknown: Bool = false) -> [[Int32]] {
        decode(z, options: DecodingOptions(method: .greedy, maxLength: maxLength, forbidUnknown: forbidUnknown))
            .map { $0.first?.tokens ?? [] }
    }
}
