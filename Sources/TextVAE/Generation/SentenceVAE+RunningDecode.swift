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
        let rules = TokenRules(vocabulary: config.vocabulary, forbidUnknown: options.forbidUnknown)
        let V = config.vocabulary, C = config.code
        withTensors { p in
            var state: DecoderState?
            // Per running row, in the state's row order.
            var tags: [Int] = [], tokens: [[Int32]] = [], logProbabilities: [Double] = [], steps: [Int] = []
            var generators: [Random] = [], inputs: [Int32] = []
            func keepRows(_ kept: [Int]) {
                if kept.count == tags.count { return }
                tags = kept.map { tags[$0] }
                tokens = kept.map { tokens[$0] }
                logProbabilities = kept.map { logProbabilities[$0] }
                steps = kept.map { steps[$0] }
                inputs = kept.map { inputs[$0] }
                if sampling != nil { generators = kept.map { generators[$0] } }
                if kept.isEmpty { state = nil } else { state!.keep(kept) }
            }
            while true {
                if let keep {  // asked once per row and step
                    let wanted = tags.map(keep)
                    if wanted.contains(false) { keepRows(tags.indices.filter { wanted[$0] }) }
                }
                let joining = admit(tags.count)
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
                    tags += joining.map(\.tag)
                    tokens += joining.map { _ in [] }
                    logProbabilities += joining.map { _ in 0 }
                    steps += joining.map { _ in 0 }
                    inputs += joining.map { _ in Int32(Vocabulary.bos) }
                    if sampling != nil { generators += joining.map { Random(seed: $0.seed) } }
                }
                guard state != nil, !tags.isEmpty else { return }
                if stop?() == true {
                    for r in tags.indices {
                        finished(tags[r], Hypothesis(tokens: tokens[r], logProbability: logProbabilities[r], reachedLengthCap: false))
                    }
                    return
                }
                let logits = state!.step(inputs)
                let R = tags.count
                var words = [Int](repeating: Vocabulary.eos, count: R), lse = [Double](repeating: 0, count: R)
                // Each row's word and log-normaliser; rows are independent, so both cores take a share.
                words.withUnsafeMutableBufferPointer { words in
                    lse.withUnsafeMutableBufferPointer { lse in
                        generators.withUnsafeMutableBufferPointer { generators in
                            // A draw that sorts the vocabulary (top-k above 32, top-p) is worth a thread from 2 rows on.
                            let parts = R >= 16 || (R >= 2 && sampling?.sortsTheVocabulary == true) ? workspace.threads : 1
                            Parallel.forEach(parts) { part in
                                var sampler = Sampler(vocabulary: sampling == nil ? 0 : V)
                                withUnsafeTemporaryAllocation(of: Float.self, capacity: V) { scratch in
                                    for r in stride(from: part, to: R, by: parts) {
                                        let row = logits + r * V
                                        lse[r] = RowReduce.logSumExp(row, V, scratch: scratch.baseAddress!)
                                        if steps[r] == cap { continue }  // <eos>
                                        // Words the rule bans get logit −∞ (after the normaliser: probabilities stay the model's).
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
                var kept: [Int] = []
                for r in 0..<R {
                    let word = words[r]
                    logProbabilities[r] += Double(logits[r * V + word]) - lse[r]
                    if word == Vocabulary.eos {
                        finished(
                            tags[r], Hypothesis(tokens: tokens[r], logProbability: logProbabilities[r], reachedLengthCap: steps[r] == cap))
                    } else {
                        tokens[r].append(Int32(word))
                        inputs[r] = Int32(word)
                        steps[r] += 1
                        kept.append(r)
                    }
                }
                keepRows(kept)
            }
        }
    }
}
