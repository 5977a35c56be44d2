import Foundation

/// Per-sentence figures of a model over a set of sentences, as `train`'s
/// validation and `evaluate`'s one-sample pass compute them.
public struct SentenceScores {
    public var rec: [Float] = []
    public var kl: [Float] = []
    public var mu: [Float] = []    // (N, Z)
    public var logv: [Float] = []  // (N, Z)
    public var z: [Float] = []     // (N, Z)
    /// Targets per sentence: T + 1.
    public var targets: [Int] = []

    public var count: Int { rec.count }
    public var meanRec: Double { rec.reduce(0.0) { $0 + Double($1) } / Double(max(1, count)) }
    public var meanKL: Double { kl.reduce(0.0) { $0 + Double($1) } / Double(max(1, count)) }
    public var meanNELBO: Double { meanRec + meanKL }
    public var targetTotal: Int { targets.reduce(0, +) }
    /// exp(Σ (rec + KL) / Σ (T + 1)): the perplexity bound from the −ELBO.
    public var elboPerplexity: Double {
        let total = zip(rec, kl).reduce(0.0) { $0 + Double($1.0) + Double($1.1) }
        return Foundation.exp(total / Double(max(1, targetTotal)))
    }
}

extension SentenceVAE {
    /// Scores sentences in file order, `batchSize` at a time, with one
    /// z ~ q(z|x) per sentence (or z = μ with `useMean`) and no word dropout.
    public func score(_ sentences: [[Int32]], batchSize: Int = 32, useMean: Bool = false, rng: inout Random,
                      workspace: Workspace = Workspace(), progress: ((Int) -> Void)? = nil) -> SentenceScores {
        var s = SentenceScores()
        let Z = config.latent
        for start in stride(from: 0, to: sentences.count, by: max(1, batchSize)) {
            let chunk = Array(sentences[start..<min(sentences.count, start + batchSize)])
            let batch = Batch(chunk)
            var eps = [Float](repeating: 0, count: chunk.count * Z)
            if !useMean { for i in eps.indices { eps[i] = rng.normal() } }
            let r = run(batch, latent: useMean ? .mean : .sample(eps), workspace: workspace)
            s.rec += r.rec; s.kl += r.kl; s.mu += r.mu; s.logv += r.logv; s.z += r.z
            s.targets += chunk.map { $0.count + 1 }
            progress?(s.count)
        }
        return s
    }
}
