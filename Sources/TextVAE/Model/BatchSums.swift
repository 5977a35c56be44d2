/// The numbers of a batch's loss that need the whole batch when ranks each compute a share of it: each latent
/// dimension's KL summed over the sentences (free bits compare its batch mean with λ) and the class KL summed
/// over the unlabelled sentences (the class capacity compares its batch mean with C).
///
/// A training step has four phases: the forward pass returns its own rows' sums, the caller adds them up over
/// the shares (`SentenceVAE.run`'s `reduce`, one call, whose error propagates), the pass settles its loss terms
/// from the totals, and the backward pass follows. A batch that is whole needs no reduction.
package struct BatchSums: Equatable, Sendable {
    /// (Z): Σ over the sentences of KL(q(z_j|x) ‖ N(0, 1)).
    package var latentKL: [Float]
    /// Σ over the unlabelled sentences of KL(q(c|x) ‖ uniform); 0 without classes.
    package var classKL: Float

    package init(latentKL: [Float], classKL: Float) {
        self.latentKL = latentKL
        self.classKL = classKL
    }

    /// Nothing: what a rank without sentences in this batch adds.
    package static func zero(latent: Int) -> BatchSums { BatchSums(latentKL: [Float](repeating: 0, count: latent), classKL: 0) }

    /// The sums as one vector, to add up over ranks in one call: the latent dimensions, then the class KL.
    package var values: [Float] { latentKL + [classKL] }

    /// The inverse of `values`.
    package init(values: [Float]) {
        precondition(!values.isEmpty, "batch sums hold at least the class KL")
        self.init(latentKL: Array(values.dropLast()), classKL: values[values.count - 1])
    }
}
