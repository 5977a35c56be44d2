import Foundation

/// The diagonal Gaussian posterior q(z|x) = N(μ, diag σ²), σ² = exp(log σ²).
package enum GaussianLatent {
    /// z = μ + exp(½ log σ²) ⊙ ε (the reparameterisation: z is differentiable in μ and log σ²).
    static func reparameterise(
        mu: UnsafePointer<Float>, logv: UnsafePointer<Float>, eps: UnsafePointer<Float>,
        count: Int, into z: UnsafeMutablePointer<Float>
    ) {
        for k in 0..<count { z[k] = mu[k] + VectorMath.fastExp(0.5 * logv[k]) * eps[k] }
    }

    /// KL(N(μ, σ²) ‖ N(0, 1)) per dimension: ½ (μ² + σ² − log σ² − 1).
    static func klPerDimension(mu: UnsafePointer<Float>, logv: UnsafePointer<Float>, count: Int) -> [Float] {
        (0..<count).map { k in 0.5 * (mu[k] * mu[k] + VectorMath.fastExp(logv[k]) - logv[k] - 1) }
    }

    /// log N(z; μ, σ²) summed over dimensions (the mixture q(z) of the MI estimate).
    package static func logDensity(z: ArraySlice<Float>, mu: ArraySlice<Float>, logv: ArraySlice<Float>) -> Double {
        var s = 0.0
        for (k, (m, lv)) in zip(z.indices, zip(mu, logv)) {
            let d = Double(z[k]) - Double(m)
            s += -0.5 * (log(2 * Double.pi) + Double(lv) + d * d / exp(Double(lv)))
        }
        return s
    }
}
