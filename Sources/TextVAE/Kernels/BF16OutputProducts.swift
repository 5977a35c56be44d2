internal import CKernels
import Foundation

/// The output layer's three products of a training update in bfloat16 with float32 sums, on CPUs with AVX-512
/// BF16 (Sources/CKernels/BF16.c): the logits, the decoder states' gradient and W_o's gradient. The weights stay
/// float32 (Adam updates those); each product rounds its operands to bfloat16 as it needs them, so the packing
/// is redone every update. `outputForward` and `outputBackward` use it when the trainer's workspace has one
/// (`BF16OutputLayer.trains`: by default on AMD CPUs with AVX-512 BF16).
///
/// Each product splits its blocks of 16 outputs between the threads, so every output is summed by one thread in
/// one order: the same bits whatever the number of threads.
final class BF16OutputProducts {
    private let packed = ScratchBuffer<UInt16>()
    private let pairs = ScratchBuffer<UInt32>()

    /// logits (N × V) = states (N × H) W_oᵀ + b_o.
    func logits(
        _ states: UnsafePointer<Float>, rows N: Int, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, vocabulary V: Int,
        hidden H: Int, into logits: UnsafeMutablePointer<Float>, threads: Int
    ) {
        if ProductLog.enabled { ProductLog.record(m: N, n: V, k: H, transposeA: false, transposeB: true) }
        let w = packed.reserve(tvk_bf16_packed_count(V, H))
        let xs = pairs.reserve(N * ((H + 1) / 2))
        let blocks = (V + 15) / 16
        Parallel.forEachChunk(of: blocks, parts: threads) { _, share in
            tvk_bf16_pack_rows(weight, H, V, H, w, share.lowerBound, share.upperBound)
        }
        Parallel.forEachChunk(of: N, parts: threads) { _, share in
            tvk_bf16_pairs(N, H, states, H, 1, xs, share.lowerBound, share.upperBound)
        }
        Parallel.forEachChunk(of: blocks, parts: threads) { _, share in
            tvk_bf16_product(N, V, H, xs, w, bias, logits, V, share.lowerBound, share.upperBound, Int32(TVK_BF16_STORE))
        }
    }

    /// dStates (N × H) = dLogits (N × V) W_o.
    func statesGradient(
        _ dLogits: UnsafePointer<Float>, rows N: Int, weight: UnsafePointer<Float>, vocabulary V: Int, hidden H: Int,
        into dStates: UnsafeMutablePointer<Float>, threads: Int
    ) {
        if ProductLog.enabled { ProductLog.record(m: N, n: H, k: V, transposeA: false, transposeB: false) }
        let wT = packed.reserve(tvk_bf16_packed_count(H, V))
        let xs = pairs.reserve(N * ((V + 1) / 2))
        let blocks = (H + 15) / 16
        Parallel.forEachChunk(of: blocks, parts: threads) { _, share in
            tvk_bf16_pack_columns(weight, H, H, V, wT, share.lowerBound, share.upperBound)
        }
        Parallel.forEachChunk(of: N, parts: threads) { _, share in
            tvk_bf16_pairs(N, V, dLogits, V, 1, xs, share.lowerBound, share.upperBound)
        }
        Parallel.forEachChunk(of: blocks, parts: threads) { _, share in
            tvk_bf16_product(N, H, V, xs, wT, nil, dStates, H, share.lowerBound, share.upperBound, Int32(TVK_BF16_STORE))
        }
    }

    /// gradient (V × H) += dLogitsᵀ (V × N) states (N × H), computed as its transpose: statesᵀ against dLogitsᵀ
    /// packed, whose blocks are 16 words.
    func addWeightGradient(
        _ dLogits: UnsafePointer<Float>, states: UnsafePointer<Float>, rows N: Int, vocabulary V: Int, hidden H: Int,
        into gradient: UnsafeMutablePointer<Float>, threads: Int
    ) {
        if ProductLog.enabled { ProductLog.record(m: V, n: H, k: N, transposeA: true, transposeB: false) }
        let dT = packed.reserve(tvk_bf16_packed_count(V, N))
        let xs = pairs.reserve(H * ((N + 1) / 2))
        let blocks = (V + 15) / 16
        Parallel.forEachChunk(of: blocks, parts: threads) { _, share in
            tvk_bf16_pack_columns(dLogits, V, V, N, dT, share.lowerBound, share.upperBound)
        }
        Parallel.forEachChunk(of: H, parts: threads) { _, share in
            tvk_bf16_pairs(H, N, states, 1, H, xs, share.lowerBound, share.upperBound)
        }
        Parallel.forEachChunk(of: blocks, parts: threads) { _, share in
            tvk_bf16_product(H, V, N, xs, dT, nil, gradient, H, share.lowerBound, share.upperBound, Int32(TVK_BF16_ADD_TRANSPOSED))
        }
    }

    /// The bytes its buffers hold.
    var bytesHeld: Int { packed.bytesHeld + pairs.bytesHeld }
}
