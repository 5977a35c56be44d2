import Foundation

/// Per-sentence figures of a model over a set of sentences, as `train`'s
/// validation and `evaluate`'s one-sample pass compute them.
public struct SentenceScores {
    public var rec: [Float] = []
    public var kl: [Float] = []
    public var mu: [Float] = []    // (N, Z)
    public var logv: [Float] = []  // (N, Z)
    public var z: [Float] = []     // (N, Z)
    /// Targets per sentence: T + 1.
    public var targets: [Int] = []
    /// In a model with classes: KL(q(c|x) ‖ uniform) of each sentence scored without its label (0 for the
    /// labelled ones), and q(c|x) (N, K). Empty without classes.
    public var classKL: [Float] = []
    public var classProbabilities: [Float] = []

    public var count: Int { rec.count }
    public var meanRec: Double { rec.reduce(0.0) { $0 + Double($1) } / Double(max(1, count)) }
    public var meanKL: Double { kl.reduce(0.0) { $0 + Double($1) } / Double(max(1, count)) }
    public var meanClassKL: Double { classKL.reduce(0.0) { $0 + Double($1) } / Double(max(1, count)) }
    /// rec + KL of z + KL of c: the negative ELBO.
    public var meanNELBO: Double { meanRec + meanKL + meanClassKL }
    public var targetTotal: Int { targets.reduce(0, +) }
    /// exp(Σ (rec + KL) / Σ (T + 1)): the perplexity bound from the −ELBO.
    public var elboPerplexity: Double {
        Foundation.exp(meanNELBO * Double(count) / Double(max(1, targetTotal)))
    }

    /// The most likely class of each sentence under q(c|x) (empty without classes).
    public var predictedClasses: [Int] { ClassChoice.mostLikely(classProbabilities, classes: classProbabilities.count / max(1, count)) }

    /// The share of labelled sentences whose most likely class is their label (nil: none is labelled).
    public func labelAccuracy(_ labels: [Int?]) -> Double? {
        let predicted = predictedClasses
        let known = labels.indices.filter { labels[$0] != nil }
        guard !known.isEmpty, predicted.count == labels.count else { return nil }
        return Double(known.filter { predicted[$0] == labels[$0] }.count) / Double(known.count)
    }
}
