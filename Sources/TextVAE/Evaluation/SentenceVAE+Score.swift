import Foundation

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
