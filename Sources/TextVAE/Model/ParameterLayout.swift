/// Where each tensor lives in the flat parameter block. With tied embeddings the output layer's weights take no
/// room of their own: they are the embedding's (same offset), so every product that reads W_o reads the
/// embedding, and every gradient added to W_o's (always added, never overwritten) lands on the embedding's.
package struct ParameterLayout: Equatable, Sendable {
    package let config: ModelConfig
    package let offsets: [Int]
    package let counts: [Int]
    package let total: Int

    package init(_ config: ModelConfig) {
        self.config = config
        var offsets: [Int] = [], counts: [Int] = [], total = 0
        for t in ParameterTensor.allCases {
            if t == .outputWeight && config.tiedEmbeddings {
                offsets.append(offsets[ParameterTensor.embedding.rawValue]); counts.append(0)
                continue
            }
            let n = t.shape(config).reduce(1, *)
            offsets.append(total); counts.append(n); total += n
        }
        self.offsets = offsets
        self.counts = counts
        self.total = total
    }

    package func range(_ t: ParameterTensor) -> Range<Int> { offsets[t.rawValue]..<offsets[t.rawValue] + counts[t.rawValue] }

    /// PyTorch's default initialisation: embeddings N(0, 1), every other tensor U(±1/√fan_in).
    package func initialParameters(seed: UInt64) -> [Float] {
        var rng = Random(seed: seed)
        var p = [Float](repeating: 0, count: total)
        for t in ParameterTensor.allCases {
            let bound = t.initBound(config)
            for i in range(t) { p[i] = bound.map { (2 * rng.uniform() - 1) * $0 } ?? rng.normal() }
        }
        return p
    }
}
