/// What keeps the encoder's codes near the prior N(0, I) in training (`train --regulariser`).
package enum LatentRegulariser: String, Codable, CaseIterable, Sendable {
    /// The KL term of the ELBO, β KL(q(z|x) ‖ N(0, I)): Bowman et al.'s.
    case kl
    /// An adversarial prior (`LatentDiscriminator`): β weighs how well the codes pass for the prior's in a
    /// discriminator's eyes, trained beside the model. The posterior stays Gaussian, so every figure `evaluate`
    /// reports (the KL and the importance-sampled NLL among them) is still computed; the KL is no longer what
    /// training holds down.
    case adversarial

    /// The validation figure a run's epochs compete on: −ELBO; for an adversarial prior, which does not train the
    /// KL term, reconstruction (−ELBO would judge its epochs mostly by a figure it never lowers: on PTB it kept
    /// epoch 5 of 8 and stopped the run).
    package func competingFigure(rec: Double, nelbo: Double) -> Double { self == .adversarial ? rec : nelbo }

    /// That figure's name, as the run's notes on the learning rate and early stopping say it.
    package var competingFigureName: String { self == .adversarial ? "validation reconstruction" : "validation −ELBO" }
}
