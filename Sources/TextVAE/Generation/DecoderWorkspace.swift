/// Buffers a decoder reuses from call to call and from step to step, so that
/// a step allocates no large array, and the threads its products may use. One per thread of callers.
package final class DecoderWorkspace {
    let h = Buffer(), hNext = Buffer(), z = Buffer(), zNext = Buffer(), x = Buffer(), logits = Buffer()
    /// An LSTM decoder's memory c beside h, (R, H).
    let memory = Buffer(), memoryNext = Buffer()
    let slots = ScratchBuffer<Int32>()
    let rnn = Workspace.RNNBuffers()
    /// The adaptive softmax's head and tail products, in a model that has one.
    let adaptive = AdaptiveSoftmax.Buffers()
    /// Threads for the decoder's products and for choosing the rows' words (at least 1).
    package let threads: Int
    /// The output layer in bfloat16, set by `TrainedModel` where the CPU has AVX-512 BF16 (its weights no longer
    /// change); nil: the logits in float32.
    var outputLayer: BF16OutputLayer?

    package init(threads: Int = Workspace.defaultThreads) {
        self.threads = max(1, threads)
    }

    private var floatBuffers: [Buffer] { [h, hNext, z, zNext, x, logits, memory, memoryNext] + rnn.all }

    /// The bytes the workspace's buffers hold.
    package var bytesHeld: Int { floatBuffers.reduce(0) { $0 + $1.bytesHeld } + slots.bytesHeld + adaptive.bytesHeld }

    /// Gives back each buffer larger than `bytes` (see `ScratchBuffer.release(over:)`); returns the bytes given back.
    @discardableResult
    package func release(over bytes: Int) -> Int {
        floatBuffers.reduce(0) { $0 + $1.release(over: bytes) } + slots.release(over: bytes) + adaptive.release(over: bytes)
    }
}
