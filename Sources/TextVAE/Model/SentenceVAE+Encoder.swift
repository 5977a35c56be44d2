extension SentenceVAE {
    /// The posterior q(z|x) of each sentence: μ and log σ² (B×Z each, caller's order).
    /// Runs only the encoder.
    package func encode(_ batch: Batch, workspace ws: Workspace) -> (mu: [Float], logv: [Float]) {
        withTensors { p in
            let encoder = encoderForward(batch, encoderRNN(p, threads: ws.threads), p, ws: ws)
            return (batch.inCallerOrder(encoder.mu, width: config.latent), batch.inCallerOrder(encoder.logv, width: config.latent))
        }
    }

    /// Embeddings → RNN (and, bidirectional, a second RNN over each sentence reversed) → last states → μ, log σ², in
    /// the workspace (packed row order).
    func encoderForward(_ batch: Batch, _ rnn: RNN, _ p: ParameterPointers, ws: Workspace) -> EncoderPass {
        let inputs = RNNInputs.words(
            batch.encoderWords, embedding: p[.embedding], width: config.embedding, x: ws.encX,
            slots: ws.encoderSlots)
        let cache = ws.encoder.cache(for: rnn, rows: batch.encoder.total, inputRows: inputs.rows, batch: batch.count)
        rnn.forward(inputs, h0: nil, batch.encoder, cache)
        var reverse: EncoderPass.ReverseDirection?
        if config.bidirectional {
            // The same distinct input rows (`.words` always gives slots), read in each sentence's reverse order.
            let reversed = ws.reverseEncoderSlots.reserve(batch.encoder.total)
            batch.encoder.reversedWithinRows(inputs.slots!, into: reversed)
            let backwards = reverseEncoderRNN(p, threads: ws.threads)
            let reverseInputs = RNNInputs(x: inputs.x, rows: inputs.rows, slots: reversed)
            let reverseCache = ws.reverseEncoder.cache(
                for: backwards, rows: batch.encoder.total, inputRows: inputs.rows, batch: batch.count)
            backwards.forward(reverseInputs, h0: nil, batch.encoder, reverseCache)
            reverse = EncoderPass.ReverseDirection(rnn: backwards, inputs: reverseInputs, cache: reverseCache)
        }
        let (hT, mu, logv) = posterior(
            rows: batch.count, last: batch.encoderLast, states: cache.out, reverseStates: reverse?.cache.out, p, ws: ws)
        return EncoderPass(inputs: inputs, cache: cache, reverse: reverse, hT: hT, mu: mu, logv: logv, latent: config.latent)
    }

    /// The encoder's last state of each row (B, S: H, or [h→; h←] for a bidirectional encoder), and μ, log σ² from
    /// it (B, Z each), packed row order.
    /// - Parameters:
    ///   - last: for each row, the index in `states` (and `reverseStates`) of its last state.
    ///   - states: the RNN's `out`: per position, or per row when it kept no history (see `RNN.recur`).
    ///   - reverseStates: a bidirectional encoder's reverse RNN's `out`, laid out as `states`.
    func posterior(
        rows B: Int, last: [Int], states out: UnsafePointer<Float>, reverseStates: UnsafePointer<Float>?, _ p: ParameterPointers,
        ws: Workspace
    ) -> (hT: UnsafeMutablePointer<Float>, mu: UnsafeMutablePointer<Float>, logv: UnsafeMutablePointer<Float>) {
        let (H, S, Z) = (config.hidden, config.encoderStates, config.latent)
        let hT = ws.hT.reserve(B * S)
        for (row, k) in last.enumerated() {
            (hT + row * S).update(from: out + k * H, count: H)
            if let reverseStates { (hT + row * S + H).update(from: reverseStates + k * H, count: H) }
        }
        let mu = ws.mu.reserve(B * Z), logv = ws.logv.reserve(B * Z)
        Linear.forward(hT, rows: B, input: S, output: Z, weight: p[.meanWeight], bias: p[.meanBias], into: mu, threads: ws.threads)
        Linear.forward(hT, rows: B, input: S, output: Z, weight: p[.logvWeight], bias: p[.logvBias], into: logv, threads: ws.threads)
        return (hT, mu, logv)
    }

    /// The encoder's recurrent network over the parameters.
    func encoderRNN(_ p: ParameterPointers, threads: Int) -> RNN {
        RNN(
            input: config.embedding, hidden: config.hidden, weightIH: p[.encoderWeightIH], weightHH: p[.encoderWeightHH],
            biasIH: p[.encoderBiasIH], biasHH: p[.encoderBiasHH], threads: threads, cell: config.cell)
    }

    /// A bidirectional encoder's second network, which reads each sentence from its last word to its first.
    func reverseEncoderRNN(_ p: ParameterPointers, threads: Int) -> RNN {
        RNN(
            input: config.embedding, hidden: config.hidden, weightIH: p[.encoderReverseWeightIH],
            weightHH: p[.encoderReverseWeightHH], biasIH: p[.encoderReverseBiasIH], biasHH: p[.encoderReverseBiasHH],
            threads: threads, cell: config.cell)
    }
}
