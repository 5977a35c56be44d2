import Foundation

/// The metrics of <doc:EvaluationMetrics>, as `textvae evaluate` prints them. All per-sentence
/// figures are means over the file's sentences.
package struct EvaluationReport: Sendable {
    package var sentences = 0
    /// Σ (T + 1): targets, `<eos>` included.
    package var tokens = 0
    /// Importance samples per sentence (k).
    package var samples = 0
    /// Reconstruction term at one z ~ q(z|x) per sentence.
    package var rec = 0.0
    package var kl = 0.0
    /// In a model with classes: KL(q(c|x) ‖ uniform), c drawn from q(c|x) in the one-sample pass (0 without classes).
    package var classKL = 0.0
    /// In a model with classes, given labels: the share of the `labelled` sentences whose most likely class
    /// under q(c|x) is their label.
    package var labelAccuracy: Double?
    package var labelled = 0
    /// rec + kl (+ the class KL): the negative ELBO.
    package var nelbo: Double { rec + kl + classKL }
    /// Importance-sampled −log p(x) with k samples.
    package var nll = 0.0
    /// Monte-Carlo standard error of `nll` (delta method, from the weights' spread).
    package var nllStandardError = 0.0
    /// exp(Σ nll / Σ (T + 1)).
    package var ppl = 0.0
    /// Words the sentences spell (equal to `tokens` minus <eos> targets for a word model; fewer than the
    /// pieces for a subword model) and the perplexity per word, exp(Σ nll / Σ (words + 1)), which compares
    /// word and subword models.
    package var words = 0
    package var wordPPL = 0.0
    /// He et al. 2019's estimate of I(x; z), batches of `miBatch` sentences in file order.
    package var mi = 0.0
    package var miBatch = 32
    /// Latent dimensions whose posterior mean varies over the file (variance > 0.01).
    package var au = 0
    /// Per dimension, the sample variance (N − 1) of μ_j over the file: what `au` counts.
    package var muVariance: [Double] = []
    /// Per sentence, in file order.
    package var sentenceNLL: [Double] = []

    package init() {}

    /// Sets `words` and `wordPPL` from each sentence's word count.
    package mutating func countWords(_ perSentence: [Int]) {
        precondition(perSentence.count == sentenceNLL.count)
        words = perSentence.reduce(0, +)
        wordPPL = exp(sentenceNLL.reduce(0, +) / Double(words + perSentence.count))
    }
}
