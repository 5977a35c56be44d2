/// The KL term of the loss, KL(q(z|x) ‖ N(0, I)), with optional free bits:
/// forward (per-sentence KL and the batch term) and backward (its gradient
/// with respect to μ and log σ²).
struct LatentLoss {
    /// KL of each row, packed row order, (B).
    let perRow: [Float]
    /// The term the loss adds (times β): mean KL, or Σ_j max(λ, mean_batch KL_j) with free bits.
    let term: Float
    /// Latent dimensions whose KL gets a gradient (with free bits, those above λ).
    let active: [Bool]

    /// - Parameters: mu, logv: (B, Z).
    static func forward(mu: UnsafePointer<Float>, logv: UnsafePointer<Float>, rows B: Int, latent Z: Int,
                        freeBits: Float) -> LatentLoss {
        let klDims = GaussianLatent.klPerDimension(mu: mu, logv: logv, count: B * Z)  // (B, Z)
        var perRow = [Float](repeating: 0, count: B)
        for row in 0..<B { for j in 0..<Z { perRow[row] += klDims[row * Z + j] } }
        var term = perRow.reduce(0, +) / Float(B)
        var active = [Bool](repeating: true, count: Z)
        if freeBits > 0 {
            term = 0
            for j in 0..<Z {
                var mean: Float = 0
                for row in 0..<B { mean += klDims[row * Z + j] }
                mean /= Float(B)
                term += max(freeBits, mean)
                active[j] = mean > freeBits
            }
        }
        return LatentLoss(perRow: perRow, term: term, active: active)
    }

    /// dμ += (β / B) μ and d log σ² += (β / B) · ½ (σ² − 1), for the active dimensions.
    func backward(mu: UnsafePointer<Float>, logv: UnsafePointer<Float>, rows B: Int, latent Z: Int, beta: Float,
                  dMu: UnsafeMutablePointer<Float>, dLogv: UnsafeMutablePointer<Float>) {
        let scale = beta / Float(B)
        for row in 0..<B {
            for j in 0..<Z where active[j] {
                let k = row * Z + j
                dMu[k] += scale * mu[k]
                dLogv[k] += scale * 0.5 * (VectorMath.fastExp(logv[k]) - 1)
            }
        }
    }
}
