import Foundation

extension SentenceVAE {
    /// The most decoder rows (tokens) one batch of `score` holds: their logits take at most 256 MiB, but never
    /// fewer than a batch of sentences of the model's longest length (so that training's validation batches,
    /// cut to that length, are never split).
    func scoreRows(batchSize: Int) -> Int {
        max((256 << 20) / (4 * max(1, config.vocabulary)), batchSize * (config.maxLength + 1))
    }

    /// Scores sentences in file order, `batchSize` at a time (fewer when they are so long that their logits
    /// would pass `scoreRows`), with one z ~ q(z|x) per sentence (or z = μ with `useMean`) and no word dropout.
    /// In a model with classes, a sentence's c is its label in `labels`, else one draw from q(c|x)
    /// (Gumbel-max, drawn after the batch's ε), or with `useMean` its most likely class.
    package func score(
        _ sentences: [[Int32]], labels: [Int?]? = nil, batchSize: Int = 32, useMean: Bool = false, rng: inout Random,
        workspace: Workspace = Workspace(), progress: ((Int) -> Void)? = nil
    ) -> SentenceScores {
        var s = SentenceScores()
        let (Z, K) = (config.latent, config.classes)
        let rowLimit = scoreRows(batchSize: batchSize)
        var start = 0
        while start < sentences.count {
            var end = start, rows = 0
            while end < sentences.count && end - start < max(1, batchSize) && (end == start || rows + sentences[end].count + 1 <= rowLimit)
            {
                rows += sentences[end].count + 1
                end += 1
            }
            let chunk = Array(sentences[start..<end])
            let batch = Batch(chunk)
            var eps = [Float](repeating: 0, count: chunk.count * Z)
            if !useMean { for i in eps.indices { eps[i] = rng.normal() } }
            var classes: ClassChoice?
            if K > 0 {
                let given = labels.map { Array($0[start..<end]) } ?? [Int?](repeating: nil, count: chunk.count)
                classes = ClassChoice(
                    labels: given,
                    unlabelled: useMean
                        ? .mostLikely
                        : .drawn(gumbel: (0..<chunk.count).flatMap { _ in ClassChoice.gumbel(K, &rng) }))
            }
            let r = run(batch, latent: useMean ? .mean : .sample(eps), classes: classes, workspace: workspace)
            s.rec += r.rec; s.kl += r.kl; s.mu += r.mu; s.logv += r.logv; s.z += r.z
            s.classKL += r.classKL; s.classProbabilities += r.classProbabilities
            s.targets += chunk.map { $0.count + 1 }
            progress?(s.count)
            start = end
        }
        return s
    }
}
