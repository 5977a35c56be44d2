/// What a forward pass computed, per sentence in the caller's order.
package struct BatchResult {
    /// rec(x) = −Σ_t log p(x_t | x_<t, z), summed over the T + 1 targets.
    package var rec: [Float]
    /// KL(q(z|x) ‖ N(0, I)) per sentence.
    package var kl: [Float]
    package var mu: [Float]  // (B, Z)
    package var logv: [Float]  // (B, Z)
    package var z: [Float]  // (B, Z)
    /// In a model with classes: q(c|x) (B, K); per sentence −log q(y|x) for labelled ones and
    /// KL(q(c|x) ‖ uniform) for the others (0 where it does not apply). Empty without classes.
    package var classProbabilities: [Float] = [], labelNLL: [Float] = [], classKL: [Float] = []
    /// The batch loss: mean of rec + β·KL (or the free-bits form), plus the class terms.
    package var loss: Float
    /// Per-target NLL in packed order (for tests and importance sampling).
    var targetNLL: [Float]

    /// Per-target NLL of each sentence (T + 1 values, `<eos>` last), in the caller's order.
    package func targetNLLInCallerOrder(_ batch: Batch) -> [[Float]] {
        var out = [[Float]](repeating: [], count: batch.count)
        for (row, s) in batch.order.enumerated() {
            out[s] = (0..<batch.decoder.lengths[row]).map { targetNLL[batch.decoder.index(step: $0, row: row)] }
        }
        return out
    }
}
