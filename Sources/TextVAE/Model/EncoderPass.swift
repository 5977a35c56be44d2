/// What the encoder computed for a batch, packed row order; pointers into the workspace.
struct EncoderPass {
    let inputs: RNNInputs
    let cache: RNN.Cache
    let hT: UnsafeMutablePointer<Float>  // (B, H) last state of each sentence
    let mu: UnsafeMutablePointer<Float>  // (B, Z)
    let logv: UnsafeMutablePointer<Float>  // (B, Z)
    let latent: Int  // Z
}
