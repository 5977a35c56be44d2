import Foundation

/// Softmax cross-entropy over the vocabulary, and its gradient, in one pass
/// over each row of logits.
///
///     nll_i = logsumexp(ℓ_i) − ℓ_i[target_i]
///     ∂(scale · Σ nll) / ∂ℓ_i = scale · (softmax(ℓ_i) − onehot(target_i))
enum SoftmaxCrossEntropy {
    /// Writes each row's NLL into `nll`; with a `gradientScale`, replaces the
    /// logits by the gradient of `gradientScale · Σ_i nll_i` (without, the logits
    /// are overwritten with scratch). Rows are split between `threads` when
    /// there are many (each row is computed alone, so the split changes nothing).
    static func apply(
        _ logits: UnsafeMutablePointer<Float>, rows: Int, classes: Int,
        targets: UnsafePointer<Int32>, nll: UnsafeMutablePointer<Float>, gradientScale: Float?, threads: Int
    ) {
        Parallel.forEachChunk(of: rows, parts: rows >= 64 ? threads : 1) { _, share in
            for i in share {
                nll[i] = row(logits + i * classes, classes: classes, target: Int(targets[i]), gradientScale: gradientScale)
            }
        }
    }

    /// One row: exp(ℓ − m) overwrites the row in place (the gradient needs it;
    /// without a gradient the row is scratch), then the gradient is scaled in place.
    @inline(__always)
    static func row(_ l: UnsafeMutablePointer<Float>, classes V: Int, target: Int, gradientScale: Float?) -> Float {
        let targetLogit = l[target]
        let (m, sum) = expSum(l, classes: V, into: l)
        if let scale = gradientScale {
            let k = scale / sum
            for j in 0..<V { l[j] *= k }
            l[target] -= scale
        }
        return m + log(sum) - targetLogit
    }

    /// The row's maximum m and Σ exp(ℓ − m), with exp(ℓ − m) written to `e`
    /// (which may be the row itself), in vectorised passes: the maximum and the
    /// sum read eight lanes at a time (one running total must be added in order,
    /// which blocks SIMD). Decoding's log-probabilities use this too, so they
    /// match the loss's NLL to the last bit.
    @inline(__always)
    static func expSum(_ l: UnsafePointer<Float>, classes V: Int, into e: UnsafeMutablePointer<Float>) -> (max: Float, sum: Float) {
        if VectorKernels.avx2 { return VectorKernels.expSumAVX2(l, count: V, into: e) }
        return expSumSwift(l, classes: V, into: e)
    }

    /// `expSum` in Swift: the fallback, and the reference for the AVX2 kernel.
    static func expSumSwift(_ l: UnsafePointer<Float>, classes V: Int, into e: UnsafeMutablePointer<Float>) -> (max: Float, sum: Float) {
        let body = V - V % 8
        let raw = UnsafeRawPointer(l)
        var m8 = SIMD8<Float>(repeating: -.infinity)
        for j in stride(from: 0, to: body, by: 8) {
            let x = raw.loadUnaligned(fromByteOffset: 4 * j, as: SIMD8<Float>.self)
            m8.replace(with: x, where: x .> m8)  // pointwiseMax is a generic call here, this is one instruction
        }
        var m = m8.max()
        for j in body..<V where l[j] > m { m = l[j] }
        for j in 0..<V { e[j] = VectorMath.fastExp(l[j] - m) }
        let rawE = UnsafeRawPointer(e)
        var s8 = SIMD8<Float>(repeating: 0)
        for j in stride(from: 0, to: body, by: 8) { s8 += rawE.loadUnaligned(fromByteOffset: 4 * j, as: SIMD8<Float>.self) }
        var sum = s8.sum()
        for j in body..<V { sum += e[j] }
        return (m, sum)
    }

    /// The reference: the same quantities in Double with the library `exp`.
    static func naive(
        _ logits: UnsafeMutablePointer<Float>, rows: Int, classes: Int,
        targets: UnsafePointer<Int32>, nll: UnsafeMutablePointer<Float>, gradientScale: Float?
    ) {
        for i in 0..<rows {
            let l = logits + i * classes
            let m = (0..<classes).map { Double(l[$0]) }.max()!
            let sum = (0..<classes).reduce(0.0) { $0 + exp(Double(l[$1]) - m) }
            let lse = m + log(sum)
            nll[i] = Float(lse - Double(l[Int(targets[i])]))
            if let scale = gradientScale {
                for j in 0..<classes { l[j] = Float(Double(scale) * exp(Double(l[j]) - lse)) }
                l[Int(targets[i])] -= scale
            }
        }
    }
}
