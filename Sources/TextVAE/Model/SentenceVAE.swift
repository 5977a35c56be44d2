/// Bowman et al.'s sentence VAE with GRUs (or LSTMs, `ModelConfig.cell`), as the Model article of the
/// documentation catalog defines it.
///
/// Encoder: a recurrent network over the sentence's embeddings; μ and log σ² from its last state.
/// Decoder: a recurrent network started from h0 = W_zh z + b_zh, fed `<bos>` + tokens (with z
/// concatenated when `latentToInputs`), predicting tokens + `<eos>`.
///
/// The forward pass (`SentenceVAE+Forward.swift`) returns what it computed as a
/// `ForwardPass`; the backward pass (`SentenceVAE+Backward.swift`) consumes it and
/// accumulates the gradient, llm.c style.
package struct SentenceVAE {
    package let config: ModelConfig
    package let layout: ParameterLayout
    /// All tensors, in the model file's order, as one block (see `ParameterLayout`).
    package var parameters: [Float]

    package init(config: ModelConfig, parameters: [Float]) {
        self.config = config
        layout = ParameterLayout(config)
        precondition(parameters.count == layout.total, "parameter count does not match the configuration")
        self.parameters = parameters
    }

    package init(config: ModelConfig, seed: UInt64) {
        self.init(config: config, parameters: ParameterLayout(config).initialParameters(seed: seed))
    }

    package func tensor(_ t: ParameterTensor) -> ArraySlice<Float> { parameters[layout.range(t)] }

    /// Runs `body` with named pointers to the parameters: the one way kernels reach them.
    func withTensors<R>(_ body: (ParameterPointers) throws -> R) rethrows -> R {
        try parameters.withUnsafeBufferPointer { try body(ParameterPointers(base: $0.baseAddress!, layout: layout)) }
    }
}
