import Foundation

/// Adam (Kingma & Ba), as `torch.optim.Adam` with no weight decay: β1 0.9,
/// β2 0.999, ε 1e-8, bias-corrected moments.
public struct Adam: Equatable {
    public var learningRate: Float
    public var beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8
    /// First and second moments, one per parameter; saved in checkpoints.
    public var m: [Float], v: [Float]
    /// Updates done so far (for bias correction).
    public var steps: Int = 0

    public init(parameterCount: Int, learningRate: Float = 1e-3) {
        self.learningRate = learningRate
        m = [Float](repeating: 0, count: parameterCount)
        v = m
    }

    public mutating func update(_ parameters: inout [Float], gradient: [Float]) {
        steps += 1
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        let stepSize = learningRate / (1 - pow(b1, Float(steps)))
        let correction2 = (1 - pow(b2, Float(steps))).squareRoot()
        // Local pointers: arrays inside a struct in a class pay exclusivity checks per element otherwise.
        m.withUnsafeMutableBufferPointer { m in
            v.withUnsafeMutableBufferPointer { v in
                parameters.withUnsafeMutableBufferPointer { p in
                    gradient.withUnsafeBufferPointer { g in
                        for i in 0..<p.count {
                            m[i] = b1 * m[i] + (1 - b1) * g[i]
                            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                            p[i] -= stepSize * m[i] / (v[i].squareRoot() / correction2 + eps)
                        }
                    }
                }
            }
        }
    }
}

/// Scales the gradient so its global L2 norm is at most `maxNorm`, as
/// `torch.nn.utils.clip_grad_norm_`: multiply by min(1, maxNorm / (‖g‖ + 1e-6)).
/// Returns the norm before clipping.
@discardableResult
public func clipGradientNorm(_ gradient: inout [Float], maxNorm: Float) -> Float {
    let norm: Float = gradient.withUnsafeBufferPointer { g in
        // Eight partial sums so that the loop vectorises.
        var partial = [Double](repeating: 0, count: 8)
        var i = 0
        while i + 8 <= g.count {
            for k in 0..<8 { partial[k] += Double(g[i + k] * g[i + k]) }
            i += 8
        }
        while i < g.count { partial[0] += Double(g[i] * g[i]); i += 1 }
        return Float(partial.reduce(0, +).squareRoot())
    }
    let scale = maxNorm / (norm + 1e-6)
    if scale < 1 {
        gradient.withUnsafeMutableBufferPointer { g in for i in 0..<g.count { g[i] *= scale } }
    }
    return norm
}
