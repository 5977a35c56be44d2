internal import CKernels
import Foundation

/// An output layer (V × H) held as bfloat16, for the logits of decoding on CPUs with AVX-512 BF16: the products
/// in bfloat16 with float32 sums (VDPBF16PS, Sources/CKernels/BF16.c), half the bytes of float32 weights to read
/// at every step. Only for a model whose weights no longer change (`TrainedModel`); training stays in float32.
///
/// Opt-in: with `TEXTVAE_BF16=1` on a CPU with AVX-512 BF16, for steps of at most `mostRows` rows. Not the
/// default yet: a sentence's words could then depend on how many rows its batch had (bfloat16 at 64, float32
/// at 65), and `textvae sample`, the library and the server promise the same sentences for the same seed.
/// Debian's OpenBLAS has no bfloat16 product (`cblas_sbgemm`), hence a kernel of textvae's own.
package final class BF16OutputLayer: @unchecked Sendable {  // immutable after init
    let vocabulary: Int, hidden: Int
    private let packed: UnsafeMutablePointer<UInt16>
    private let bias: [Float]

    /// Up to this many rows a step, the bfloat16 product is faster than OpenBLAS's float32 one; above, slower.
    /// Reading the weights is what costs with few rows (half the bytes); with many, the arithmetic, and VDPBF16PS
    /// does no more per cycle than two float32 FMAs. Measured on an Intel Xeon with AVX-512 BF16, PTB model
    /// (V 9,744, H 256), greedy decoding: 1 sentence 1.63x faster, 4 1.96x, 16 1.39x, 64 1.08x; 1,000 sentences
    /// in batches above 64 rows were 0.6x when every step used it (Tests/Scripts/bench/bench-bf16.sh).
    package static let mostRows = 64

    /// Whether this CPU and environment use bfloat16 output layers.
    package static let available: Bool = {
        let environment = ProcessInfo.processInfo.environment
        return tvk_has_avx512_bf16() != 0 && environment["TEXTVAE_BF16"] == "1" && environment["TEXTVAE_KERNELS"] != "swift"
    }()

    /// "output layer bfloat16 (AVX-512 BF16)" or "output layer float32", for start-up lines and `bench`.
    package static var description: String {
        available
            ? "output layer bfloat16 (AVX-512 BF16) for decoding steps of up to \(mostRows) rows"
            : "output layer float32" + (cpuHasBF16 ? " (TEXTVAE_BF16=1: bfloat16 for small decoding steps)" : "")
    }

    /// Packs `weight` (vocabulary × hidden, row-major) and keeps `bias` (vocabulary).
    init(weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, vocabulary: Int, hidden: Int) {
        self.vocabulary = vocabulary
        self.hidden = hidden
        let count = tvk_bf16_packed_count(vocabulary, hidden)
        packed = .allocate(capacity: count)
        tvk_bf16_pack(weight, vocabulary, hidden, packed)
        self.bias = Array(UnsafeBufferPointer(start: bias, count: vocabulary))
    }

    deinit { packed.deallocate() }

    /// y (rows × V) = x (rows × H) Wᵀ + b; blocks of 16 words shared between the threads.
    func logits(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>, threads: Int) {
        precondition(Self.cpuHasBF16, "bfloat16 kernel called on a CPU without AVX-512 BF16")
        let blocks = (vocabulary + 15) / 16, pairs = (hidden + 1) / 2
        let parts = rows * vocabulary * hidden > 1_000_000 ? max(1, min(threads, blocks)) : 1
        bias.withUnsafeBufferPointer { b in
            Parallel.forEachChunk(of: blocks, parts: parts) { _, share in
                let scratch = UnsafeMutablePointer<UInt32>.allocate(capacity: rows * pairs)
                defer { scratch.deallocate() }
                tvk_bf16_logits(
                    rows, vocabulary, hidden, x, hidden, packed, b.baseAddress, y, vocabulary,
                    share.lowerBound, share.upperBound, scratch)
            }
        }
    }

    /// The same product computed plainly on any CPU (bfloat16 operands, sums in double): the tests' reference.
    func referenceLogits(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
        bias.withUnsafeBufferPointer { b in
            tvk_bf16_reference(rows, vocabulary, hidden, x, hidden, packed, b.baseAddress, y, vocabulary)
        }
    }

    /// Whether the CPU has the kernel at all (whatever the environment says).
    static var cpuHasBF16: Bool { tvk_has_avx512_bf16() != 0 }
}
