/// The loss's knobs for one step.
package struct LossSettings {
    /// Weight of the KL term.
    package var beta: Float = 1
    /// Free bits λ per latent dimension (0 = off): KL → Σ_j max(λ, mean_batch KL_j).
    package var freeBits: Float = 0
    /// When this batch is one rank's share of a larger one (data-parallel training), the number of sentences
    /// in the larger one: the loss and its gradient are means over all of them, so that the ranks' gradients
    /// add up to the whole batch's. nil: the batch is whole.
    package var wholeBatch: Int?
    /// Models with classes (see `ClassLatent`): α, the weight of −log q(y|x) for labelled sentences;
    /// γ, the weight of the class KL of unlabelled ones; C, its capacity in nats (0: the plain KL term).
    package var labelWeight: Float = 1, classWeight: Float = 1, classCapacity: Float = 0
    /// An adversarial prior in place of the KL term (`LatentDiscriminator`): β then weighs −log σ(D(z)), the KL is
    /// still computed (and reported) but adds nothing to the loss, and free bits do not apply. nil: the KL term.
    package var adversary: LatentDiscriminator?

    package init(
        beta: Float = 1, freeBits: Float = 0, wholeBatch: Int? = nil, labelWeight: Float = 1,
        classWeight: Float = 1, classCapacity: Float = 0
    ) {
        self.beta = beta
        self.freeBits = freeBits
        self.wholeBatch = wholeBatch
        self.labelWeight = labelWeight
        self.classWeight = classWeight
        self.classCapacity = classCapacity
    }
}

extension LossSettings {
    /// The number of sentences the loss is a mean over.
    func meanOver(_ batch: Int) -> Int { wholeBatch ?? batch }

    /// Whether a share of a batch must learn the whole batch's `BatchSums` before its loss is known: free bits
    /// or a class capacity on a batch split between ranks.
    package func needsWholeBatchSums(classes: Int) -> Bool {
        wholeBatch != nil && (freeBits > 0 || (classes > 0 && classCapacity > 0))
    }
}
