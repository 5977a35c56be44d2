/// The loss's knobs for one step.
package struct LossSettings {
    /// Weight of the KL term.
    package var beta: Float = 1
    /// Free bits λ per latent dimension (0 = off): KL → Σ_j max(λ, mean_batch KL_j).
    package var freeBits: Float = 0
    /// When this batch is one rank's share of a larger one (data-parallel training), the larger batch:
    /// the loss and its gradient are means over all of its sentences, so that the ranks' gradients add up
    /// to the whole batch's. nil: the batch is whole.
    package var sharedBatch: SharedBatch?
    /// Models with classes (see `ClassLatent`): α, the weight of −log q(y|x) for labelled sentences;
    /// γ, the weight of the class KL of unlabelled ones; C, its capacity in nats (0: the plain KL term).
    package var labelWeight: Float = 1, classWeight: Float = 1, classCapacity: Float = 0

    package init(
        beta: Float = 1, freeBits: Float = 0, sharedBatch: SharedBatch? = nil, labelWeight: Float = 1,
        classWeight: Float = 1, classCapacity: Float = 0
    ) {
        self.beta = beta
        self.freeBits = freeBits
        self.sharedBatch = sharedBatch
        self.labelWeight = labelWeight
        self.classWeight = classWeight
        self.classCapacity = classCapacity
    }
}

/// A batch split between ranks: how many sentences it has in all, and how to sum a few numbers over the
/// ranks (free bits compare each latent dimension's KL, averaged over the whole batch, with λ).
package struct SharedBatch {
    package var sentences: Int
    package var sum: ([Float]) -> [Float]

    package init(sentences: Int, sum: @escaping ([Float]) -> [Float]) {
        self.sentences = sentences
        self.sum = sum
    }
}

extension LossSettings {
    /// The number of sentences the loss is a mean over.
    func meanOver(_ batch: Int) -> Int { sharedBatch?.sentences ?? batch }
}
