/// An adversarial prior's training state (`train --regulariser adversarial`): the discriminator and its own Adam.
/// Kept in the checkpoint (not in the model file: only training needs it), so that a resumed run goes on as an
/// uninterrupted one.
package struct AdversaryState: Equatable {
    package var discriminator: LatentDiscriminator
    package var adam: Adam

    /// A fresh discriminator for codes of `latent` dimensions, drawn from `seed`.
    package init(latent: Int, seed: UInt64, learningRate: Float) {
        discriminator = LatentDiscriminator(latent: latent, seed: seed)
        adam = Adam(parameterCount: discriminator.parameters.count, learningRate: learningRate)
    }

    package init(discriminator: LatentDiscriminator, adam: Adam) {
        self.discriminator = discriminator
        self.adam = adam
    }

    /// The checkpoint's tensors and metadata key for this state.
    static let parametersTensor = "adversary.parameters", firstMomentTensor = "adversary.adam_m"
    static let secondMomentTensor = "adversary.adam_v", stepsKey = "adversary_adam_steps"
}
