extension SentenceVAE {
    /// −log p(x | z) of each sentence for a given z (with, in a model with classes, the given class of each), and
    /// its gradient with respect to z: the decoder's forward and backward passes alone, as test-time refinement
    /// of a code needs them (`TrainedModel.refine`).
    /// - Parameters:
    ///   - z: one code per sentence, (B, Z), in the caller's order.
    ///   - classes: in a model with classes, each sentence's class (c is its one-hot vector; nil: the most likely
    ///     class of q(c|x)); ignored without.
    ///   - scratch: `layout.total` floats that take the parameters' gradients, which are not wanted here (the
    ///     backward pass writes them on its way to z); never read, so they need not be cleared.
    /// - Returns: per sentence, in the caller's order, its summed NLL (tokens + `<eos>`) and d NLL / d z (B, Z).
    package func codeGradient(
        _ batch: Batch, z: [Float], classes: [Int]?, scratch: UnsafeMutablePointer<Float>, workspace ws: Workspace
    ) -> (nll: [Float], dz: [Float]) {
        let (B, Z, C, K) = (batch.count, config.latent, config.code, config.classes)
        precondition(z.count == B * Z, "z must be B×Z")
        let labels = K == 0 ? nil : classes ?? encode(batch.sentences, workspace: ws).mostLikelyClasses
        return withTensors { p in
            // The code [z; one-hot c], in the batch's packed order.
            let code = ws.code.reserve(B * C)
            for (row, s) in batch.order.enumerated() {
                for j in 0..<Z { code[row * C + j] = z[s * Z + j] }
                for k in 0..<K { code[row * C + Z + k] = labels![s] == k ? 1 : 0 }
            }
            // Only the decoder runs: the encoder would give nothing that z, given, does not replace. The output
            // layer's weight gradient, the largest product of the backward pass, is skipped too.
            let rnn = decoderRNN(p, threads: ws.threads)
            let (inputs, cache) = decoderForward(batch, code: code, rnn, p, ws: ws)
            let (logits, nll) = outputForward(batch, states: cache.out, p, training: B, ws: ws)
            let pass = DecoderPass(
                batch: batch, code: code, rnn: rnn, inputs: inputs, cache: cache, outputStates: cache.out, logits: logits,
                encoderRows: 0, encoderInputRows: 0)
            let g = GradientPointers(base: scratch, layout: layout)
            let dCode = decoderBackward(pass, dOut: outputBackward(pass, p, g, weights: false, ws: ws), p, g, ws: ws)
            // The gradient is of the mean over the batch: B times it is each sentence's own.
            var dz = [Float](repeating: 0, count: B * Z)
            for (row, s) in batch.order.enumerated() {
                for j in 0..<Z { dz[s * Z + j] = Float(B) * dCode[row * C + j] }
            }
            let nllRows = batch.rowSums(nll).withUnsafeBufferPointer { batch.inCallerOrder($0.baseAddress!, width: 1) }
            return (nllRows, dz)
        }
    }
}
