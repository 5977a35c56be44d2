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

    public var count: Int { rec.count }
    public var meanRec: Double { rec.reduce(0.0) { $0 + Double($1) } / Double(max(1, count)) }
    public var meanKL: Double { kl.reduce(0.0) { $0 + Double($1) } / Double(max(1, count)) }
    public var meanNELBO: Double { meanRec + meanKL }
    public var targetTotal: Int { targets.reduce(0, +) }
    /// exp(Σ (rec + KL) / Σ (T + 1)): the perplexity bound from the −ELBO.
    public var elboPerplexity: Double {
        let total = zip(rec, kl).reduce(0.0) { $0 + Double($1.0) + Double($1.1) }
        return Foundation.exp(total / Double(max(1, targetTotal)))
    }
}
