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
    ///
    /// Sentences are encoded in order of length, so each pass holds sentences of
    /// about the same length: its products keep all their rows to the last step
    /// instead of thinning out behind one long sentence.
    public func encode(_ sentences: [[Int32]], batchSize: Int = 256, workspace ws: Workspace = Workspace()) -> Posteriors {
        let Z = config.latent
        var out = Posteriors(latent: Z, mu: [Float](repeating: 0, count: sentences.count * Z),
                             logv: [Float](repeating: 0, count: sentences.count * Z))
        let byLength = sentences.indices.sorted { sentences[$0].count != sentences[$1].count ? sentences[$0].count > sentences[$1].count : $0 < $1 }
        for start in stride(from: 0, to: byLength.count, by: max(1, batchSize)) {
            let members = byLength[start..<min(byLength.count, start + batchSize)]
            let (mu, logv) = encode(Batch(members.map { sentences[$0] }), workspace: ws)
            for (k, s) in members.enumerated() {
                out.mu.replaceSubrange(s * Z..<(s + 1) * Z, with: mu[k * Z..<(k + 1) * Z])
                out.logv.replaceSubrange(s * Z..<(s + 1) * Z, with: logv[k * Z..<(k + 1) * Z])
            }
        }
        return out
    }
}
