extension SentenceVAE {
    /// The posterior q(z|x) of each sentence: μ and log σ² (B×Z each, caller's order).
    /// Runs only the encoder.
    package func encode(_ batch: Batch, workspace ws: Workspace) -> (mu: [Float], logv: [Float]) {
        withTensors { p in
            let encoder = encoderForward(batch, encoderRNN(p, threads: ws.threads), p, ws: ws)
            return (batch.inCallerOrder(encoder.mu, width: config.latent), batch.inCallerOrder(encoder.logv, width: config.latent))
        }
    }

    /// Embeddings → RNN → last state → μ, log σ², in the workspace (packed row order).
    func encoderForward(_ batch: Batch, _ rnn: RNN, _ p: ParameterPointers, ws: Workspace) -> EncoderPass {
        let inputs = RNNInputs.words(
            batch.encoderWords, embedding: p[.embedding], width: config.embedding, x: ws.encX,
            slots: ws.encoderSlots)
        let cache = ws.encoder.cache(for: rnn, rows: batch.encoder.total, inputRows: inputs.rows, batch: batch.count)
        rnn.forward(inputs, h0: nil, batch.encoder, cache)
        let (hT, mu, logv) = posterior(rows: batch.count, last: batch.encoderLast, states: cache.out, p, ws: ws)
        return EncoderPass(inputs: inputs, cache: cache, hT: hT, mu: mu, logv: logv, latent: config.latent)
    }

    /// The encoder's last state of each row (B, H), and μ, log σ² from it (B, Z each), packed row order.
    /// - Parameters:
    ///   - last: for each row, the index in `states` of its last state.
    ///   - states: the RNN's `out`: per position, or per row when it kept no history (see `RNN.recur`).
    func posterior(rows B: Int, last: [Int], states out: UnsafePointer<Float>, _ p: ParameterPointers, ws: Workspace)
        -> (hT: UnsafeMutablePointer<Float>, mu: UnsafeMutablePointer<Float>, logv: UnsafeMutablePointer<Float>)
    {
        let (H, Z) = (config.hidden, config.latent)
        let hT = ws.hT.reserve(B * H)  // (B, H) last state of each row
        for (row, k) in last.enumerated() { (hT + row * H).update(from: out + k * H, count: H) }
        let mu = ws.mu.reserve(B * Z), logv = ws.logv.reserve(B * Z)
        Linear.forward(hT, rows: B, input: H, output: Z, weight: p[.meanWeight], bias: p[.meanBias], into: mu, threads: ws.threads)
        Linear.forward(hT, rows: B, input: H, output: Z, weight: p[.logvWeight], bias: p[.logvBias], into: logv, threads: ws.threads)
        return (hT, mu, logv)
    }

    /// The encoder's recurrent network over the parameters.
    func encoderRNN(_ p: ParameterPointers, threads: Int) -> RNN {
        RNN(
            input: config.embedding, hidden: config.hidden, weightIH: p[.encoderWeightIH], weightHH: p[.encoderWeightHH],
            biasIH: p[.encoderBiasIH], biasHH: p[.encoderBiasHH], threads: threads, cell: config.cell)
    }
}
