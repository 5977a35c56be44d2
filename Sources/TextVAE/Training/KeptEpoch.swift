/// The epoch whose model a run keeps at its output, with the figures that made it so: what the run's
/// last line reports. While β is still rising, each epoch replaces the last (a model of a run cut short
/// during the warm-up is its latest); once β is at its final value, only an epoch with a lower validation
/// −ELBO does (for an adversarial prior, a lower validation reconstruction).
package struct KeptEpoch: Codable, Equatable, Sendable {
    /// The epoch, counted from 1 (an epoch cut short by a time limit counts).
    package var epoch: Int
    package var step: Int
    /// β of the epoch's last update.
    package var beta: Float
    /// Validation KL and −ELBO, nats per sentence.
    package var kl: Double
    package var nelbo: Double
    /// Whether β had reached its final value: the model was chosen as the best of the epochs at that β.
    package var annealed: Bool
    /// Validation reconstruction, nats per sentence (nil in checkpoints of textvae 0.7.0 and before).
    package var rec: Double?

    package init(epoch: Int, step: Int, beta: Float, kl: Double, nelbo: Double, annealed: Bool, rec: Double? = nil) {
        self.epoch = epoch
        self.step = step
        self.beta = beta
        self.kl = kl
        self.nelbo = nelbo
        self.annealed = annealed
        self.rec = rec
    }
}
