/// Filling the blanks of a sentence with the model (Bowman et al. 2016, §5:
/// imputing missing words), by scoring.
///
/// Every blank starts as `<unk>`. Then, blank by blank, each candidate word is
/// put in its place and the whole sentence is scored by its −ELBO at z = μ,
///
///     score(x) = rec(x | z = μ(x)) + KL(q(z|x) ‖ p(z)),
///
/// the word with the lowest score is kept, and the next blank is done with
/// that choice fixed. Rounds over all blanks repeat until a round changes
/// nothing or the round limit is reached: coordinate descent on a bound of
/// −log p(x), so from the first round on the score never rises. (It may rise
/// in the first round: `<unk>` is never a candidate, yet it is often the
/// model's likeliest word.) A blank is not tried again until another blank
/// has changed, so one blank takes exactly one pass over the candidates.
///
/// Why scoring rather than decoding: a decoder fills a blank from the words to
/// its left (and z) only, while the score of the whole sentence also weighs
/// the words after the blank, which matter for a blank in the middle of a
/// sentence ("the ___ sat on the mat"). It needs nothing but the model's
/// forward pass, and it is deterministic. The price is one forward pass per
/// candidate per blank per round; `candidates` can be cut to the most
/// frequent words when the vocabulary is large.
public struct Imputation {
    /// The completed sentence (token ids).
    public var tokens: [Int32]
    /// Positions of the blanks in `tokens`.
    public var blanks: [Int]
    /// −ELBO at z = μ of the completed sentence, in nats.
    public var score: Double
    /// The sentence after each round (the first entry: blanks as `<unk>`; the last
    /// round may be one that only confirmed nothing changes).
    public var history: [[Int32]]
    /// True when the last round changed nothing.
    public var converged: Bool
}

extension SentenceVAE {
    /// Fills `blanks` in `tokens` as `Imputation` describes.
    /// - Parameters:
    ///   - tokens: the sentence; the ids at blank positions are ignored.
    ///   - blanks: positions to fill, each in `tokens.indices`.
    ///   - candidates: the words a blank may take (never specials).
    ///   - rounds: at most this many passes over the blanks.
    public func impute(_ tokens: [Int32], blanks: [Int], candidates: [Int32], rounds: Int = 5, batchSize: Int = 64,
                       workspace: Workspace = Workspace()) -> Imputation {
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
                let options = candidates.map { w -> [Int32] in var s = current; s[p] = w; return s }
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
    public func scoreSentences(_ sentences: [[Int32]], batchSize: Int = 64, workspace: Workspace = Workspace()) -> [Double] {
        var unused = Random(seed: 0)  // z = μ draws nothing
        let s = score(sentences, batchSize: batchSize, useMean: true, rng: &unused, workspace: workspace)
        return zip(s.rec, s.kl).map { Double($0) + Double($1) }
    }
}

extension LatentEncoder {
    /// A sentence with blanks: its token ids (`<unk>` at the blanks) and the blanks' positions.
    /// A blank is a token made only of underscores ("___"), written with spaces around it.
    public func template(_ sentence: String) throws -> (tokens: [Int32], blanks: [Int]) {
        let words = try tokenizer.tokenize(sentence)
        guard !words.isEmpty else { throw TextVAEError("the sentence '\(sentence)' has no words; write one such as \"the ___ sat on the mat\"") }
        guard words.count <= model.config.maxLength else {
            throw TextVAEError("the sentence has \(words.count) tokens, more than the model's \(model.config.maxLength); shorten it")
        }
        let blanks = words.indices.filter { i in !words[i].isEmpty && words[i].allSatisfy { $0 == "_" } }
        guard !blanks.isEmpty else {
            throw TextVAEError("the sentence '\(sentence)' has no blank; mark each missing word with ___ between spaces, e.g. \"the ___ sat on the mat\"")
        }
        var ids = vocabulary.ids(words)
        for p in blanks { ids[p] = Int32(Vocabulary.unk) }
        return (ids, blanks)
    }

    /// The `count` most frequent words of the vocabulary (all of them for nil): tokens with
    /// a letter or a digit, since a blank stands for a missing word, not for punctuation.
    public func candidateWords(_ count: Int?) -> [Int32] {
        let words = (Vocabulary.specials.count..<vocabulary.count).filter { id in
            vocabulary.tokens[id].unicodeScalars.contains { $0.properties.isAlphabetic || $0.properties.numericType != nil }
        }
        return words.prefix(count.map { max(1, $0) } ?? words.count).map { Int32($0) }
    }
}
