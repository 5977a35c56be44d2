/// Buffers a decoder reuses from call to call and from step to step, so that
/// a step allocates no large array, and the threads its products may use. One per thread of callers.
public final class DecoderWorkspace {
    let h = Buffer(), hNext = Buffer(), z = Buffer(), zNext = Buffer(), x = Buffer(), logits = Buffer()
    let slots = ScratchBuffer<Int32>()
    let gru = Workspace.GRUBuffers()
    /// Threads for the decoder's products and for choosing the rows' words (at least 1).
    public let threads: Int

    public init(threads: Int = Workspace.defaultThreads) {
        self.threads = max(1, threads)
    }
}
