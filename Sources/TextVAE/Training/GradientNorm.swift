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
    var sums = [Double](repeating: 0, count: GradientBlocks.count(buffer.count))
    sums.withUnsafeMutableBufferPointer { GradientBlocks.sumSquares(buffer, into: $0, threads: threads) }
    return GradientBlocks.norm(sums)
}

/// The norm's blocks: squares summed in blocks of `size` gradients, in Float, and the blocks' sums added in Double,
/// in order. Ranks that each hold a part of the gradient made of whole blocks compute the same block sums as one
/// process would, so gathering them gives every rank the same norm, to the bit.
package enum GradientBlocks {
    package static let size = 4096

    package static func count(_ gradients: Int) -> Int { (gradients + size - 1) / size }

    /// The sum of the squares of each block of `buffer` (a whole number of blocks, but for the last), into `sums`.
    package static func sumSquares(_ buffer: UnsafeBufferPointer<Float>, into sums: UnsafeMutableBufferPointer<Double>, threads: Int) {
        let n = buffer.count, blocks = count(n)
        precondition(sums.count == blocks)
        guard let g = buffer.baseAddress else { return }
        let out = sums.baseAddress!
        Parallel.forEachChunk(of: blocks, parts: blocks > 64 ? threads : 1) { _, share in
            for b in share {
                // 8 lanes, so the loop vectorises.
                var lanes: (Float, Float, Float, Float, Float, Float, Float, Float) = (0, 0, 0, 0, 0, 0, 0, 0)
                var i = b * size
                let end = min(n, i + size)
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

    package static func norm(_ sums: [Double]) -> Float { Float(sums.reduce(0, +).squareRoot()) }
}
