import Foundation

/// Which class c the decoder gets for each sentence, in a model with classes (K > 0): the sentence's label
/// when it has one, else a choice made from q(c|x). See `ClassLatent` for the maths.
package struct ClassChoice {
    /// How the c of a sentence without a label is chosen.
    package enum Unlabelled {
        /// The Gumbel-softmax relaxation (Jang et al. 2017; Maddison et al. 2017): c = softmax((l + g) / τ),
        /// with l q(c|x)'s logits and g Gumbel noise (B×K, caller's order). Differentiable in l: training.
        case relaxed(gumbel: [Float], temperature: Float)
        /// The Gumbel-max trick: c = one-hot(argmax(l + g)), an exact draw from q(c|x): scoring.
        case drawn(gumbel: [Float])
        /// c = one-hot(argmax q(c|x)).
        case mostLikely
    }

    /// Per sentence (caller's order): its class, or nil when it has no label.
    package var labels: [Int?]
    package var unlabelled: Unlabelled

    package init(labels: [Int?], unlabelled: Unlabelled) {
        self.labels = labels
        self.unlabelled = unlabelled
    }

    /// No labels: every c from q(c|x)'s most likely class.
    package static func mostLikely(count: Int) -> ClassChoice {
        ClassChoice(labels: [Int?](repeating: nil, count: count), unlabelled: .mostLikely)
    }

    /// The most likely class of each row of `probabilities` (rows of K values; empty without classes).
    package static func mostLikely(_ probabilities: [Float], classes K: Int) -> [Int] {
        guard K > 0 else { return [] }
        return stride(from: 0, to: probabilities.count, by: K).map { start in
            (start..<start + K).max { probabilities[$0] < probabilities[$1] }! - start
        }
    }

    /// Standard Gumbel noise, −log(−log u) with u uniform in (0, 1), K values from `rng`.
    package static func gumbel(_ K: Int, _ rng: inout Random) -> [Float] {
        (0..<K).map { _ in
            let u = (Double(rng.next() >> 11) + 0.5) * 0x1p-53  // in (0, 1): both logs are finite
            return Float(-log(-log(u)))
        }
    }
}
