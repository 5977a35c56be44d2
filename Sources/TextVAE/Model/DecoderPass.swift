/// What the decoder's forward pass computed and its backward pass needs (`outputBackward`, `decoderBackward`):
/// part of a whole `ForwardPass`, or on its own when only the decoder runs (refining a code, `codeGradient`).
/// Pointers into the workspace, valid until it is used again; rows in packed order.
struct DecoderPass {
    let batch: Batch
    /// (B, Z + K): the code the decoder started from.
    let code: UnsafeMutablePointer<Float>
    let rnn: RNN
    let inputs: RNNInputs
    let cache: RNN.Cache
    /// (N_dec, H): the states the output layer read (the cache's `out`, or its copy after output dropout).
    let outputStates: UnsafeMutablePointer<Float>
    /// (N_dec, V) d loss / d logits after a training forward (see `ForwardPass.logits`).
    let logits: UnsafeMutablePointer<Float>
    /// The encoder's positions and distinct inputs in the same pass (0 without it): the backward passes share
    /// scratch buffers, sized once for the larger.
    let encoderRows: Int, encoderInputRows: Int
}
