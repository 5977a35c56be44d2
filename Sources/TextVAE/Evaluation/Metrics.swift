import Foundation

/// The estimators behind `EvaluationReport`, as plain functions of the posteriors.
package enum Metrics {
    /// Active units: dimensions j with Var_x(μ_j) > `threshold` (Burda et al. 2016's
    /// 0.01), the sample variance taken with N − 1 as He et al. do.
    /// - Parameter mu: (N, Z) posterior means. With fewer than 2 rows no variance is defined and none is active.
    package static func activeUnits(mu: [Float], latent Z: Int, threshold: Double = 0.01) -> (count: Int, variance: [Double]) {
        let N = Z == 0 ? 0 : mu.count / Z
        guard N >= 2 else { return (0, [Double](repeating: 0, count: Z)) }
        var mean = [Double](repeating: 0, count: Z), variance = mean
        for i in 0..<N { for j in 0..<Z { mean[j] += Double(mu[i * Z + j]) } }
        for j in 0..<Z { mean[j] /= Double(N) }
        for i in 0..<N {
            for j in 0..<Z { let d = Double(mu[i * Z + j]) - mean[j]; variance[j] += d * d }
        }
        for j in 0..<Z { variance[j] /= Double(N - 1) }
        return (variance.filter { $0 > threshold }.count, variance)
    }

    /// He et al. 2019's `calc_mi` for one batch of B sentences, each with its own z_i ~ q(z|x_i):
    ///
    ///     MI = mean_i E_q[log q(z|x_i)] − mean_i log q(z_i),  q(z) ≈ (1/B) Σ_k N(z; μ_k, σ_k²)
    ///
    /// with E_q[log q(z|x)] = −Z/2 log 2π − ½ Σ_j (1 + log σ_j²) in closed form.
    /// It cannot exceed log B: it is an estimate whose ceiling depends on the batch size.
    /// - Parameters: z, mu, logv: (B, Z).
    package static func mutualInformation(z: ArraySlice<Float>, mu: ArraySlice<Float>, logv: ArraySlice<Float>, latent Z: Int) -> Double {
        let B = mu.count / Z
        precondition(B >= 1 && z.count == B * Z && logv.count == B * Z)
        let (z, mu, logv) = (Array(z), Array(mu), Array(logv))
        let log2pi = log(2 * Double.pi)
        var negEntropy = 0.0
        for k in 0..<B * Z { negEntropy += -0.5 * (log2pi + 1 + Double(logv[k])) }
        negEntropy /= Double(B)
        var logQz = 0.0
        var terms = [Double](repeating: 0, count: B)
        for i in 0..<B {
            for k in 0..<B {
                terms[k] = GaussianLatent.logDensity(
                    z: z[i * Z..<(i + 1) * Z], mu: mu[k * Z..<(k + 1) * Z], logv: logv[k * Z..<(k + 1) * Z])
            }
            logQz += logSumExp(terms) - log(Double(B))
        }
        return negEntropy - logQz / Double(B)
    }

    static func logSumExp(_ x: [Double]) -> Double {
        let m = x.max() ?? -.infinity
        guard m.isFinite else { return m }
        return m + log(x.reduce(0) { $0 + exp($1 - m) })
    }
}
