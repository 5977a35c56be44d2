extension SentenceVAE {
    /// Fills `blanks` in `tokens` as `Imputation` describes.
    /// - Parameters:
    ///   - tokens: the sentence; the ids at blank positions are ignored.
    ///   - blanks: positions to fill, each in `tokens.indices`.
    ///   - candidates: the words a blank may take (never specials).
    ///   - rounds: at most this many passes over the blanks.
    package func impute(
        _ tokens: [Int32], blanks: [Int], candidates: [Int32], rounds: Int = 5, batchSize: Int = 64,
        workspace: Workspace = Workspace()
    ) -> Imputation {
        precondition(!tokens.isEmpty && blanks.allSatisfy { tokens.indices.contains($0) } && !candidates.isEmpty)
        var current = tokens
        for p in blanks { current[p] = Int32(Vocabulary.unk) }
        var history = [current]
        var converged = blanks.isEmpty
        var score = scoreSentences([current], batchSize: 1, workspace: workspace)[0]
        // A blank whose choice was made with the other blanks as they are now
        // cannot change: skip it (with one blank, the first round is the last).
        var settled = Set<Int>()
        for _ in 0..<max(1, rounds) where !converged {
            var changed = false
            for p in blanks where !settled.contains(p) {
                let options = candidates.map { w -> [Int32] in
                    var s = current; s[p] = w; return s
                }
                let scores = scoreSentences(options, batchSize: batchSize, workspace: workspace)
                // Lowest score; ties go to the earlier candidate (the more frequent word).
                var best = 0
                for i in scores.indices where scores[i] < scores[best] { best = i }
                if candidates[best] != current[p] {
                    changed = true
                    settled.removeAll()
                }
                settled.insert(p)
                current[p] = candidates[best]
                score = scores[best]
            }
            history.append(current)
            converged = !changed
        }
        return Imputation(tokens: current, blanks: blanks, score: score, history: history, converged: converged)
    }

    /// rec(x | z = μ) + KL for each sentence, in the caller's order.
    package func scoreSentences(_ sentences: [[Int32]], batchSize: Int = 64, workspace: Workspace = Workspace()) -> [Double] {
        var unused = Random(seed: 0)  // z = μ draws nothing
        let s = score(sentences, batchSize: batchSize, useMean: true, rng: &unused, workspace: workspace)
        return zip(s.rec, s.kl).map { Double($0) + Double($1) }
    }
}
