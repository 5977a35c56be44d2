internal import CKernels
import Foundation

/// Whether the AVX2 and FMA versions of the hottest element-wise loops run
/// (Sources/CKernels): the softmax's exp-and-sum and the GRU's gates.
///
/// Swift compiles for the x86-64 baseline, four SSE lanes without FMA; on a CPU
/// with AVX2 these C functions do the same work eight lanes at a time. They run
/// when the CPU has both features, unless `TEXTVAE_KERNELS=swift` is set (for
/// comparisons, or if one is ever suspected of a fault). The Swift loops are the
/// fallback and the references the tests compare the C kernels with.
enum VectorKernels {
    static let avx2: Bool = tvk_has_avx2_fma() != 0 && ProcessInfo.processInfo.environment["TEXTVAE_KERNELS"] != "swift"

    /// "AVX2" or "Swift (baseline SIMD)", for `bench` and `--verbose`.
    static var description: String { avx2 ? "element-wise kernels AVX2+FMA" : "element-wise kernels Swift (baseline SIMD)" }

    /// Whether a product with `n` columns can use `gemmPacked` (it takes panels of 16 columns).
    static func canPack(columns n: Int) -> Bool { avx2 && n % 16 == 0 }

    /// Packs op(B) (k × n) into panels of 16 columns for `gemmPacked`, the threads sharing
    /// the panels. op(B) = B (row-major, ldb), or Bᵀ for a row-major n × k B with `transposed`.
    static func pack(
        _ b: UnsafePointer<Float>, transposed: Bool, ldb: Int, k: Int, n: Int, into packed: UnsafeMutablePointer<Float>,
        threads: Int
    ) {
        let panels = n / 16
        Parallel.forEachChunk(of: panels, parts: panels >= 8 ? threads : 1) { _, share in
            let p0 = share.lowerBound
            tvk_pack_b(transposed ? 1 : 0, transposed ? b + p0 * 16 * ldb : b + p0 * 16, ldb, k, share.count * 16, packed + p0 * k * 16)
        }
    }

    /// C (m × n, ldc) += A (m × k, lda) · op(B) with op(B) packed by `pack`: a GRU's recurrent
    /// product, whose weights are the same at every step, so they are packed once per pass
    /// instead of once per step as OpenBLAS does (measured, one core, 768 × 256 weights:
    /// 16 rows 85 µs against 113, 4 rows 20 against 60).
    static func gemmPacked(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, packed: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if ProductLog.enabled { ProductLog.record(m: m, n: n, k: k, transposeA: false, transposeB: true) }
        tvk_gemm_packed(m, n, k, a, lda, packed, c, ldc)
    }

    /// The C kernels themselves (whatever `avx2` says), for the tests. Call only when
    /// `tvk_has_avx2_fma()` is true: `cpuHasAVX2`.
    static var cpuHasAVX2: Bool { tvk_has_avx2_fma() != 0 }

    static func expSumAVX2(_ l: UnsafePointer<Float>, count: Int, into e: UnsafeMutablePointer<Float>) -> (max: Float, sum: Float) {
        var m: Float = 0
        let sum = tvk_exp_sum(l, count, e, &m)
        return (m, sum)
    }

    static func gatesAVX2(
        gi: UnsafePointer<Float>, gh: UnsafePointer<Float>, h: UnsafePointer<Float>, gates: UnsafeMutablePointer<Float>,
        out: UnsafeMutablePointer<Float>, hidden: Int
    ) {
        tvk_gru_gates(gi, gh, h, gates, out, hidden)
    }
}
