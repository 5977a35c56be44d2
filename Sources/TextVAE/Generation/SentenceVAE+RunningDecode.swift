extension SentenceVAE {
    /// Greedy or sampled decoding in which rows join and leave between steps (iteration-level batching, as Orca
    /// and vLLM schedule a transformer's decoding): before each step `admit` is asked for rows to add (told how
    /// many run), a row leaves as soon as its sentence ends and goes to `finished`, and a row whose tag `keep`
    /// no longer wants is dropped. Decoding ends when no row runs and `admit` gives none, or when `stop` says so
    /// (then each running row goes to `finished` as far as it got).
    ///
    /// Every row draws from its own generator and no row's state depends on another's, so a row gets the
    /// sentence `decode` gives it alone; its log-probability agrees up to float rounding (a product over other
    /// rows may sum in another order). `decode` itself runs greedy and sampled decoding through here.
    package func decodeRunning(
        options: DecodingOptions, workspace: DecoderWorkspace, stop: (() -> Bool)? = nil,
        admit: (_ running: Int) -> [DecodingRow], keep: ((_ tag: Int) -> Bool)? = nil,
        finished: (_ tag: Int, _ sentence: Hypothesis) -> Void
    ) {
        let sampling: Sampling?
        switch options.method {
        case .greedy: sampling = nil
        case .sample(let s): sampling = s
        case .beam: preconditionFailure("a beam search keeps its rows together: use decode")
        }
        let cap = options.maxLength ?? config.maxLength
        precondition(cap >= 1, "the length cap must be at least 1 word")
        let V = config.vocabulary, C = config.code
        withTensors { p in
            var state: DecoderState?
            var rows = RunningRows(sampling: sampling != nil)
            func keepRows(_ kept: [Int]) {
                if kept.count == rows.count { return }
                rows.keep(kept)
                if kept.isEmpty { state = nil } else { state!.keep(kept) }
            }
            while true {
                if let keep {  // asked once per row and step
                    let wanted = rows.tags.map(keep)
                    if wanted.contains(false) { keepRows(wanted.indices.filter { wanted[$0] }) }
                }
                let joining = admit(rows.count)
                if !joining.isEmpty {
                    precondition(joining.allSatisfy { $0.code.count == C }, "each row's code must have Z + K values")
                    // One spare value, so that a model without a latent (empty codes) still has memory to point at.
                    let codes = joining.flatMap(\.code) + [0]
                    codes.withUnsafeBufferPointer { c in
                        if state == nil {
                            state = DecoderState(self, p, code: c.baseAddress!, rows: joining.count, workspace: workspace)
                        } else {
                            state!.append(codes: c.baseAddress!, rows: joining.count)
                        }
                    }
                    rows.append(joining)
                }
                guard state != nil, rows.count > 0 else { return }
                if stop?() == true {
                    for r in 0..<rows.count { finished(rows.tags[r], rows.hypothesis(r, reachedLengthCap: false)) }
                    return
                }
                let logits = state!.step(rows.inputs)
                let (words, lse) = chooseWords(logits, &rows, cap: cap, options: options, sampling: sampling, threads: workspace.threads)
                var kept: [Int] = []
                for r in 0..<rows.count {
                    let atCap = rows.steps[r] == cap
                    if rows.emit(r, word: words[r], logProbability: Double(logits[r * V + words[r]]) - lse[r]) {
                        finished(rows.tags[r], rows.hypothesis(r, reachedLengthCap: atCap))
                    } else {
                        kept.append(r)
                    }
                }
                keepRows(kept)
            }
        }
    }

    /// Each running row's next word (`<eos>` at the length cap) and log-normaliser, from the step's logits
    /// (rows × V; banned words are set to −∞ in place, after the normaliser, so probabilities stay the model's).
    /// Rows are independent, so both cores take a share.
    private func chooseWords(
        _ logits: UnsafeMutablePointer<Float>, _ rows: inout RunningRows, cap: Int, options: DecodingOptions,
        sampling: Sampling?, threads: Int
    ) -> (words: [Int], lse: [Double]) {
        let R = rows.count, V = config.vocabulary
        let rules = TokenRules(vocabulary: V, forbidUnknown: options.forbidUnknown)
        var words = [Int](repeating: Vocabulary.eos, count: R), lse = [Double](repeating: 0, count: R)
        let (steps, tokens) = (rows.steps, rows.tokens)
        words.withUnsafeMutableBufferPointer { words in
            lse.withUnsafeMutableBufferPointer { lse in
                rows.generators.withUnsafeMutableBufferPointer { generators in
                    // A draw that sorts the vocabulary (top-k above 32, top-p) is worth a thread from 2 rows on.
                    let parts = R >= 16 || (R >= 2 && sampling?.sortsTheVocabulary == true) ? threads : 1
                    Parallel.forEach(parts) { part in
                        var sampler = Sampler(vocabulary: sampling == nil ? 0 : V)
                        withUnsafeTemporaryAllocation(of: Float.self, capacity: V) { scratch in
                            for r in stride(from: part, to: R, by: parts) {
                                let row = logits + r * V
                                lse[r] = RowReduce.logSumExp(row, V, scratch: scratch.baseAddress!)
                                if steps[r] == cap { continue }  // <eos>
                                if !options.repetition.isOff {
                                    for v in options.repetition.banned(after: tokens[r]) { row[Int(v)] = -.infinity }
                                }
                                if let sampling {
                                    words[r] = sampler.draw(row, rules: rules, sampling, &generators[r])
                                } else {
                                    words[r] = rules.argmax(row)
                                }
                            }
                        }
                    }
                }
            }
        }
        return (words, lse)
    }
}
