internal import CBLAS

/// Matrix products through OpenBLAS, with the kernel chosen for this CPU.
///
/// The library is loaded on first use (see the CBLAS shim for why it is not
/// linked). `naiveGemm` is the slow, obvious reference the tests compare against.
package enum BLAS {
    private static let loadError: String? = {
        var message = [CChar](repeating: 0, count: 512)
        let status = tvblas_load(1, &message, Int32(message.count))
        return status == 0 ? nil : String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    /// Loads OpenBLAS if needed; throws with an installation hint if it is missing.
    package static func load() throws {
        if let loadError { throw TextVAEError.system(loadError) }
    }

    /// "OpenBLAS kernel Cooperlake (OPENBLAS_CORETYPE=Cooperlake), large products split over 2 threads": for --verbose.
    package static func description(threads: Int) -> String {
        if let loadError { return "not loaded: \(loadError)" }
        let core = String(cString: tvblas_core())
        let requested = String(cString: tvblas_coretype_requested())
        return "OpenBLAS kernel \(core)" + (requested.isEmpty ? "" : " (OPENBLAS_CORETYPE=\(requested))")
            + (threads == 1 ? ", products on 1 thread" : ", large products split over \(threads) threads")
    }

    /// Row-major C (m×n) = alpha · op(A) · op(B) + beta · C, op(A) m×k, op(B) k×n.
    /// - Parameter threads: how many threads a large product may be split over
    ///   (1 when the caller already runs on one of several threads).
    @inline(__always)
    static func gemm(
        transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, _ c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int
    ) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            // An empty sum (a model with no latent, Z = 0): C = beta · C. BLAS would refuse lda = 0.
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        precondition(loadError == nil, "BLAS used before BLAS.load() succeeded")
        if ProductLog.enabled { ProductLog.record(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB) }
        if m == 1 && k > 0 {
            // One row (decoding a single sentence): cᵀ = op(B)ᵀ aᵀ as a matrix-vector product. sgemm would
            // first pack all of B (10 MB for an output layer) and cost several times more.
            if beta == 0 { c.update(repeating: 0, count: n) }  // y is read even when beta = 0: no stale NaN
            tvblas_sgemv(
                transposeB ? 0 : 1, Int32(transposeB ? n : k), Int32(transposeB ? k : n), alpha, b, Int32(ldb),
                a, Int32(transposeA ? lda : 1), beta, c, 1)
            return
        }
        // OpenBLAS runs single-threaded; textvae splits large products itself. OpenBLAS's own
        // threads spin between calls, wake up for every small per-step product and collapse
        // when the other core is busy (measured: 1.8x slower training under load).
        let parts = 2 * m * n * k > 4_000_000 ? max(1, threads) : 1
        if parts <= 1 {
            tvblas_sgemm(
                transposeA ? 1 : 0, transposeB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda),
                b, Int32(ldb), beta, c, Int32(ldc))
            return
        }
        // Split the larger side of C; each part is an independent single-threaded product.
        Parallel.forEach(parts) { part in
            if m >= n {
                let rows = Parallel.chunk(part, of: m, parts: parts), lo = rows.lowerBound
                tvblas_sgemm(
                    transposeA ? 1 : 0, transposeB ? 1 : 0, Int32(rows.count), Int32(n), Int32(k), alpha,
                    transposeA ? a + lo : a + lo * lda, Int32(lda), b, Int32(ldb), beta, c + lo * ldc, Int32(ldc))
            } else {
                // Column shares start on multiples of 16, the kernel's panel width.
                let share = Parallel.chunk(part, of: n, parts: parts)
                let lo = share.lowerBound & ~15, hi = part == parts - 1 ? n : share.upperBound & ~15
                tvblas_sgemm(
                    transposeA ? 1 : 0, transposeB ? 1 : 0, Int32(m), Int32(hi - lo), Int32(k), alpha,
                    a, Int32(lda), transposeB ? b + lo * ldb : b + lo, Int32(ldb), beta, c + lo, Int32(ldc))
            }
        }
    }

    /// The reference for `gemm`: three loops, accumulating in Double.
    static func naiveGemm(
        transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, _ c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let x = transposeA ? a[p * lda + i] : a[i * lda + p]
                    let y = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += Double(x) * Double(y)
                }
                c[i * ldc + j] = alpha * Float(sum) + (beta == 0 ? 0 : beta * c[i * ldc + j])
            }
        }
    }
}
