import Foundation

/// Principal component analysis of N points in D dimensions, computed here:
/// the sample covariance (N − 1), then its eigen-decomposition by the cyclic
/// Jacobi method, which is exact to rounding for the small symmetric matrices
/// of a latent space (D = Z, tens to hundreds) and needs no library.
///
///     C = (X − x̄)ᵀ (X − x̄) / (N − 1),   C v_k = λ_k v_k,   λ_1 ≥ λ_2 ≥ …
///
/// Sign convention: each axis v_k is flipped so that its largest-magnitude
/// entry (the first one, on ties) is positive, so the same data always gives
/// the same picture, not a mirrored one.
package struct PCA {
    /// x̄ (D).
    package let mean: [Double]
    /// v_1 … v_D, unit length, by decreasing variance (D × D, row k is v_k).
    package let axes: [[Double]]
    /// λ_1 ≥ … ≥ λ_D: the variance of the data along each axis.
    package let variances: [Double]

    package var dimension: Int { mean.count }
    /// Σ λ_k = trace(C).
    package var totalVariance: Double { variances.reduce(0, +) }
    /// λ_k / Σ λ: the share of the total variance each axis explains (0 when the data has none).
    package var explainedShare: [Double] {
        let total = totalVariance
        return variances.map { total > 0 ? $0 / total : 0 }
    }

    /// - Parameters:
    ///   - points: N × D, row-major.
    ///   - dimension: D.
    package init(points: [Float], dimension D: Int) {
        precondition(D > 0 && points.count % D == 0, "points must be N × D")
        let N = points.count / D
        var mean = [Double](repeating: 0, count: D)
        for i in 0..<N { for j in 0..<D { mean[j] += Double(points[i * D + j]) } }
        if N > 0 { for j in 0..<D { mean[j] /= Double(N) } }
        var covariance = [Double](repeating: 0, count: D * D)  // (D, D)
        var centred = [Double](repeating: 0, count: D)
        for i in 0..<N {
            for j in 0..<D { centred[j] = Double(points[i * D + j]) - mean[j] }
            for a in 0..<D { for b in a..<D { covariance[a * D + b] += centred[a] * centred[b] } }
        }
        let denominator = Double(max(1, N - 1))
        for a in 0..<D {
            for b in a..<D {
                covariance[a * D + b] /= denominator
                covariance[b * D + a] = covariance[a * D + b]
            }
        }
        let (values, vectors) = PCA.symmetricEigen(covariance, dimension: D)
        let order = (0..<D).sorted { values[$0] != values[$1] ? values[$0] > values[$1] : $0 < $1 }
        self.mean = mean
        variances = order.map { max(0, values[$0]) }  // rounding can leave −1e-17 for a null direction
        axes = order.map { k in PCA.signFixed((0..<D).map { vectors[$0 * D + k] }) }
    }

    /// Coordinates of the points on the first `count` axes: N × count, row-major.
    package func project(_ points: [Float], count: Int = 2) -> [Double] {
        let D = dimension
        precondition(points.count % D == 0 && count <= D)
        let N = points.count / D
        var out = [Double](repeating: 0, count: N * count)
        for i in 0..<N {
            for k in 0..<count {
                var s = 0.0
                for j in 0..<D { s += (Double(points[i * D + j]) - mean[j]) * axes[k][j] }
                out[i * count + k] = s
            }
        }
        return out
    }

    static func signFixed(_ v: [Double]) -> [Double] {
        guard let largest = v.indices.max(by: { abs(v[$0]) < abs(v[$1]) || (abs(v[$0]) == abs(v[$1]) && $0 > $1) }) else { return v }
        return v[largest] < 0 ? v.map { -$0 } : v
    }

    /// Eigenvalues and eigenvectors (columns of the D × D result) of a symmetric
    /// matrix by cyclic Jacobi rotations: sweep over the off-diagonal entries,
    /// zeroing each with one rotation, until they are negligible next to the
    /// diagonal. Converges quadratically; a few sweeps suffice.
    ///
    /// - Parameters:
    ///   - matrix: D × D, symmetric, row-major.
    /// - Returns: eigenvalues in no particular order, and V (D, D) with A V = V diag(λ).
    static func symmetricEigen(_ matrix: [Double], dimension D: Int) -> (values: [Double], vectors: [Double]) {
        var a = matrix
        var v = [Double](repeating: 0, count: D * D)
        for i in 0..<D { v[i * D + i] = 1 }
        let scale = max(Double.leastNormalMagnitude, a.reduce(0) { $0 + $1 * $1 })
        for _ in 0..<100 {
            var off = 0.0
            for p in 0..<D { for q in (p + 1)..<max(p + 1, D) { off += a[p * D + q] * a[p * D + q] } }
            if off <= 1e-30 * scale { break }
            for p in 0..<D {
                for q in (p + 1)..<max(p + 1, D) {
                    let apq = a[p * D + q]
                    if apq == 0 { continue }
                    // The rotation angle θ with tan 2θ = 2 a_pq / (a_qq − a_pp), taking the smaller root for stability.
                    let theta = (a[q * D + q] - a[p * D + p]) / (2 * apq)
                    let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<D {  // A ← A J (columns p, q)
                        let akp = a[k * D + p], akq = a[k * D + q]
                        a[k * D + p] = c * akp - s * akq
                        a[k * D + q] = s * akp + c * akq
                    }
                    for k in 0..<D {  // A ← Jᵀ A (rows p, q)
                        let apk = a[p * D + k], aqk = a[q * D + k]
                        a[p * D + k] = c * apk - s * aqk
                        a[q * D + k] = s * apk + c * aqk
                    }
                    a[p * D + q] = 0; a[q * D + p] = 0
                    for k in 0..<D {  // V ← V J
                        let vkp = v[k * D + p], vkq = v[k * D + q]
                        v[k * D + p] = c * vkp - s * vkq
                        v[k * D + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        return ((0..<D).map { a[$0 * D + $0] }, v)
    }
}
