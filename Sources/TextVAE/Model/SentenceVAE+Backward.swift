extension SentenceVAE {
    /// Adds d loss / d parameters into `g`, from what `forward(training: true)` left in `pass`:
    /// output layer, decoder RNN, latent, encoder RNN, in that order (the reverse of the forward).
    func backward(_ pass: ForwardPass, _ p: ParameterPointers, _ g: GradientPointers, ws: Workspace) {
        let dDecoderOut = outputBackward(pass.decoder, p, g, ws: ws)
        PassPhase.ended(.outputBackward)
        let dCode = decoderBackward(pass.decoder, dOut: dDecoderOut, p, g, ws: ws)
        PassPhase.ended(.decoderBackward)
        let dhT = latentBackward(pass, dCode: dCode, p, g, ws: ws)
        if let classLatent = pass.classLatent {
            classLatent.backward(
                hT: pass.encoder.hT, hidden: config.encoderStates, code: pass.code, dCode: dCode, stride: config.code,
                column: config.latent, settings: pass.settings, p, g, dhT: dhT, ws: ws)
        }
        encoderBackward(pass, dhT: dhT, g, ws: ws)
        PassPhase.ended(.encoderBackward)
    }

    /// dW_o += dlogitsᵀ states, db_o += Σ_rows dlogits; returns d loss / d decoder states (N_dec, H)
    /// (through the output dropout mask, when there is one).
    /// - Parameter weights: false when only the states' gradient is wanted (refining a code): W_o's product, as
    ///   costly as the states' own, is skipped, and `g`'s output tensors are left as they are.
    func outputBackward(
        _ pass: DecoderPass, _ p: ParameterPointers, _ g: GradientPointers, weights: Bool = true, ws: Workspace
    ) -> UnsafeMutablePointer<Float> {
        let (V, H, N) = (config.vocabulary, config.hidden, pass.batch.decoder.total)
        let dLogits = pass.logits, states = pass.outputStates, threads = ws.threads
        if let adaptive = config.adaptiveSoftmax {
            let dStates = ws.dOut.reserve(N * H)
            adaptive.backward(
                states: states, rows: N, AdaptiveSoftmax.Weights(p, tails: adaptive.tails),
                gradient: weights ? AdaptiveSoftmax.Weights.Gradient(g, tails: adaptive.tails) : nil, dStates: dStates,
                buffers: ws.adaptive, threads: threads)
            if let mask = pass.batch.decoderOutputMask { Self.multiplyColumns(dStates, rows: N, stride: H, by: mask, width: H) }
            return dStates
        }
        if weights {
            if let products = ws.trainingProducts {
                products.addWeightGradient(
                    dLogits, states: states, rows: N, vocabulary: V, hidden: H, into: g[.outputWeight], threads: threads)
            } else {
                BLAS.gemm(
                    transposeA: true, m: V, n: H, k: N, dLogits, lda: V, states, ldb: H, beta: 1, g[.outputWeight], ldc: H,
                    threads: threads)
            }
            // db_o += 1ᵀ dlogits: each core sums its part of the columns (a memory-bound pass over N×V).
            let dOutputBias = g[.outputBias]
            Parallel.forEachChunk(of: V, parts: threads) { _, columns in
                addColumnSums(
                    dLogits + columns.lowerBound, rows: N, columns: columns.count, stride: V,
                    into: dOutputBias + columns.lowerBound)
            }
        }
        let dStates = ws.dOut.reserve(N * H)
        if let products = ws.trainingProducts {
            products.statesGradient(dLogits, rows: N, weight: p[.outputWeight], vocabulary: V, hidden: H, into: dStates, threads: threads)
            if let mask = pass.batch.decoderOutputMask { Self.multiplyColumns(dStates, rows: N, stride: H, by: mask, width: H) }
            return dStates
        }
        // dH = dlogits W_o, split over the vocabulary rather than over rows: each core multiplies
        // its part of the words and packs only its part of W_o (a row split packs all 10 MB of
        // it on every core), then the partial sums are added.
        let partial = ws.partialSum.reserve(max(1, threads - 1) * N * H)
        Parallel.forEachChunk(of: V, parts: threads) { part, words in
            BLAS.gemm(
                m: N, n: H, k: words.count, dLogits + words.lowerBound, lda: V, p[.outputWeight] + words.lowerBound * H,
                ldb: H, beta: 0, part == 0 ? dStates : partial + (part - 1) * N * H, ldc: H, threads: 1)
        }
        for part in 1..<max(1, threads) {
            let sum = partial + (part - 1) * N * H
            for i in 0..<N * H { dStates[i] += sum[i] }
        }
        if let mask = pass.batch.decoderOutputMask { Self.multiplyColumns(dStates, rows: N, stride: H, by: mask, width: H) }
        return dStates
    }

    /// Through the decoder RNN into its weights, the embedding and W_zh; returns d loss / d code (B, Z + K) from
    /// h0 (and from each input row with `latentToInputs`).
    func decoderBackward(
        _ pass: DecoderPass, dOut: UnsafeMutablePointer<Float>, _ p: ParameterPointers, _ g: GradientPointers,
        ws: Workspace
    ) -> UnsafeMutablePointer<Float> {
        let (B, E, H, C, D) = (pass.batch.count, config.embedding, config.hidden, config.code, config.decoderInput)
        let dec = pass.batch.decoder, inputs = pass.inputs
        let rows = max(dec.total, pass.encoderRows), inputRows = max(inputs.rows, pass.encoderInputRows)
        let dX = ws.dX.reserve(inputs.rows * D), dh0 = ws.dh0.reserve(B * H)
        let G = pass.rnn.gateWidth
        let dGi = ws.dGi.reserve(rows * G), dGh = ws.dGh.reserve(rows * G), dGiRows = ws.dGiRows.reserve(inputRows * G)
        pass.rnn.backward(
            inputs, dec, pass.cache, dOut: dOut, dX: dX, dh0: dh0, dGi: dGi, dGh: dGh, dGiRows: dGiRows,
            dMemory: ws.dMemory.reserve(rows * H),
            dWeightIH: g[.decoderWeightIH], dWeightHH: g[.decoderWeightHH],
            dBiasIH: g[.decoderBiasIH], dBiasHH: g[.decoderBiasHH])
        let inputMask = pass.batch.decoderInputMask
        if let inputMask { Self.multiplyColumns(dX, rows: dec.total, stride: D, by: inputMask, width: E) }
        let perPosition = config.latentToInputs || inputMask != nil  // as `decoderInputs` chose
        (perPosition ? pass.batch.decoderInputs : pass.batch.decoderWords.words).withUnsafeBufferPointer { ids in
            Embedding.scatterAdd(dX, stride: D, ids: ids.baseAddress!, count: ids.count, width: E, into: g[.embedding])
        }
        let dCode = ws.dz.reserve(B * C)
        dCode.update(repeating: 0, count: B * C)
        if config.latentToInputs {
            for t in 0..<dec.steps {
                for row in 0..<dec.active[t] {
                    let src = dX + dec.index(step: t, row: row) * D + E
                    for j in 0..<C { dCode[row * C + j] += src[j] }
                }
            }
        }
        Linear.backward(
            pass.code, rows: B, input: C, output: H, weight: p[.latentWeight], dOut: dh0,
            dWeight: g[.latentWeight], dBias: g[.latentBias], dInput: dCode, accumulateInput: true, threads: ws.threads)
        return dCode
    }

    /// z = μ + exp(½ log σ²) ε, plus β ∂KL (`LatentLoss`), back into W_μ, W_logv; returns d loss / d h_T (B, S: H,
    /// or 2H for a bidirectional encoder).
    /// - Parameter dCode: d loss / d code (B, Z + K): dz is its first Z columns.
    func latentBackward(
        _ pass: ForwardPass, dCode: UnsafePointer<Float>, _ p: ParameterPointers, _ g: GradientPointers,
        ws: Workspace
    ) -> UnsafeMutablePointer<Float> {
        let (B, S, Z, C) = (pass.batch.count, config.encoderStates, config.latent, config.code)
        let (mu, logv, eps) = (pass.encoder.mu, pass.encoder.logv, pass.eps)
        let dMu = ws.dmu.reserve(B * Z), dLogv = ws.dlogv.reserve(B * Z)
        let sampled = pass.latent.isSample, zFromMu = pass.latent.dependsOnMean
        // An adversarial prior's gradient reaches z (the forward pass made it), and through it μ and log σ².
        let dz = pass.adversarialGradient
        for row in 0..<B {
            for j in 0..<Z {
                let k = row * Z + j
                let s = zFromMu ? dCode[row * C + j] + (dz?[k] ?? 0) : 0
                dMu[k] = s
                dLogv[k] = sampled ? s * eps[k] * 0.5 * VectorMath.fastExp(0.5 * logv[k]) : 0
            }
        }
        if pass.settings.adversary == nil {
            pass.latentLoss.backward(
                mu: mu, logv: logv, rows: B, latent: Z, beta: pass.settings.beta,
                meanOver: pass.settings.meanOver(B), dMu: dMu, dLogv: dLogv)
        }
        let hT = pass.encoder.hT, dhT = ws.dhT.reserve(B * S)
        Linear.backward(
            hT, rows: B, input: S, output: Z, weight: p[.meanWeight], dOut: dMu,
            dWeight: g[.meanWeight], dBias: g[.meanBias], dInput: dhT, accumulateInput: false, threads: ws.threads)
        Linear.backward(
            hT, rows: B, input: S, output: Z, weight: p[.logvWeight], dOut: dLogv,
            dWeight: g[.logvWeight], dBias: g[.logvBias], dInput: dhT, accumulateInput: true, threads: ws.threads)
        return dhT
    }

    /// Through the encoder RNN (the gradient enters only at each sentence's last state) into its weights and the
    /// embedding; for a bidirectional encoder, through the reverse RNN too, from the last H columns of `dhT`.
    func encoderBackward(_ pass: ForwardPass, dhT: UnsafePointer<Float>, _ g: GradientPointers, ws: Workspace) {
        let forward: [ParameterTensor] = [.encoderWeightIH, .encoderWeightHH, .encoderBiasIH, .encoderBiasHH]
        directionBackward(pass, pass.encoderRNN, pass.encoder.inputs, pass.encoder.cache, dhT: dhT, column: 0, forward, g, ws: ws)
        if let reverse = pass.encoder.reverse {
            let tensors: [ParameterTensor] = [
                .encoderReverseWeightIH, .encoderReverseWeightHH, .encoderReverseBiasIH, .encoderReverseBiasHH,
            ]
            directionBackward(pass, reverse.rnn, reverse.inputs, reverse.cache, dhT: dhT, column: config.hidden, tensors, g, ws: ws)
        }
    }

    /// One direction of the encoder: d loss / d its last states (columns `column..<column + H` of `dhT`'s rows) back
    /// into its four tensors (weight_ih, weight_hh, bias_ih, bias_hh) and the embedding.
    private func directionBackward(
        _ pass: ForwardPass, _ rnn: RNN, _ inputs: RNNInputs, _ cache: RNN.Cache, dhT: UnsafePointer<Float>, column: Int,
        _ tensors: [ParameterTensor], _ g: GradientPointers, ws: Workspace
    ) {
        let (E, H, S, G) = (config.embedding, config.hidden, config.encoderStates, rnn.gateWidth)
        let enc = pass.batch.encoder
        let rows = max(pass.batch.decoder.total, enc.total), inputRows = max(pass.decoderInputs.rows, inputs.rows)
        let dOut = ws.dOut.reserve(enc.total * H)
        dOut.update(repeating: 0, count: enc.total * H)
        for (row, k) in pass.batch.encoderLast.enumerated() { (dOut + k * H).update(from: dhT + row * S + column, count: H) }
        let dX = ws.dX.reserve(inputs.rows * E)
        rnn.backward(
            inputs, enc, cache, dOut: dOut, dX: dX, dh0: nil,
            dGi: ws.dGi.reserve(rows * G), dGh: ws.dGh.reserve(rows * G), dGiRows: ws.dGiRows.reserve(inputRows * G),
            dMemory: ws.dMemory.reserve(rows * H),
            dWeightIH: g[tensors[0]], dWeightHH: g[tensors[1]], dBiasIH: g[tensors[2]], dBiasHH: g[tensors[3]])
        pass.batch.encoderWords.words.withUnsafeBufferPointer { ids in
            Embedding.scatterAdd(dX, stride: E, ids: ids.baseAddress!, count: ids.count, width: E, into: g[.embedding])
        }
    }
}
