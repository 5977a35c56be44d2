/// The posterior q(z|x) = N(μ, diag σ²) of each sentence: the encoder alone,
/// without the decoder pass that `run` adds for the loss.
public struct Posteriors: Equatable {
    public var mu: [Float]    // (N, Z)
    public var logv: [Float]  // (N, Z)

    public var count: Int { latent == 0 ? 0 : mu.count / latent }
    public let latent: Int

    public init(latent: Int, mu: [Float] = [], logv: [Float] = []) {
        self.latent = latent
        self.mu = mu
        self.logv = logv
    }

    public func mu(_ i: Int) -> ArraySlice<Float> { mu[i * latent..<(i + 1) * latent] }
    public func logv(_ i: Int) -> ArraySlice<Float> { logv[i * latent..<(i + 1) * latent] }
}

extension SentenceVAE {
    /// μ and log σ² of each sentence, in the caller's order, `batchSize` sentences per encoder pass.
    public func encode(_ sentences: [[Int32]], batchSize: Int = 128, workspace ws: Workspace = Workspace()) -> Posteriors {
        var out = Posteriors(latent: config.latent)
        for start in stride(from: 0, to: sentences.count, by: max(1, batchSize)) {
            let batch = Batch(Array(sentences[start..<min(sentences.count, start + batchSize)]))
            let (mu, logv) = encode(batch, workspace: ws)
            out.mu += mu
            out.logv += logv
        }
        return out
    }

    /// The encoder of `run`: GRU over the embeddings from h0 = 0, then μ and
    /// log σ² from each sentence's last state. Returns (B, Z) each, caller's order.
    public func encode(_ batch: Batch, workspace ws: Workspace) -> (mu: [Float], logv: [Float]) {
        let (E, H, Z, B) = (config.embedding, config.hidden, config.latent, batch.count)
        let enc = batch.encoder
        return parameters.withUnsafeBufferPointer { buffer in
            let p = buffer.baseAddress!
            func at(_ t: ParameterTensor) -> UnsafePointer<Float> { p + layout.offsets[t.rawValue] }
            let gru = GRU(input: E, hidden: H, weightIH: at(.encoderWeightIH), weightHH: at(.encoderWeightHH),
                          biasIH: at(.encoderBiasIH), biasHH: at(.encoderBiasHH))
            let x = ws.encX.reserve(enc.total * E)  // (N_enc, E)
            batch.encoderTokens.withUnsafeBufferPointer { ids in
                Embedding.gather(at(.embedding), width: E, ids: ids.baseAddress!, count: enc.total, into: x, stride: E)
            }
            let cache = ws.cache(ws.encoder, rows: enc.total, batch: B, hidden: H)
            gru.forward(x, h0: nil, enc, cache)
            let hT = ws.hT.reserve(B * H)  // (B, H)
            for (row, k) in enc.lastIndices.enumerated() { (hT + row * H).update(from: cache.out + k * H, count: H) }
            let mu = ws.mu.reserve(B * Z), logv = ws.logv.reserve(B * Z)
            Linear.forward(hT, rows: B, input: H, output: Z, weight: at(.meanWeight), bias: at(.meanBias), into: mu)
            Linear.forward(hT, rows: B, input: H, output: Z, weight: at(.logvWeight), bias: at(.logvBias), into: logv)
            var muOut = [Float](repeating: 0, count: B * Z), logvOut = muOut
            for (row, s) in batch.order.enumerated() {
                for j in 0..<Z { muOut[s * Z + j] = mu[row * Z + j]; logvOut[s * Z + j] = logv[row * Z + j] }
            }
            return (muOut, logvOut)
        }
    }
}
