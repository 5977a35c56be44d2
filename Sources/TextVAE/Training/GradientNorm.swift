/// Scales the gradient so its global L2 norm is at most `maxNorm`, as
/// `torch.nn.utils.clip_grad_norm_`. Returns the norm before clipping.
@discardableResult
package func clipGradientNorm(_ gradient: inout [Float], maxNorm: Float, threads: Int = Workspace.defaultThreads) -> Float {
    let norm = gradientNorm(gradient, threads: threads)
    let scale = clipScale(norm: norm, maxNorm: maxNorm)
    if scale < 1 {
        gradient.withUnsafeMutableBufferPointer { g in for i in 0..<g.count { g[i] *= scale } }
    }
    return norm
}

/// What clipping multiplies the gradient by: min(1, maxNorm / (‖g‖ + 1e-6)), as PyTorch.
package func clipScale(norm: Float, maxNorm: Float) -> Float { min(1, maxNorm / (norm + 1e-6)) }

/// The global L2 norm of a gradient, `threads` sharing its blocks.
package func gradientNorm(_ gradient: [Float], threads: Int = Workspace.defaultThreads) -> Float {
    gradient.withUnsafeBufferPointer { gradientNorm($0, threads: threads) }
}

/// The global L2 norm of the gradient in `buffer`.
package func gradientNorm(_ buffer: UnsafeBufferPointer<Float>, threads: Int = Workspace.defaultThreads) -> Float {
    guard let g = buffer.baseAddress else { return 0 }
    let n = buffer.count
    // Blocks of 4096 squares summed in Float (8 lanes, so the loop vectorises), blocks added in Double.
    let blocks = (n + 4095) / 4096
    var sums = [Double](repeating: 0, count: blocks)
    sums.withUnsafeMutableBufferPointer { sums in
        let out = sums.baseAddress!
        Parallel.forEachChunk(of: blocks, parts: blocks > 64 ? threads : 1) { _, share in
            for b in share {
                var lanes: (Float, Float, Float, Float, Float, Float, Float, Float) = (0, 0, 0, 0, 0, 0, 0, 0)
                var i = b * 4096
                let end = min(n, i + 4096)
                while i + 8 <= end {
                    lanes.0 += g[i] * g[i]; lanes.1 += g[i + 1] * g[i + 1]; lanes.2 += g[i + 2] * g[i + 2]; lanes.3 += g[i + 3] * g[i + 3]
                    lanes.4 += g[i + 4] * g[i + 4]; lanes.5 += g[i + 5] * g[i + 5]; lanes.6 += g[i + 6] * g[i + 6];
                    lanes.7 += g[i + 7] * g[i + 7]
                    i += 8
                }
                var s = Double(lanes.0 + lanes.1 + lanes.2 + lanes.3 + lanes.4 + lanes.5 + lanes.6 + lanes.7)
                while i < end { s += Double(g[i] * g[i]); i += 1 }
                out[b] = s
            }
        }
    }
    return Float(sums.reduce(0, +).squareRoot())
}
