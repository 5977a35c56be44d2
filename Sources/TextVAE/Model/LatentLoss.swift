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
    /// - Parameter shared: the whole batch when these rows are one rank's share of it: the term is the
    ///   rows' part of the whole batch's mean, and free bits compare whole-batch means with λ.
    static func forward(
        mu: UnsafePointer<Float>, logv: UnsafePointer<Float>, rows B: Int, latent Z: Int,
        freeBits: Float, shared: SharedBatch? = nil
    ) -> LatentLoss {
        let klDims = GaussianLatent.klPerDimension(mu: mu, logv: logv, count: B * Z)  // (B, Z)
        var perRow = [Float](repeating: 0, count: B)
        for row in 0..<B { for j in 0..<Z { perRow[row] += klDims[row * Z + j] } }
        let meanOver = Float(shared?.sentences ?? B)
        var term = perRow.reduce(0, +) / meanOver
        var active = [Bool](repeating: true, count: Z)
        if freeBits > 0 {
            var sums = [Float](repeating: 0, count: Z)
            for j in 0..<Z { for row in 0..<B { sums[j] += klDims[row * Z + j] } }
            if let shared { sums = shared.sum(sums) }
            term = 0
            for j in 0..<Z {
                let mean = sums[j] / meanOver
                term += max(freeBits, mean)
                active[j] = mean > freeBits
            }
            // Each rank's loss is its share of the whole batch's, so that the ranks' losses add up to it.
            if let shared { term *= Float(B) / Float(shared.sentences) }
        }
        return LatentLoss(perRow: perRow, term: term, active: active)
    }

    /// dμ += (β / n) μ and d log σ² += (β / n) · ½ (σ² − 1), for the active dimensions; n = `meanOver`.
    /// - Parameter meanOver: the sentences of the whole batch (B, unless the batch is shared between ranks).
    func backward(
        mu: UnsafePointer<Float>, logv: UnsafePointer<Float>, rows B: Int, latent Z: Int, beta: Float, meanOver: Int,
        dMu: UnsafeMutablePointer<Float>, dLogv: UnsafeMutablePointer<Float>
    ) {
        let scale = beta / Float(meanOver)
        for row in 0..<B {
            for j in 0..<Z where active[j] {
                let k = row * Z + j
                dMu[k] += scale * mu[k]
                dLogv[k] += scale * 0.5 * (VectorMath.fastExp(logv[k]) - 1)
            }
        }
    }
}
