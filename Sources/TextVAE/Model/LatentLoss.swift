/// The KL term of the loss, KL(q(z|x) ‖ N(0, I)), with optional free bits:
/// forward (per-sentence KL and the batch term) and backward (its gradient
/// with respect to μ and log σ²).
struct LatentLoss {
    /// KL of each row, packed row order, (B).
    let perRow: [Float]
    /// (Z): each dimension's KL summed over these rows (this share's part of `BatchSums.latentKL`).
    let dimensionSums: [Float]
    /// The term the loss adds (times β): mean KL, or Σ_j max(λ, mean_batch KL_j) with free bits; set by `settle`.
    private(set) var term: Float = 0
    /// Latent dimensions whose KL gets a gradient (with free bits, those above λ); set by `settle`.
    private(set) var active: [Bool]

    /// Each row's and each dimension's KL, settled as if these rows were the whole batch.
    /// - Parameters: mu, logv: (B, Z).
    static func forward(
        mu: UnsafePointer<Float>, logv: UnsafePointer<Float>, rows B: Int, latent Z: Int, settings: LossSettings
    ) -> LatentLoss {
        let klDims = GaussianLatent.klPerDimension(mu: mu, logv: logv, count: B * Z)  // (B, Z)
        var perRow = [Float](repeating: 0, count: B)
        for row in 0..<B { for j in 0..<Z { perRow[row] += klDims[row * Z + j] } }
        var sums = [Float](repeating: 0, count: Z)
        for j in 0..<Z { for row in 0..<B { sums[j] += klDims[row * Z + j] } }
        var loss = LatentLoss(perRow: perRow, dimensionSums: sums, active: [Bool](repeating: true, count: Z))
        loss.settle(wholeBatch: sums, settings: settings)
        return loss
    }

    /// The term and the active dimensions, given the whole batch's per-dimension sums (these rows' own when the
    /// batch is whole). When the batch is shared between ranks, the term is these rows' share of the whole
    /// batch's, so that the ranks' losses add up to it.
    mutating func settle(wholeBatch sums: [Float], settings: LossSettings) {
        let B = perRow.count, meanOver = Float(settings.meanOver(B))
        guard settings.freeBits > 0 else {
            term = perRow.reduce(0, +) / meanOver
            return
        }
        term = 0
        for j in sums.indices {
            let mean = sums[j] / meanOver
            term += max(settings.freeBits, mean)
            active[j] = mean > settings.freeBits
        }
        if let whole = settings.wholeBatch { term *= Float(B) / Float(whole) }
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
