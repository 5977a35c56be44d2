import Foundation

/// Buffers a model reuses from batch to batch, so that a training step
/// allocates nothing once the longest batch has been seen, and the number of
/// threads its products and loops may use. One per thread of callers.
package final class Workspace {
    /// Threads for large products and element-wise loops when none are asked for (`ThreadCount.default`).
    package static var defaultThreads: Int { ThreadCount.default }

    /// Threads the model's computations in this workspace use (at least 1).
    package let threads: Int

    final class RNNBuffers {
        let gi = Buffer(), hPrev = Buffer(), gates = Buffer(), out = Buffer(), gh = Buffer(), packed = Buffer()
        var all: [Buffer] { [gi, hPrev, gates, out, gh, packed] }

        /// Room for `rnn`'s cache: `rows` positions (with history; the batch's rows without), `inputRows` distinct
        /// inputs, `batch` sequences.
        /// - Parameter packing: room for W_hh packed for many steps; a one-step caller (decoding) leaves it out.
        func cache(
            for rnn: RNN, rows: Int, inputRows: Int, batch: Int, projections: UnsafeMutablePointer<Float>? = nil, packing: Bool = true
        ) -> RNN.Cache {
            let (H, G) = (rnn.hidden, rnn.gateWidth)
            return RNN.Cache(
                gi: projections ?? gi.reserve(inputRows * G), hPrev: hPrev.reserve(rows * H), gates: gates.reserve(rows * rnn.savedWidth),
                out: out.reserve(rows * H), gh: gh.reserve(batch * G), packed: packing ? packed.reserve(G * H) : nil)
        }
    }

    let encoder = RNNBuffers(), decoder = RNNBuffers()
    /// A bidirectional encoder's network that reads the sentences backwards.
    let reverseEncoder = RNNBuffers()
    let encX = Buffer(), decX = Buffer(), hT = Buffer(), mu = Buffer(), logv = Buffer(), z = Buffer(), eps = Buffer()
    let h0 = Buffer(), logits = Buffer(), nll = Buffer(), droppedStates = Buffer()
    let code = Buffer(), classLogits = Buffer(), classProbabilities = Buffer(), dClassLogits = Buffer()
    let dOut = Buffer(), dX = Buffer(), dh0 = Buffer(), dz = Buffer(), dmu = Buffer(), dlogv = Buffer(), dhT = Buffer()
    let dGi = Buffer(), dGh = Buffer(), dGiRows = Buffer(), dMemory = Buffer(), partialSum = Buffer()
    let encoderSlots = ScratchBuffer<Int32>(), reverseEncoderSlots = ScratchBuffer<Int32>(), decoderSlots = ScratchBuffer<Int32>()
    /// The adaptive softmax's head and tails, in a model that has one.
    let adaptive = AdaptiveSoftmax.Buffers()
    /// The output layer in bfloat16 for scoring (passes without a gradient), set by `TrainedModel` where
    /// `BF16OutputLayer.scores` (the model's weights no longer change); nil: the logits in float32.
    var outputLayer: BF16OutputLayer?
    /// The output layer's training products in bfloat16, set by `Trainer` where `BF16OutputLayer.trains`; nil: in
    /// float32 (OpenBLAS). Passes without a gradient (validation) stay float32 either way.
    var trainingProducts: BF16OutputProducts?
    /// Scoring's decoder states rounded to bfloat16 pairs, for `outputLayer`.
    let scoringPairs = ScratchBuffer<UInt32>()

    package init(threads: Int = Workspace.defaultThreads) {
        self.threads = max(1, threads)
    }

    private var floatBuffers: [Buffer] {
        encoder.all + reverseEncoder.all + decoder.all + [
            encX, decX, hT, mu, logv, z, eps, h0, logits, nll, droppedStates, code, classLogits,
            classProbabilities, dClassLogits, dOut, dX, dh0, dz, dmu, dlogv, dhT, dGi, dGh, dGiRows, dMemory, partialSum,
        ]
    }

    /// The bytes the workspace's buffers hold.
    package var bytesHeld: Int {
        floatBuffers.reduce(0) { $0 + $1.bytesHeld } + encoderSlots.bytesHeld + reverseEncoderSlots.bytesHeld + decoderSlots.bytesHeld
            + adaptive.bytesHeld + scoringPairs.bytesHeld + (trainingProducts?.bytesHeld ?? 0)
    }

    /// Gives back each buffer larger than `bytes` (see `ScratchBuffer.release(over:)`); returns the bytes given back.
    @discardableResult
    package func release(over bytes: Int) -> Int {
        floatBuffers.reduce(0) { $0 + $1.release(over: bytes) } + encoderSlots.release(over: bytes)
            + reverseEncoderSlots.release(over: bytes) + decoderSlots.release(over: bytes) + adaptive.release(over: bytes)
            + scoringPairs.release(over: bytes)
    }
}
