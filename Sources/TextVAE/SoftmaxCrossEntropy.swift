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

    @inline(__always)
    static func row(_ l: UnsafeMutablePointer<Float>, classes V: Int, target: Int, gradientScale: Float?) -> Float {
        var m = -Float.infinity
        for j in 0..<V { m = max(m, l[j]) }
        let targetLogit = l[target]
        var sum: Float = 0
        if gradientScale != nil {
            // Keep exp(ℓ − m) in place: the gradient needs it.
            for j in 0..<V { let e = VectorMath.fastExp(l[j] - m); l[j] = e; sum += e }
        } else {
            for j in 0..<V { sum += VectorMath.fastExp(l[j] - m) }
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
