/// The loss's knobs for one step.
public struct LossSettings {
    /// Weight of the KL term.
    public var beta: Float = 1
    /// Free bits λ per latent dimension (0 = off): KL → Σ_j max(λ, mean_batch KL_j).
    public var freeBits: Float = 0

    public init(beta: Float = 1, freeBits: Float = 0) {
        self.beta = beta
        self.freeBits = freeBits
    }
}
