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
        let w = pack(rows: V, cols: H, threads: threads) { tvk_bf16_pack_rows(weight, H, V, H, $0, $1, $2) }
        Self.multiply(
            states, rows: N, cols: H, rowStride: H, columnStride: 1, by: w, outputs: V, bias: bias, into: logits, ldy: V,
            mode: TVK_BF16_STORE, pairs: pairs, threads: threads)
    }

    /// dStates (N × H) = dLogits (N × V) W_o.
    func statesGradient(
        _ dLogits: UnsafePointer<Float>, rows N: Int, weight: UnsafePointer<Float>, vocabulary V: Int, hidden H: Int,
        into dStates: UnsafeMutablePointer<Float>, threads: Int
    ) {
        if ProductLog.enabled { ProductLog.record(m: N, n: H, k: V, transposeA: false, transposeB: false) }
        let wT = pack(rows: H, cols: V, threads: threads) { tvk_bf16_pack_columns(weight, H, H, V, $0, $1, $2) }
        Self.multiply(
            dLogits, rows: N, cols: V, rowStride: V, columnStride: 1, by: wT, outputs: H, bias: nil, into: dStates, ldy: H,
            mode: TVK_BF16_STORE, pairs: pairs, threads: threads)
    }

    /// gradient (V × H) += dLogitsᵀ (V × N) states (N × H), computed as its transpose: statesᵀ against dLogitsᵀ
    /// packed, whose blocks are 16 words.
    func addWeightGradient(
        _ dLogits: UnsafePointer<Float>, states: UnsafePointer<Float>, rows N: Int, vocabulary V: Int, hidden H: Int,
        into gradient: UnsafeMutablePointer<Float>, threads: Int
    ) {
        if ProductLog.enabled { ProductLog.record(m: V, n: H, k: N, transposeA: true, transposeB: false) }
        let dT = pack(rows: V, cols: N, threads: threads) { tvk_bf16_pack_columns(dLogits, V, V, N, $0, $1, $2) }
        Self.multiply(
            states, rows: H, cols: N, rowStride: 1, columnStride: H, by: dT, outputs: V, bias: nil, into: gradient, ldy: H,
            mode: TVK_BF16_ADD_TRANSPOSED, pairs: pairs, threads: threads)
    }

    /// The packed operand (rows × cols) in this object's buffer, `packBlocks(buffer, first, end)` run on the threads'
    /// shares of its blocks of 16 rows.
    private func pack(
        rows: Int, cols: Int, threads: Int, _ packBlocks: (UnsafeMutablePointer<UInt16>, Int, Int) -> Void
    ) -> UnsafeMutablePointer<UInt16> {
        let buffer = packed.reserve(tvk_bf16_packed_count(rows, cols))
        Parallel.forEachChunk(of: (rows + 15) / 16, parts: threads) { _, share in packBlocks(buffer, share.lowerBound, share.upperBound) }
        return buffer
    }

    /// y (+)= x · packedᵀ as `mode` says (`tvk_bf16_product`), where element (r, c) of x (rows × cols) is
    /// x[r · rowStride + c · columnStride] and packed holds `outputs` rows: x rounded to bfloat16 pairs in `pairs`,
    /// rows split between the threads, then the product, blocks of 16 outputs split between them.
    static func multiply(
        _ x: UnsafePointer<Float>, rows: Int, cols: Int, rowStride: Int, columnStride: Int, by packed: UnsafePointer<UInt16>,
        outputs: Int, bias: UnsafePointer<Float>?, into y: UnsafeMutablePointer<Float>, ldy: Int, mode: Int,
        pairs: ScratchBuffer<UInt32>, threads: Int
    ) {
        let xs = pairs.reserve(max(1, rows * ((cols + 1) / 2))), blocks = (outputs + 15) / 16
        Parallel.forEachChunk(of: rows, parts: max(1, min(threads, rows))) { _, share in
            tvk_bf16_pairs(cols, x, rowStride, columnStride, xs, share.lowerBound, share.upperBound)
        }
        Parallel.forEachChunk(of: blocks, parts: max(1, min(threads, blocks))) { _, share in
            tvk_bf16_product(rows, outputs, cols, xs, packed, bias, y, ldy, share.lowerBound, share.upperBound, Int32(mode))
        }
    }

    /// The bytes its buffers hold.
    var bytesHeld: Int { packed.bytesHeld + pairs.bytesHeld }
}
