import CKernels
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

    /// The C kernels themselves (whatever `avx2` says), for the tests. Call only when
    /// `tvk_has_avx2_fma()` is true: `cpuHasAVX2`.
    static var cpuHasAVX2: Bool { tvk_has_avx2_fma() != 0 }

    static func expSumAVX2(_ l: UnsafePointer<Float>, count: Int, into e: UnsafeMutablePointer<Float>) -> (max: Float, sum: Float) {
        var m: Float = 0
        let sum = tvk_exp_sum(l, count, e, &m)
        return (m, sum)
    }

    static func gatesAVX2(gi: UnsafePointer<Float>, gh: UnsafePointer<Float>, h: UnsafePointer<Float>, gates: UnsafeMutablePointer<Float>,
                          out: UnsafeMutablePointer<Float>, hidden: Int) {
        tvk_gru_gates(gi, gh, h, gates, out, hidden)
    }
}
