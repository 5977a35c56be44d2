import Foundation

/// How prior samples read, as `textvae evaluate --samples N` reports them: how many fall into loops when the
/// model makes its own choices, how varied they are (distinct-n, Li et al. 2016), and, given a language model
/// trained on the same text, how probable they are beside real sentences under that same model.
package struct SampleQuality: Equatable, Sendable {
    package var samples = 0
    /// The nucleus the samples were drawn from (`textvae sample --top-p`); nil: decoded greedily.
    package var topP: Float?
    /// Samples that are degenerate (`RepetitionRule.isDegenerate`) when the same codes are decoded without
    /// the repetition rule: the model's own choices.
    package var degenerateRaw = 0
    /// The share of the real sentences compared with (`reference`) that the same test calls degenerate: real text
    /// repeats 3-grams too ("N N N" in the Penn Treebank, 7% of its training sentences), so this is the rate a
    /// model that wrote like its corpus would have.
    package var referenceDegenerateShare = 0.0
    /// Distinct n-grams over all n-grams of the samples (with the rule on, as `textvae sample` prints them).
    package var distinct1 = 0.0
    package var distinct2 = 0.0
    /// Mean tokens per sample, `<eos>` not counted.
    package var meanLength = 0.0
    /// Samples with no word at all (`<eos>` first): left out of the perplexity, which scores sentences.
    package var empty = 0
    /// Per-token perplexity (`<eos>` counted) under the language model: of the samples, and of the real
    /// sentences they are compared with. Nil without a language model.
    package var samplePerplexity: Double?
    package var referencePerplexity: Double?

    package init() {}

    package var degenerateRawShare: Double { samples == 0 ? 0 : Double(degenerateRaw) / Double(samples) }

    /// Distinct n-grams over all n-grams in `sentences` (0 when none is n tokens long).
    package static func distinct(_ sentences: [[Int32]], n: Int) -> Double {
        var seen = Set<[Int32]>(), total = 0
        for sentence in sentences where sentence.count >= n {
            for start in 0...(sentence.count - n) {
                seen.insert(Array(sentence[start..<start + n]))
                total += 1
            }
        }
        return total == 0 ? 0 : Double(seen.count) / Double(total)
    }

    /// exp(Σ −log p(x) / Σ (T + 1)) of `sentences` under a language model (no latent: the reconstruction term
    /// at z = μ is the exact −log p(x)).
    package static func perplexity(of sentences: [[Int32]], under languageModel: TrainedModel) -> Double {
        precondition(languageModel.isLanguageModel, "perplexity needs a language model")
        guard !sentences.isEmpty else { return .nan }
        var rng = Random(seed: 0)  // not drawn from: no latent
        let scores = languageModel.model.score(sentences, useMean: true, rng: &rng, workspace: languageModel.workspace)
        return exp(scores.rec.reduce(0.0) { $0 + Double($1) } / Double(max(1, scores.targetTotal)))
    }
}

extension TrainedModel {
    /// Scores the `count` prior samples that `textvae sample -n count --seed seed` prints (greedy with the
    /// repetition rule; a language model, whose greedy decoding is one sentence, draws its words; with `topP`,
    /// `--top-p topP`: each word drawn from the nucleus), and the same codes and row seeds decoded with the rule
    /// off for the degenerate share. With `languageModel`, the samples and `reference` (sentences in this model's
    /// vocabulary) are scored under it; their words are looked up in its vocabulary when it differs from this one.
    package func sampleQuality(
        count: Int, seed: UInt64, languageModel: TrainedModel?, reference: [[Int32]], topP: Float? = nil
    ) -> SampleQuality {
        let (z, rowSeeds) = priorDraws(count: count, seed: seed)
        let classes = self.classes == 0 ? nil : priorClasses(count: count, seed: seed).flatMap(oneHot)
        let method: DecodingMethod = topP.map { .sample(Sampling(topP: $0)) } ?? (isLanguageModel ? .sample(Sampling()) : .greedy)
        func decoded(_ repetition: RepetitionRule) -> [[Int32]] {
            var sentences: [[Int32]] = []
            let rows = SentenceVAE.decodingBatchSize, Z = latent, K = self.classes
            for start in stride(from: 0, to: count, by: rows) {
                let end = min(count, start + rows)
                let batch = decode(
                    Array(z[start * Z..<end * Z]), classes: classes.map { Array($0[start * K..<end * K]) },
                    options: DecodingOptions(method: method, repetition: repetition), rowSeeds: Array(rowSeeds[start..<end]))
                sentences += batch.map { $0[0].tokens }
            }
            return sentences
        }
        let samples = decoded(.standard)
        var quality = SampleQuality()
        quality.samples = count
        quality.topP = topP
        quality.degenerateRaw = decoded(.off).filter(RepetitionRule.isDegenerate).count
        quality.referenceDegenerateShare =
            reference.isEmpty ? 0 : Double(reference.filter(RepetitionRule.isDegenerate).count) / Double(reference.count)
        quality.distinct1 = SampleQuality.distinct(samples, n: 1)
        quality.distinct2 = SampleQuality.distinct(samples, n: 2)
        quality.empty = samples.filter(\.isEmpty).count
        quality.meanLength = Double(samples.reduce(0) { $0 + $1.count }) / Double(max(1, count))
        if let languageModel {
            let inItsWords = { (ids: [[Int32]]) in
                languageModel.vocabulary == self.vocabulary ? ids : ids.map { languageModel.vocabulary.ids(self.vocabulary.words($0)) }
            }
            quality.samplePerplexity = SampleQuality.perplexity(of: inItsWords(samples.filter { !$0.isEmpty }), under: languageModel)
            quality.referencePerplexity = SampleQuality.perplexity(of: inItsWords(reference), under: languageModel)
        }
        return quality
    }
}
