import Foundation

/// Per-sentence figures of a model over a set of sentences, as `train`'s
/// validation and `evaluate`'s one-sample pass compute them.
package struct SentenceScores {
    package var rec: [Float] = []
    package var kl: [Float] = []
    package var mu: [Float] = []  // (N, Z)
    package var logv: [Float] = []  // (N, Z)
    package var z: [Float] = []  // (N, Z)
    /// Targets per sentence: T + 1.
    package var targets: [Int] = []
    /// In a model with classes: KL(q(c|x) ‖ uniform) of each sentence scored without its label (0 for the
    /// labelled ones), and q(c|x) (N, K). Empty without classes.
    package var classKL: [Float] = []
    package var classProbabilities: [Float] = []

    package var count: Int { rec.count }
    package var meanRec: Double { rec.reduce(0.0) { $0 + Double($1) } / Double(max(1, count)) }
    package var meanKL: Double { kl.reduce(0.0) { $0 + Double($1) } / Double(max(1, count)) }
    package var meanClassKL: Double { classKL.reduce(0.0) { $0 + Double($1) } / Double(max(1, count)) }
    /// rec + KL of z + KL of c: the negative ELBO.
    package var meanNELBO: Double { meanRec + meanKL + meanClassKL }
    package var targetTotal: Int { targets.reduce(0, +) }
    /// exp(Σ (rec + KL) / Σ (T + 1)): the perplexity bound from the −ELBO.
    package var elboPerplexity: Double {
        Foundation.exp(meanNELBO * Double(count) / Double(max(1, targetTotal)))
    }

    /// The most likely class of each sentence under q(c|x) (empty without classes).
    package var predictedClasses: [Int] { ClassChoice.mostLikely(classProbabilities, classes: classProbabilities.count / max(1, count)) }

    /// The share of labelled sentences whose most likely class is their label (nil: none is labelled).
    package func labelAccuracy(_ labels: [Int?]) -> Double? {
        let predicted = predictedClasses
        let known = labels.indices.filter { labels[$0] != nil }
        guard !known.isEmpty, predicted.count == labels.count else { return nil }
        return Double(known.filter { predicted[$0] == labels[$0] }.count) / Double(known.count)
    }
}
