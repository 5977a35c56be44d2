/// What the encoder computed for a batch, packed row order; pointers into the workspace.
struct EncoderPass {
    let inputs: RNNInputs
    let cache: RNN.Cache
    /// A bidirectional encoder's second network, which read each sentence backwards; nil for a one-way encoder.
    let reverse: ReverseDirection?
    let hT: UnsafeMutablePointer<Float>  // (B, S) last state of each sentence: H, or [h→; h←], 2H
    let mu: UnsafeMutablePointer<Float>  // (B, Z)
    let logv: UnsafeMutablePointer<Float>  // (B, Z)
    let latent: Int  // Z

    /// The backward-reading network, its inputs (the same rows, each sentence's slots reversed) and its cache.
    struct ReverseDirection {
        let rnn: RNN
        let inputs: RNNInputs
        let cache: RNN.Cache
    }
}
