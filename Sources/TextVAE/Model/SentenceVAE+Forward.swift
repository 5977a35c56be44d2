extension SentenceVAE {
    /// Encoder, latent, decoder, output layer and loss on a batch, the loss settled from this batch's own sums
    /// (when it is a share of a larger batch, `run` settles it again from the whole batch's; see `BatchSums`).
    /// - Parameter training: also leave d loss / d logits in `logits`, for `backward`.
    /// - Parameter classes: in a model with classes, each sentence's label or how its c is chosen (nil: the most
    ///   likely class of q(c|x)); ignored without classes.
    func forward(
        _ batch: Batch, latent: LatentChoice, classes: ClassChoice?, settings: LossSettings, _ p: ParameterPointers,
        training: Bool, ws: Workspace
    ) -> ForwardPass {
        let B = batch.count, Z = config.latent, K = config.classes
        let encoderRNN = encoderRNN(p, threads: ws.threads), decoderRNN = decoderRNN(p, threads: ws.threads)
        let encoder = encoderForward(batch, encoderRNN, p, ws: ws)
        PassPhase.ended(.encoderForward)
        let (eps, z) = sampleLatent(batch, latent, encoder, ws: ws)
        // The decoder's code [z; c]: z itself without classes.
        var code = z, classLatent: ClassLatent?
        if K > 0 {
            let C = config.code
            code = ws.code.reserve(B * C)
            for row in 0..<B { (code + row * C).update(from: z + row * Z, count: Z) }
            classLatent = ClassLatent.forward(
                batch, classes ?? .mostLikely(count: B), hT: encoder.hT, hidden: config.encoderStates, p,
                settings: settings, code: code, stride: C, column: Z, classes: K, ws: ws)
        }
        let (decoderInputs, decoderCache) = decoderForward(batch, code: code, decoderRNN, p, ws: ws)
        PassPhase.ended(.decoderForward)
        let outputStates = droppedOut(decoderCache.out, mask: batch.decoderOutputMask, ws: ws)
        let (logits, nll) = outputForward(batch, states: outputStates, p, training: training ? settings.meanOver(B) : nil, ws: ws)
        let latentLoss = LatentLoss.forward(mu: encoder.mu, logv: encoder.logv, rows: B, latent: Z, settings: settings)
        // An adversarial prior's term and, in training, its gradient with respect to z (times β): one pass of D.
        var adversarial: [Float]?, adversarialGradient: [Float]?
        if let adversary = settings.adversary, training {
            var dz = [Float](repeating: 0, count: B * Z)
            adversarial = adversary.encoderTerm(z, rows: B, meanOver: settings.meanOver(B), scale: settings.beta, dz: &dz)
            adversarialGradient = dz
        } else if let adversary = settings.adversary {
            adversarial = adversary.encoderTerm(z, rows: B, meanOver: settings.meanOver(B), scale: settings.beta, dz: nil)
        }
        return ForwardPass(
            batch: batch, latent: latent, settings: settings, encoder: encoder, encoderRNN: encoderRNN, decoderRNN: decoderRNN,
            eps: eps, z: z, code: code, classLatent: classLatent, decoderInputs: decoderInputs, decoderCache: decoderCache,
            outputStates: outputStates,
            logits: logits, nll: nll,
            latentLoss: latentLoss, adversarial: adversarial, adversarialGradient: adversarialGradient)
    }

    /// z for each row (packed order), from μ, or μ + σ ⊙ ε, or given; ε and z arrive in the caller's order.
    func sampleLatent(_ batch: Batch, _ latent: LatentChoice, _ encoder: EncoderPass, ws: Workspace)
        -> (eps: UnsafeMutablePointer<Float>, z: UnsafeMutablePointer<Float>)
    {
        let B = batch.count, Z = config.latent
        let z = ws.z.reserve(B * Z), eps = ws.eps.reserve(B * Z)
        switch latent {
        case .mean:
            z.update(from: encoder.mu, count: B * Z)
        case .sample(let e), .given(let e):
            precondition(e.count == B * Z, "latent input must be B×Z")
            for (row, s) in batch.order.enumerated() {
                for j in 0..<Z { eps[row * Z + j] = e[s * Z + j] }
            }
            if case .given = latent {
                z.update(from: eps, count: B * Z)
            } else {
                GaussianLatent.reparameterise(mu: encoder.mu, logv: encoder.logv, eps: eps, count: B * Z, into: z)
            }
        }
        return (eps, z)
    }

    /// h0 = W_zh code + b_zh, then the decoder RNN over `<bos>` + tokens (with the code beside each input when
    /// `latentToInputs`). The code is z, or [z; c] in a model with classes, (B, Z + K). Outputs (N_dec, H) are the cache's `out`.
    func decoderForward(_ batch: Batch, code: UnsafePointer<Float>, _ rnn: RNN, _ p: ParameterPointers, ws: Workspace)
        -> (RNNInputs, RNN.Cache)
    {
        let (B, H, C) = (batch.count, config.hidden, config.code)
        let h0 = ws.h0.reserve(B * H)  // (B, H)
        Linear.forward(code, rows: B, input: C, output: H, weight: p[.latentWeight], bias: p[.latentBias], into: h0, threads: ws.threads)
        let inputs = decoderInputs(
            batch.decoderInputs, words: batch.decoderWords, sequences: batch.decoder, code: code,
            mask: batch.decoderInputMask, p, ws: ws)
        let cache = ws.decoder.cache(for: rnn, rows: batch.decoder.total, inputRows: inputs.rows, batch: B)
        rnn.forward(inputs, h0: h0, batch.decoder, cache)
        return (inputs, cache)
    }

    /// The decoder's input rows: one embedding per distinct word, or per position (it differs at every
    /// position) with `latentToInputs`, `[embedding; code]`, or with embedding dropout, the masked embedding.
    /// (U or N_dec, D).
    func decoderInputs(
        _ ids: [Int32], words: DistinctWords, sequences dec: PackedSequences, code: UnsafePointer<Float>,
        mask: [Float]?, _ p: ParameterPointers, ws: Workspace
    ) -> RNNInputs {
        let (E, C, D) = (config.embedding, config.code, config.decoderInput)
        guard config.latentToInputs || mask != nil else {
            return .words(words, embedding: p[.embedding], width: E, x: ws.decX, slots: ws.decoderSlots)
        }
        let x = ws.decX.reserve(dec.total * D)
        if config.latentToInputs {
            Embedding.gatherBesideLatent(
                p[.embedding], width: E, ids: ids, latent: code, dimension: C, latentRows: dec.rowOfPosition, into: x)
        } else {
            ids.withUnsafeBufferPointer {
                Embedding.gather(p[.embedding], width: E, ids: $0.baseAddress!, count: ids.count, into: x, stride: E)
            }
        }
        if let mask { Self.multiplyColumns(x, rows: dec.total, stride: D, by: mask, width: E) }
        return RNNInputs(x: x, rows: dec.total, slots: nil)
    }

    /// The decoder states the output layer reads: the RNN's own, or with output dropout a masked copy (the RNN's
    /// backward pass needs its states as they were).
    func droppedOut(_ states: UnsafeMutablePointer<Float>, mask: [Float]?, ws: Workspace) -> UnsafeMutablePointer<Float> {
        guard let mask else { return states }
        let dropped = ws.droppedStates.reserve(mask.count)
        for i in mask.indices { dropped[i] = states[i] * mask[i] }
        return dropped
    }

    /// x[k, 0..<width] ⊙= mask[k, 0..<width] for each of `rows` rows `stride` apart: a dropout mask applied
    /// (forward) or its gradient taken (backward: the same product).
    static func multiplyColumns(_ x: UnsafeMutablePointer<Float>, rows: Int, stride: Int, by mask: [Float], width: Int) {
        precondition(mask.count == rows * width, "one mask value per element")
        for k in 0..<rows {
            for j in 0..<width { x[k * stride + j] *= mask[k * width + j] }
        }
    }

    /// logits = states W_oᵀ + b_o (N_dec, V) and the NLL of each target; in training (`training`: the
    /// sentences the loss is a mean over), the softmax leaves d loss / d logits in place of the logits.
    /// With an adaptive softmax, its head's logits, and its tails' in its own buffers (`AdaptiveSoftmax`).
    func outputForward(_ batch: Batch, states: UnsafePointer<Float>, _ p: ParameterPointers, training meanOver: Int?, ws: Workspace)
        -> (logits: UnsafeMutablePointer<Float>, nll: UnsafeMutablePointer<Float>)
    {
        let (V, H, N) = (config.vocabulary, config.hidden, batch.decoder.total)
        let nll = ws.nll.reserve(N)
        if let adaptive = config.adaptiveSoftmax {
            // The head's logits (or their gradient) stay in the adaptive softmax's buffers; `logits` is the head's.
            batch.targets.withUnsafeBufferPointer { targets in
                adaptive.forward(
                    states: states, rows: N, targets: targets.baseAddress!, AdaptiveSoftmax.Weights(p, tails: adaptive.tails),
                    nll: nll, gradientScale: meanOver.map { 1 / Float($0) }, buffers: ws.adaptive, threads: ws.threads)
            }
            PassPhase.ended(.outputForward)
            PassPhase.ended(.softmaxCrossEntropy)
            return (ws.adaptive.head.pointer, nll)
        }
        let logits = ws.logits.reserve(N * V)
        if meanOver == nil, let layer = ws.outputLayer, layer.vocabulary == V, layer.hidden == H {
            // Scoring a trained model: no gradient flows back through these logits.
            layer.scoreLogits(states, rows: N, into: logits, pairs: ws.scoringPairs, threads: ws.threads)
        } else if meanOver != nil, let products = ws.trainingProducts {
            products.logits(
                states, rows: N, weight: p[.outputWeight], bias: p[.outputBias], vocabulary: V, hidden: H, into: logits,
                threads: ws.threads)
        } else {
            Linear.forward(
                states, rows: N, input: H, output: V, weight: p[.outputWeight], bias: p[.outputBias], into: logits,
                threads: ws.threads)
        }
        PassPhase.ended(.outputForward)
        batch.targets.withUnsafeBufferPointer { targets in
            SoftmaxCrossEntropy.apply(
                logits, rows: N, classes: V, targets: targets.baseAddress!, nll: nll,
                gradientScale: meanOver.map { 1 / Float($0) }, threads: ws.threads)
        }
        PassPhase.ended(.softmaxCrossEntropy)
        return (logits, nll)
    }

    /// The decoder's recurrent network over the parameters.
    func decoderRNN(_ p: ParameterPointers, threads: Int) -> RNN {
        RNN(
            input: config.decoderInput, hidden: config.hidden, weightIH: p[.decoderWeightIH], weightHH: p[.decoderWeightHH],
            biasIH: p[.decoderBiasIH], biasHH: p[.decoderBiasHH], threads: threads, cell: config.cell)
    }
}
