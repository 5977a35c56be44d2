/// y = x Wᵀ + b for row-major x (rows, input), W (output, input), as PyTorch's nn.Linear.
/// `threads`: how many threads its products may be split over.
enum Linear {
    static func forward(
        _ x: UnsafePointer<Float>, rows: Int, input: Int, output: Int,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, threads: Int
    ) {
        for i in 0..<rows { (y + i * output).update(from: bias, count: output) }
        BLAS.gemm(
            transposeB: true, m: rows, n: output, k: input, x, lda: input, weight, ldb: input, beta: 1, y, ldc: output, threads: threads)
    }

    /// dW += dyᵀ x, db += Σ_rows dy, and dx = dy W (or dx += dy W with `accumulateInput`).
    static func backward(
        _ x: UnsafePointer<Float>, rows: Int, input: Int, output: Int, weight: UnsafePointer<Float>,
        dOut dy: UnsafePointer<Float>, dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>,
        dInput: UnsafeMutablePointer<Float>?, accumulateInput: Bool, threads: Int
    ) {
        BLAS.gemm(
            transposeA: true, m: output, n: input, k: rows, dy, lda: output, x, ldb: input, beta: 1, dWeight, ldc: input, threads: threads)
        addColumnSums(dy, rows: rows, columns: output, into: dBias)
        if let dInput {
            BLAS.gemm(
                m: rows, n: input, k: output, dy, lda: output, weight, ldb: input, beta: accumulateInput ? 1 : 0,
                dInput, ldc: input, threads: threads)
        }
    }
}
