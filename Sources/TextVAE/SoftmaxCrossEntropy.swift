import Foundation

/// Softmax cross-entropy over the vocabulary, and its gradient, in one pass
/// over each row of logits.
///
///     nll_i = logsumexp(ℓ_i) − ℓ_i[target_i]
///     ∂(scale · Σ nll) / ∂ℓ_i = scale · (softmax(ℓ_i) − onehot(target_i))
enum SoftmaxCrossEntropy {
    /// Writes each row's NLL into `nll`; with a `gradientScale`, replaces the
    /// logits by the gradient of `gradientScale · Σ_i nll_i`. Rows are split
    /// between two threads when there are many.
    static func apply(_ logits: UnsafeMutablePointer<Float>, rows: Int, classes: Int,
                      targets: UnsafePointer<Int32>, nll: UnsafeMutablePointer<Float>, gradientScale: Float?) {
        let chunks = rows >= 64 ? 2 : 1
        let perChunk = (rows + chunks - 1) / chunks
        Parallel.forEach(chunks) { chunk in
            for i in chunk * perChunk..<min(rows, (chunk + 1) * perChunk) {
                nll[i] = row(logits + i * classes, classes: classes, target: Int(targets[i]), gradientScale: gradientScale)
            }
        }
    }

    /// One row. Reductions keep 8 partial results so that the loops vectorise
    /// (a single running sum must be added in order, which blocks SIMD).
    @inline(__always)
    static func row(_ l: UnsafeMutablePointer<Float>, classes V: Int, target: Int, gradientScale: Float?) -> Float {
        let lanes = 8, body = V - V % lanes
        var m8 = [Float](repeating: -.infinity, count: lanes)
        var m = -Float.infinity
        m8.withUnsafeMutableBufferPointer { m8 in
            var j = 0
            while j < body {
                for k in 0..<lanes { m8[k] = l[j + k] > m8[k] ? l[j + k] : m8[k] }
                j += lanes
            }
            for k in 0..<lanes { m = m8[k] > m ? m8[k] : m }
        }
        for j in body..<V where l[j] > m { m = l[j] }
        let targetLogit = l[target]
        var s8 = [Float](repeating: 0, count: lanes)
        var sum: Float = 0
        let keep = gradientScale != nil  // the gradient needs exp(ℓ − m): keep it in place
        s8.withUnsafeMutableBufferPointer { s8 in
            var j = 0
            while j < body {
                for k in 0..<lanes {
                    let e = VectorMath.fastExp(l[j + k] - m)
                    if keep { l[j + k] = e }
                    s8[k] += e
                }
                j += lanes
            }
            for k in 0..<lanes { sum += s8[k] }
        }
        for j in body..<V {
            let e = VectorMath.fastExp(l[j] - m)
            if keep { l[j] = e }
            sum += e
        }
        let lse = m + log(sum)
        if let scale = gradientScale {
            let k = scale / sum
            for j in 0..<V { l[j] *= k }
            l[target] -= scale
        }
        return lse - targetLogit
    }

    /// The reference: the same quantities in Double with the library `exp`.
    static func naive(_ logits: UnsafeMutablePointer<Float>, rows: Int, classes: Int,
                      targets: UnsafePointer<Int32>, nll: UnsafeMutablePointer<Float>, gradientScale: Float?) {
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
