internal import CKernels
import Foundation

/// An output layer (V × H) held as bfloat16, for the logits of decoding and scoring on CPUs with AVX-512 BF16: the
/// products in bfloat16 with float32 sums (VDPBF16PS, Sources/CKernels/BF16.c), half the bytes of float32 weights
/// to read at every step. Only for a model whose weights no longer change (`TrainedModel`); training packs its
/// changing weights at every update instead (`BF16OutputProducts`), and its validation stays float32.
///
/// When it serves (`use`, chosen once at start-up from the CPU and `TEXTVAE_BF16`):
/// - AMD CPUs with AVX-512 BF16 (Zen 4 and later): every decoding step, and scoring (`score`, `evaluate`, the
///   server's scores), by default (`TEXTVAE_BF16=0` turns both off). Measured on an AMD EPYC (Zen 4), it is
///   faster than OpenBLAS's float32 product at every batch size, and a row's logits do not depend on how many rows
///   share its step (each row has its own accumulators, in the same order): `textvae sample`, the library and the
///   server still give the same sentences for a seed.
/// - Intel CPUs with AVX-512 BF16: only with `TEXTVAE_BF16=1`, and only for steps of at most 64 rows, where it
///   is faster. Not the default there: a sentence's words could then depend on how many rows its batch had
///   (bfloat16 at 64, float32 at 65).
/// Scoring stays float32 on Intel. Debian's OpenBLAS has no bfloat16 product
/// (`cblas_sbgemm`), hence a kernel of textvae's own.
package final class BF16OutputLayer: @unchecked Sendable {  // immutable after init
    let vocabulary: Int, hidden: Int
    private let packed: UnsafeMutablePointer<UInt16>
    private let bias: [Float]

    /// Where decoding uses the bfloat16 layer.
    package enum Use: Sendable { case never, smallSteps, everyStep }

    /// Up to this many rows a step, the bfloat16 product beats OpenBLAS's float32 one on Intel; above, it loses.
    /// Reading the weights is what costs with few rows (half the bytes); with many, the arithmetic, and there an
    /// Intel core's VDPBF16PS does no more per cycle than two float32 FMAs. Measured on an Intel Xeon with AVX-512
    /// BF16, PTB model (V 9,744, H 256), greedy decoding: 1 sentence 1.63x faster, 4 1.96x, 16 1.39x, 64 1.08x;
    /// 1,000 sentences in batches above 64 rows were 0.6x when every step used it. On an AMD EPYC (Zen 4) a model
    /// of the same shape samples 1,000 sentences 1.48x faster with every step in bfloat16 (Tests/Scripts/bench/bench-bf16.sh).
    package static let smallStepRows = 64

    /// This process's choice, from the CPU and the environment.
    package static let use: Use = use(
        environment: ProcessInfo.processInfo.environment, hasBF16: cpuHasBF16, isAMD: tvk_cpu_is_amd() != 0)

    /// The choice for a CPU and environment: none without the instructions, with `TEXTVAE_BF16=0` or with
    /// `TEXTVAE_KERNELS=swift` (the plain kernels); every step on AMD; small steps on request elsewhere.
    package static func use(environment: [String: String], hasBF16: Bool, isAMD: Bool) -> Use {
        let request = environment["TEXTVAE_BF16"]
        guard hasBF16, request != "0", environment["TEXTVAE_KERNELS"] != "swift" else { return .never }
        if isAMD { return .everyStep }
        return request == "1" ? .smallSteps : .never
    }

    /// Whether this process decodes with bfloat16 output layers.
    package static var available: Bool { use != .never }

    /// Whether training computes the output layer's products in bfloat16 (`BF16OutputProducts`).
    package static let trains = trains(
        environment: ProcessInfo.processInfo.environment, hasBF16: cpuHasBF16, isAMD: tvk_cpu_is_amd() != 0)

    /// The training choice for a CPU and environment: on AMD CPUs with AVX-512 BF16 by default (measured there:
    /// 1.37x the training tokens/s on the Penn Treebank, and a full run's NLL no worse than float32's), elsewhere on request
    /// (`TEXTVAE_BF16_TRAINING=1`); never without the instructions, with `TEXTVAE_BF16_TRAINING=0`,
    /// `TEXTVAE_BF16=0` or the plain kernels.
    package static func trains(environment: [String: String], hasBF16: Bool, isAMD: Bool) -> Bool {
        guard hasBF16, environment["TEXTVAE_BF16"] != "0", environment["TEXTVAE_KERNELS"] != "swift" else { return false }
        switch environment["TEXTVAE_BF16_TRAINING"] {
        case "0": return false
        case "1": return true
        default: return isAMD
        }
    }

    /// What training's start-up line adds when its output layer runs in bfloat16.
    package static let trainingDescription = "output layer in bfloat16 for training's products (TEXTVAE_BF16_TRAINING=0: float32)"

    /// Whether scoring (passes without a gradient: `score`, `evaluate`) uses the layer too: only where every decoding
    /// step does (AMD), since scoring's products have hundreds of rows, where Intel's VDPBF16PS was measured
    /// slower than float32.
    package static var scores: Bool { use == .everyStep }

    /// The most rows a decoding step may have to use the layer.
    package static var mostRows: Int { use == .everyStep ? Int.max : smallStepRows }

    /// What the start-up lines and `bench` say of the output layer.
    package static var description: String {
        switch use {
        case .everyStep: "output layer bfloat16 (AVX-512 BF16) for decoding and scoring (TEXTVAE_BF16=0: float32)"
        case .smallSteps: "output layer bfloat16 (AVX-512 BF16) for decoding steps of up to \(smallStepRows) rows"
        case .never:
            "output layer float32" + (cpuHasBF16 && tvk_cpu_is_amd() == 0 ? " (TEXTVAE_BF16=1: bfloat16 for small decoding steps)" : "")
        }
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

    /// The same product for scoring's hundreds of rows: tiles of eight rows by two blocks of words
    /// (`BF16OutputProducts.multiply`), each row's sums still its own and in an order that does not depend on the
    /// rows beside it, but not `logits`' order, so the last bits can differ from decoding's. x's bfloat16 copy goes
    /// in `pairs` (the caller's workspace: no allocation per call).
    func scoreLogits(
        _ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>, pairs: ScratchBuffer<UInt32>, threads: Int
    ) {
        precondition(Self.cpuHasBF16, "bfloat16 kernel called on a CPU without AVX-512 BF16")
        bias.withUnsafeBufferPointer { b in
            BF16OutputProducts.multiply(
                x, rows: rows, cols: hidden, rowStride: hidden, columnStride: 1, by: packed, outputs: vocabulary,
                bias: b.baseAddress, into: y, ldy: vocabulary, mode: TVK_BF16_STORE, pairs: pairs, threads: threads)
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
