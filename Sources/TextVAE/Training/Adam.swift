import Foundation

/// Adam (Kingma & Ba), as `torch.optim.Adam` with no weight decay: β1 0.9,
/// β2 0.999, ε 1e-8, bias-corrected moments.
package struct Adam: Equatable {
    package var learningRate: Float
    package var beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8
    /// First and second moments, one per parameter; saved in checkpoints.
    package var m: [Float], v: [Float]
    /// Updates done so far (for bias correction).
    package var steps: Int = 0

    package init(parameterCount: Int, learningRate: Float = 1e-3) {
        self.learningRate = learningRate
        m = [Float](repeating: 0, count: parameterCount)
        v = m
    }

    /// One step with `gradient · gradientScale` (the scale is how clipping is applied: folded in here,
    /// it costs no extra pass over millions of gradients). `threads` share the parameters.
    package mutating func update(
        _ parameters: inout [Float], gradient: [Float], gradientScale: Float = 1,
        threads: Int = Workspace.defaultThreads
    ) {
        gradient.withUnsafeBufferPointer { g in
            update(&parameters, range: 0..<parameters.count, gradient: g.baseAddress!, gradientScale: gradientScale, threads: threads)
        }
    }

    /// One step for the parameters in `range` alone (a rank's share; the moments elsewhere are left as they are),
    /// with their gradients `gradient[0..<range.count]`. The same arithmetic as the whole step, element for element.
    package mutating func update(
        _ parameters: inout [Float], range: Range<Int>, gradient: UnsafePointer<Float>, gradientScale: Float,
        threads: Int
    ) {
        precondition(range.lowerBound >= 0 && range.upperBound <= parameters.count)
        steps += 1
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        let stepSize = learningRate / (1 - pow(b1, Float(steps)))
        let correction2 = (1 - pow(b2, Float(steps))).squareRoot()
        // Local pointers: arrays inside a struct in a class pay exclusivity checks per element otherwise.
        m.withUnsafeMutableBufferPointer { m in
            v.withUnsafeMutableBufferPointer { v in
                parameters.withUnsafeMutableBufferPointer { p in
                    // Millions of independent updates: each thread takes a share.
                    let n = range.count, first = range.lowerBound
                    let (m, v, p) = (m.baseAddress! + first, v.baseAddress! + first, p.baseAddress! + first)
                    Parallel.forEachChunk(of: n, parts: n > 1 << 16 ? threads : 1) { _, share in
                        Adam.step(
                            p, gradient, m, v, range: share, gradientScale: gradientScale,
                            beta1: b1, beta2: b2, epsilon: eps, stepSize: stepSize, correction2: correction2)
                    }
                }
            }
        }
    }
}

extension Adam {
    /// The update of parameters `range`, eight at a time. The arrays are four
    /// pointers the compiler cannot prove apart, so a scalar loop stays scalar
    /// (a square root and a division per parameter, one at a time); explicit
    /// SIMD8 runs the same operations in the same order on eight lanes, so the
    /// results are bit-identical to the scalar formula.
    @inline(__always)
    static func step(
        _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
        _ v: UnsafeMutablePointer<Float>, range: Range<Int>, gradientScale: Float, beta1 b1: Float, beta2 b2: Float,
        epsilon eps: Float, stepSize: Float, correction2: Float
    ) {
        typealias F8 = SIMD8<Float>
        let (pr, gr, mr, vr) = (UnsafeMutableRawPointer(p), UnsafeRawPointer(g), UnsafeMutableRawPointer(m), UnsafeMutableRawPointer(v))
        let body = range.lowerBound + (range.count - range.count % 8)
        var i = range.lowerBound
        while i < body {
            let at = 4 * i
            let gi = gr.loadUnaligned(fromByteOffset: at, as: F8.self) * gradientScale
            let mi = b1 * mr.loadUnaligned(fromByteOffset: at, as: F8.self) + (1 - b1) * gi
            let vi = b2 * vr.loadUnaligned(fromByteOffset: at, as: F8.self) + (1 - b2) * gi * gi
            let pi = pr.loadUnaligned(fromByteOffset: at, as: F8.self) - stepSize * mi / (vi.squareRoot() / correction2 + eps)
            mr.storeBytes(of: mi, toByteOffset: at, as: F8.self)
            vr.storeBytes(of: vi, toByteOffset: at, as: F8.self)
            pr.storeBytes(of: pi, toByteOffset: at, as: F8.self)
            i += 8
        }
        for i in body..<range.upperBound {
            let gi = g[i] * gradientScale
            m[i] = b1 * m[i] + (1 - b1) * gi
            v[i] = b2 * v[i] + (1 - b2) * gi * gi
            p[i] -= stepSize * m[i] / (v[i].squareRoot() / correction2 + eps)
        }
    }
}
