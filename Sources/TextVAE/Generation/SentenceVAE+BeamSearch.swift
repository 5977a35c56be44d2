extension SentenceVAE {
    /// Beam search. Per z, each step ranks the extensions of its live
    /// hypotheses by total log-probability and walks the best 2W: an `<eos>`
    /// among the first W finishes a hypothesis, and the first W others stay
    /// live (so the beam stays full even when some finish). A z is done once
    /// W hypotheses have finished (Hugging Face's `early_stopping=True`), or at
    /// the length cap, where the live ones are ended with `<eos>`. With W = 1
    /// this is exactly greedy decoding. The repetition rule bans words per hypothesis, by its own history.
    func decodeBeam(
        _ state: inout DecoderState, cap: Int, rules: TokenRules, repetition: RepetitionRule, width W: Int,
        stop: (() -> Bool)? = nil
    ) -> [[Hypothesis]] {
        let B = state.rows, V = config.vocabulary
        struct Live { var tokens: [Int32]; var score: Double; var row: Int }
        var live = (0..<B).map { [Live(tokens: [], score: 0, row: $0)] }
        var finished = [[Hypothesis]](repeating: [], count: B)
        var inputs = [Int32](repeating: Int32(Vocabulary.bos), count: B)
        var top = TopCandidates(capacity: 2 * W)
        for t in 0...cap {
            if stop?() == true { break }
            let logits = state.step(inputs)
            var lse = [Double](repeating: 0, count: state.rows)
            withUnsafeTemporaryAllocation(of: Float.self, capacity: V) { scratch in
                for r in 0..<state.rows { lse[r] = RowReduce.logSumExp(logits + r * V, V, scratch: scratch.baseAddress!) }
            }
            var parents: [Int] = []
            inputs.removeAll(keepingCapacity: true)
            for b in 0..<B where !live[b].isEmpty {
                if t == cap {
                    for h in live[b] {
                        let score = h.score + Double(logits[h.row * V + Vocabulary.eos]) - lse[h.row]
                        finished[b].append(Hypothesis(tokens: h.tokens, logProbability: score, reachedLengthCap: true))
                    }
                    live[b] = []
                    continue
                }
                top.removeAll()
                for (k, h) in live[b].enumerated() {
                    let row = logits + h.row * V
                    if !repetition.isOff { for v in repetition.banned(after: h.tokens) { row[Int(v)] = -.infinity } }
                    for v in 0..<V where rules.allowed(v) && row[v] > -.infinity {
                        top.offer(h.score + (Double(row[v]) - lse[h.row]), hypothesis: k, word: v)
                    }
                }
                var next: [Live] = []
                for i in 0..<top.count {
                    let (score, k, v) = top[i]
                    if v == Vocabulary.eos {
                        if i < W {
                            finished[b].append(Hypothesis(tokens: live[b][k].tokens, logProbability: score, reachedLengthCap: false))
                        }
                    } else if next.count < W {
                        next.append(Live(tokens: live[b][k].tokens + [Int32(v)], score: score, row: parents.count))
                        parents.append(live[b][k].row)
                        inputs.append(Int32(v))
                    }
                    if next.count == W && i >= W - 1 { break }
                }
                if finished[b].count >= W {
                    // Done: drop its rows from the next step.
                    parents.removeLast(next.count)
                    inputs.removeLast(next.count)
                    next = []
                }
                live[b] = next
            }
            if parents.isEmpty { break }
            state.keep(parents)
        }
        return finished.map { hs in
            Array(
                hs.enumerated().sorted {
                    $0.element.logProbability != $1.element.logProbability
                        ? $0.element.logProbability > $1.element.logProbability : $0.offset < $1.offset
                }.prefix(W).map(\.element))
        }
    }
}
