/// The posterior q(z|x) = N(μ, diag σ²) of each sentence of a list: the
/// encoder alone (`encode(_:workspace:)`), without the decoder pass of `run`.
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
}
