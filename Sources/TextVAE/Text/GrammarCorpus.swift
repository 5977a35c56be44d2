import Foundation

/// A small probabilistic grammar whose sentences have a known entropy, for
/// tests that must show the model learns: a model's validation −ELBO can
/// approach the true entropy per sentence but not go below it.
///
///     S  → NP VP .
///     NP → DET [ADJ] NOUN              (ADJ with probability ½)
///     VP → VERB NP [PREP NP]           (PP with probability 0.3)
///
/// Words are drawn uniformly from disjoint sets and the PP attaches only to the
/// VP, so every sentence has exactly one derivation and H(S) is the expected
/// −log probability of the derivation, computed exactly below.
package enum GrammarCorpus {
    static let determiners = ["the", "a", "every", "some"]
    static let adjectives = ["small", "red", "old", "happy", "quiet", "strange"]
    static let nouns = ["cat", "dog", "bird", "child", "farmer", "robot", "teacher", "horse"]
    static let verbs = ["sees", "likes", "follows", "feeds", "finds", "paints", "helps", "chases"]
    static let prepositions = ["near", "with", "under", "behind"]
    static let adjectiveProbability = 0.5, prepositionProbability = 0.3

    /// Entropy of the binary choice with probability p, in nats.
    static func binaryEntropy(_ p: Double) -> Double { -(p * log(p) + (1 - p) * log(1 - p)) }

    /// The exact entropy of a sentence, in nats.
    package static var entropyPerSentence: Double {
        let np =
            log(Double(determiners.count)) + binaryEntropy(adjectiveProbability)
            + adjectiveProbability * log(Double(adjectives.count)) + log(Double(nouns.count))
        return np + log(Double(verbs.count)) + np + binaryEntropy(prepositionProbability)
            + prepositionProbability * (log(Double(prepositions.count)) + np)
    }

    /// Mean tokens per sentence (the final "." included, `<eos>` not).
    package static var meanTokensPerSentence: Double {
        let np = 2 + adjectiveProbability
        return np + 1 + np + prepositionProbability * (1 + np) + 1
    }

    package static func sentences(count: Int, seed: UInt64) -> [String] {
        var rng = Random(seed: seed)
        func pick(_ words: [String]) -> String { words[Int(rng.next() % UInt64(words.count))] }
        func nounPhrase() -> [String] {
            var np = [pick(determiners)]
            if rng.uniform() < Float(adjectiveProbability) { np.append(pick(adjectives)) }
            np.append(pick(nouns))
            return np
        }
        return (0..<count).map { _ in
            var s = nounPhrase()
            s.append(pick(verbs))
            s += nounPhrase()
            if rng.uniform() < Float(prepositionProbability) { s.append(pick(prepositions)); s += nounPhrase() }
            s.append(".")
            return s.joined(separator: " ")
        }
    }
}
