/// What the forward pass computed and the backward pass needs: pointers into
/// the workspace, valid until the workspace is used again. Rows are in packed
/// order (longest sentence first, see `Batch`).
struct ForwardPass {
    let batch: Batch
    let latent: LatentChoice
    let settings: LossSettings
    let encoder: EncoderPass
    let encoderRNN: RNN
    let decoderRNN: RNN
    let eps: UnsafeMutablePointer<Float>  // (B, Z)
    let z: UnsafeMutablePointer<Float>  // (B, Z)
    /// (B, Z + K): [z; c] in a model with classes, else `z` itself.
    let code: UnsafeMutablePointer<Float>
    /// q(c|x), c and the class loss terms, in a model with classes.
    private(set) var classLatent: ClassLatent?
    let decoderInputs: RNNInputs
    let decoderCache: RNN.Cache
    /// (N_dec, H): the states the output layer read: the cache's `out`, or its copy after output dropout.
    let outputStates: UnsafeMutablePointer<Float>
    /// (N_dec, V): after a training forward, d loss / d logits (the softmax writes it in place). With an adaptive
    /// softmax, its head's (N_dec, head size); the tails' stay in the workspace's `adaptive` buffers.
    let logits: UnsafeMutablePointer<Float>
    let nll: UnsafeMutablePointer<Float>  // (N_dec) per target
    private(set) var latentLoss: LatentLoss
    /// With an adversarial prior (`LossSettings.adversary`): −log σ(D(z)) of each row, packed order.
    let adversarial: [Float]?
    /// With an adversarial prior, after a training forward: β d(its term) / dz (B, Z), packed order.
    let adversarialGradient: [Float]?

    /// The regulariser's term the loss adds (times β): the KL's, or the adversarial prior's mean.
    var regulariserTerm: Float {
        guard let adversarial else { return latentLoss.term }
        return adversarial.reduce(0, +) / Float(settings.meanOver(batch.count))
    }

    /// The decoder's part, for the backward passes through the output layer and the decoder.
    var decoder: DecoderPass {
        DecoderPass(
            batch: batch, code: code, rnn: decoderRNN, inputs: decoderInputs, cache: decoderCache, outputStates: outputStates,
            logits: logits, encoderRows: batch.encoder.total, encoderInputRows: encoder.inputs.rows)
    }

    /// This pass's rows' part of the sums the loss needs from the whole batch.
    var sums: BatchSums { BatchSums(latentKL: latentLoss.dimensionSums, classKL: classLatent?.klSum ?? 0) }

    /// Settles the loss terms from the whole batch's sums (see `BatchSums`): before `result` and the backward pass.
    mutating func settle(_ wholeBatch: BatchSums) {
        latentLoss.settle(wholeBatch: wholeBatch.latentKL, settings: settings)
        classLatent?.settle(wholeBatchKL: wholeBatch.classKL, settings: settings)
    }

    /// Per-sentence figures and the loss, in the caller's order.
    func result() -> BatchResult {
        let dec = batch.decoder, B = batch.count, Z = encoder.latent
        let recRow = batch.rowSums(nll)
        let loss = recRow.reduce(0, +) / Float(settings.meanOver(B)) + settings.beta * regulariserTerm + (classLatent?.term ?? 0)
        var result = BatchResult(
            rec: recRow, kl: latentLoss.perRow, mu: [], logv: [], z: [], loss: loss,
            targetNLL: Array(UnsafeBufferPointer(start: nll, count: dec.total)))
        for (row, s) in batch.order.enumerated() {
            result.rec[s] = recRow[row]
            result.kl[s] = latentLoss.perRow[row]
        }
        if let c = classLatent {
            result.classProbabilities = batch.inCallerOrder(c.probabilities, width: c.classes)
            result.labelNLL = c.labelNLL.withUnsafeBufferPointer { batch.inCallerOrder($0.baseAddress!, width: 1) }
            result.classKL = c.kl.withUnsafeBufferPointer { batch.inCallerOrder($0.baseAddress!, width: 1) }
        }
        result.mu = batch.inCallerOrder(encoder.mu, width: Z)
        result.logv = batch.inCallerOrder(encoder.logv, width: Z)
        result.z = batch.inCallerOrder(z, width: Z)
        return result
    }
}
