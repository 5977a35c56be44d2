/// The word embedding shared by encoder and decoder: a row lookup, and its
/// gradient, a scatter-add of rows back into the table.
enum Embedding {
    /// out[k, 0..<width] = table[ids[k]] for k in 0..<count; rows of `out` are `stride` apart.
    static func gather(_ table: UnsafePointer<Float>, width: Int, ids: UnsafePointer<Int32>, count: Int,
                       into out: UnsafeMutablePointer<Float>, stride: Int) {
        for k in 0..<count { (out + k * stride).update(from: table + Int(ids[k]) * width, count: width) }
    }

    /// dTable[ids[k]] += dOut[k, 0..<width].
    static func scatterAdd(_ dOut: UnsafePointer<Float>, stride: Int, ids: UnsafePointer<Int32>, count: Int, width: Int,
                           into dTable: UnsafeMutablePointer<Float>) {
        for k in 0..<count {
            let src = dOut + k * stride, dst = dTable + Int(ids[k]) * width
            for j in 0..<width { dst[j] += src[j] }
        }
    }
}

/// y = x Wᵀ + b for row-major x (rows, input), W (output, input), as PyTorch's nn.Linear.
enum Linear {
    static func forward(_ x: UnsafePointer<Float>, rows: Int, input: Int, output: Int,
                        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        for i in 0..<rows { (y + i * output).update(from: bias, count: output) }
        BLAS.gemm(transposeB: true, m: rows, n: output, k: input, x, lda: input, weight, ldb: input, beta: 1, y, ldc: output)
    }

    /// dW += dyᵀ x, db += Σ_rows dy, and dx = dy W (or dx += dy W with `accumulateInput`).
    static func backward(_ x: UnsafePointer<Float>, rows: Int, input: Int, output: Int, weight: UnsafePointer<Float>,
                         dOut dy: UnsafePointer<Float>, dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>,
                         dInput: UnsafeMutablePointer<Float>?, accumulateInput: Bool) {
        BLAS.gemm(transposeA: true, m: output, n: input, k: rows, dy, lda: output, x, ldb: input, beta: 1, dWeight, ldc: input)
        addColumnSums(dy, rows: rows, columns: output, into: dBias)
        if let dInput {
            BLAS.gemm(m: rows, n: input, k: output, dy, lda: output, weight, ldb: input, beta: accumulateInput ? 1 : 0,
                      dInput, ldc: input)
        }
    }
}
