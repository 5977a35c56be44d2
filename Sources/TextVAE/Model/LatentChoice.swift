/// Which z the decoder gets.
package enum LatentChoice {
    /// z = μ (deterministic reconstruction).
    case mean
    /// z = μ + σ ⊙ ε with the given ε (B×Z, caller's order).
    case sample([Float])
    /// z given outright (B×Z, caller's order); the encoder still runs for μ and KL.
    case given([Float])

    /// Whether z depends on log σ² (only a sample does).
    var isSample: Bool { if case .sample = self { true } else { false } }
    /// Whether z depends on μ (all but a given z).
    var dependsOnMean: Bool { if case .given = self { false } else { true } }
}
