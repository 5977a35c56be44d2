/// Bowman et al.'s sentence VAE with GRUs, as SPEC.md's "The model" defines it.
///
/// Encoder: GRU over the sentence's embeddings; μ and log σ² from its last state.
/// Decoder: GRU started from h0 = W_zh z + b_zh, fed `<bos>` + tokens (with z
/// concatenated when `latentToInputs`), predicting tokens + `<eos>`.
public struct SentenceVAE {
    public let config: ModelConfig
    public let layout: ParameterLayout
    /// All tensors, in SPEC order, as one block (see `ParameterLayout`).
    public var parameters: [Float]

    public init(config: ModelConfig, parameters: [Float]) {
        self.config = config
        layout = ParameterLayout(config)
        precondition(parameters.count == layout.total, "parameter count does not match the configuration")
        self.parameters = parameters
    }

    public init(config: ModelConfig, seed: UInt64) {
        self.init(config: config, parameters: ParameterLayout(config).initialParameters(seed: seed))
    }

    public func tensor(_ t: ParameterTensor) -> ArraySlice<Float> { parameters[layout.range(t)] }
}

/// Which z the decoder gets.
public enum LatentChoice {
    /// z = μ (deterministic reconstruction).
    case mean
    /// z = μ + σ ⊙ ε with the given ε (B×Z, caller's order).
    case sample([Float])
    /// z given outright (B×Z, caller's order); the encoder still runs for μ and KL.
    case given([Float])
}

/// What a forward pass computed, per sentence in the caller's order.
public struct BatchResult {
    /// rec(x) = −Σ_t log p(x_t | x_<t, z), summed over the T + 1 targets.
    public var rec: [Float]
    /// KL(q(z|x) ‖ N(0, I)) per sentence.
    public var kl: [Float]
    public var mu: [Float]    // (B, Z)
    public var logv: [Float]  // (B, Z)
    public var z: [Float]     // (B, Z)
    /// The batch loss: mean of rec + β·KL (or the free-bits form).
    public var loss: Float
    /// Per-target NLL in packed order (for tests and importance sampling).
    var targetNLL: [Float]
}

/// The loss's knobs for one step.
public struct LossSettings {
    /// Weight of the KL term.
    public var beta: Float = 1
    /// Free bits λ per latent dimension (0 = off): KL → Σ_j max(λ, mean_batch KL_j).
    public var freeBits: Float = 0

    public init(beta: Float = 1, freeBits: Float = 0) {
        self.beta = beta
        self.freeBits = freeBits
    }
}

extension SentenceVAE {
    /// Runs the model on a batch. With `gradient`, also accumulates d loss / d parameters into it.
    public func run(_ batch: Batch, latent: LatentChoice, loss settings: LossSettings = LossSettings(),
                    gradient: UnsafeMutablePointer<Float>? = nil, workspace ws: Workspace) -> BatchResult {
        parameters.withUnsafeBufferPointer { p in
            run(batch, latent: latent, settings: settings, p: p.baseAddress!, gradient: gradient, ws: ws)
        }
    }

    private func run(_ batch: Batch, latent: LatentChoice, settings: LossSettings, p: UnsafePointer<Float>,
                     gradient g: UnsafeMutablePointer<Float>?, ws: Workspace) -> BatchResult {
        let (V, E, H, Z) = (config.vocabulary, config.embedding, config.hidden, config.latent)
        let D = config.decoderInput
        let B = batch.count
        let enc = batch.encoder, dec = batch.decoder
        let (nEnc, nDec) = (enc.total, dec.total)
        func at(_ t: ParameterTensor) -> UnsafePointer<Float> { p + layout.offsets[t.rawValue] }
        func grad(_ t: ParameterTensor) -> UnsafeMutablePointer<Float> { g! + layout.offsets[t.rawValue] }

        let encoderGRU = encoderGRU(p)
        let decoderGRU = GRU(input: D, hidden: H, weightIH: at(.decoderWeightIH), weightHH: at(.decoderWeightHH),
                             biasIH: at(.decoderBiasIH), biasHH: at(.decoderBiasHH))

        let (encInputs, encCache, hT, mu, logv) = encoderForward(batch, encoderGRU, p: p, ws: ws)
        let lastIndices = enc.lastIndices
        PhaseProfile.lap(.encoderForward)

        // Latent. Buffers are in packed row order; ε and z arrive in the caller's order.
        let z = ws.z.reserve(B * Z), eps = ws.eps.reserve(B * Z)
        switch latent {
        case .mean:
            z.update(from: mu, count: B * Z)
        case .sample(let e), .given(let e):
            precondition(e.count == B * Z, "latent input must be B×Z")
            for (row, s) in batch.order.enumerated() {
                for j in 0..<Z { eps[row * Z + j] = e[s * Z + j] }
            }
            if case .given = latent {
                z.update(from: eps, count: B * Z)
            } else {
                GaussianLatent.reparameterise(mu: mu, logv: logv, eps: eps, count: B * Z, into: z)
            }
        }

        // Decoder. h0: (B, H), x: (N_dec, D), outputs (N_dec, H), logits (N_dec, V).
        let h0 = ws.h0.reserve(B * H)
        Linear.forward(z, rows: B, input: Z, output: H, weight: at(.latentWeight), bias: at(.latentBias), into: h0)
        let decInputs: GRUInputs
        if config.latentToInputs {
            // [embedding; z] differs at every position: one input row per position.
            let decX = ws.decX.reserve(nDec * D)
            batch.decoderInputs.withUnsafeBufferPointer { ids in
                Embedding.gather(at(.embedding), width: E, ids: ids.baseAddress!, count: nDec, into: decX, stride: D)
            }
            for t in 0..<dec.steps {
                for row in 0..<dec.active[t] {
                    (decX + dec.index(step: t, row: row) * D + E).update(from: z + row * Z, count: Z)
                }
            }
            decInputs = GRUInputs(x: decX, rows: nDec, slots: nil)
        } else {
            decInputs = .words(batch.decoderWords, embedding: at(.embedding), width: E, x: ws.decX, slots: ws.decoderSlots)
        }
        let decCache = ws.cache(ws.decoder, rows: nDec, inputRows: decInputs.rows, batch: B, hidden: H)
        decoderGRU.forward(decInputs, h0: h0, dec, decCache)
        PhaseProfile.lap(.decoderForward)
        let logits = ws.logits.reserve(nDec * V)
        Linear.forward(decCache.out, rows: nDec, input: H, output: V, weight: at(.outputWeight), bias: at(.outputBias), into: logits)
        PhaseProfile.lap(.outputForward)
        let nll = ws.nll.reserve(nDec)
        batch.targets.withUnsafeBufferPointer { targets in
            SoftmaxCrossEntropy.apply(logits, rows: nDec, classes: V, targets: targets.baseAddress!, nll: nll,
                                      gradientScale: g == nil ? nil : 1 / Float(B))
        }
        PhaseProfile.lap(.softmaxCrossEntropy)

        // Per-sentence figures, packed row order.
        var recRow = [Float](repeating: 0, count: B)
        for t in 0..<dec.steps {
            for row in 0..<dec.active[t] { recRow[row] += nll[dec.index(step: t, row: row)] }
        }
        let klDims = GaussianLatent.klPerDimension(mu: mu, logv: logv, count: B * Z)  // (B, Z)
        var klRow = [Float](repeating: 0, count: B)
        for row in 0..<B { for j in 0..<Z { klRow[row] += klDims[row * Z + j] } }
        let meanRec = recRow.reduce(0, +) / Float(B)
        var klTerm = klRow.reduce(0, +) / Float(B)
        var klActive = [Bool](repeating: true, count: Z)  // dimensions whose KL gets a gradient
        if settings.freeBits > 0 {
            klTerm = 0
            for j in 0..<Z {
                var mean: Float = 0
                for row in 0..<B { mean += klDims[row * Z + j] }
                mean /= Float(B)
                klTerm += max(settings.freeBits, mean)
                klActive[j] = mean > settings.freeBits
            }
        }
        let loss = meanRec + settings.beta * klTerm

        if g != nil {
            // Output layer: dlogits (N_dec, V) is in `logits` now.
            BLAS.gemm(transposeA: true, m: V, n: H, k: nDec, logits, lda: V, decCache.out, ldb: H, beta: 1, grad(.outputWeight), ldc: H)
            // db_o += 1ᵀ dlogits: each core sums its half of the columns (a memory-bound pass over N×V).
            let dOutputBias = grad(.outputBias)
            let columnParts = BLAS.threads
            Parallel.forEach(columnParts) { part in
                let lo = part * V / columnParts, hi = (part + 1) * V / columnParts
                addColumnSums(logits + lo, rows: nDec, columns: hi - lo, stride: V, into: dOutputBias + lo)
            }
            // dH = dlogits W_o, split over the vocabulary rather than over rows: each core multiplies
            // its half of the words and packs only its half of W_o (a row split packs all 10 MB of
            // it in both), then the two partial sums are added.
            let dDecOut = ws.dOut.reserve(nDec * H), partial = ws.partialSum.reserve(max(1, BLAS.threads - 1) * nDec * H)
            let wordParts = BLAS.threads
            Parallel.forEach(wordParts) { part in
                let lo = part * V / wordParts, hi = (part + 1) * V / wordParts
                BLAS.gemm(m: nDec, n: H, k: hi - lo, logits + lo, lda: V, at(.outputWeight) + lo * H, ldb: H, beta: 0,
                          part == 0 ? dDecOut : partial + (part - 1) * nDec * H, ldc: H, split: false)
            }
            for part in 1..<max(1, wordParts) {
                let p = partial + (part - 1) * nDec * H
                for i in 0..<nDec * H { dDecOut[i] += p[i] }
            }
            PhaseProfile.lap(.outputBackward)

            // Decoder GRU.
            let dDecX = ws.dX.reserve(decInputs.rows * D), dh0 = ws.dh0.reserve(B * H)
            let dGi = ws.dGi.reserve(max(nDec, nEnc) * 3 * H), dGh = ws.dGh.reserve(max(nDec, nEnc) * 3 * H)
            let dGiRows = ws.dGiRows.reserve(max(decInputs.rows, encInputs.rows) * 3 * H)
            decoderGRU.backward(decInputs, dec, decCache, dOut: dDecOut, dX: dDecX, dh0: dh0, dGi: dGi, dGh: dGh, dGiRows: dGiRows,
                                dWeightIH: grad(.decoderWeightIH), dWeightHH: grad(.decoderWeightHH),
                                dBiasIH: grad(.decoderBiasIH), dBiasHH: grad(.decoderBiasHH))
            (config.latentToInputs ? batch.decoderInputs : batch.decoderWords.words).withUnsafeBufferPointer { ids in
                Embedding.scatterAdd(dDecX, stride: D, ids: ids.baseAddress!, count: ids.count, width: E, into: grad(.embedding))
            }
            PhaseProfile.lap(.decoderBackward)
            let dz = ws.dz.reserve(B * Z)
            dz.update(repeating: 0, count: B * Z)
            if config.latentToInputs {
                for t in 0..<dec.steps {
                    for row in 0..<dec.active[t] {
                        let src = dDecX + dec.index(step: t, row: row) * D + E
                        for j in 0..<Z { dz[row * Z + j] += src[j] }
                    }
                }
            }
            Linear.backward(z, rows: B, input: Z, output: H, weight: at(.latentWeight), dOut: dh0,
                            dWeight: grad(.latentWeight), dBias: grad(.latentBias), dInput: dz, accumulateInput: true)

            // Latent: z = μ + exp(½ logv) ε, plus β ∂KL.
            let dmu = ws.dmu.reserve(B * Z), dlogv = ws.dlogv.reserve(B * Z)
            let klScale = settings.beta / Float(B)
            let sampled: Bool = if case .sample = latent { true } else { false }
            let zFromMu: Bool = if case .given = latent { false } else { true }
            for row in 0..<B {
                for j in 0..<Z {
                    let k = row * Z + j
                    let s = zFromMu ? dz[k] : 0
                    dmu[k] = s
                    dlogv[k] = sampled ? s * eps[k] * 0.5 * VectorMath.fastExp(0.5 * logv[k]) : 0
                    if klActive[j] {
                        dmu[k] += klScale * mu[k]
                        dlogv[k] += klScale * 0.5 * (VectorMath.fastExp(logv[k]) - 1)
                    }
                }
            }
            let dhT = ws.dhT.reserve(B * H)
            Linear.backward(hT, rows: B, input: H, output: Z, weight: at(.meanWeight), dOut: dmu,
                            dWeight: grad(.meanWeight), dBias: grad(.meanBias), dInput: dhT, accumulateInput: false)
            Linear.backward(hT, rows: B, input: H, output: Z, weight: at(.logvWeight), dOut: dlogv,
                            dWeight: grad(.logvWeight), dBias: grad(.logvBias), dInput: dhT, accumulateInput: true)

            // Encoder GRU: gradient enters only at each sentence's last state.
            let dEncOut = ws.dOut.reserve(nEnc * H)
            dEncOut.update(repeating: 0, count: nEnc * H)
            for (row, k) in lastIndices.enumerated() { (dEncOut + k * H).update(from: dhT + row * H, count: H) }
            let dEncX = ws.dX.reserve(encInputs.rows * E)
            encoderGRU.backward(encInputs, enc, encCache, dOut: dEncOut, dX: dEncX, dh0: nil, dGi: dGi, dGh: dGh, dGiRows: dGiRows,
                                dWeightIH: grad(.encoderWeightIH), dWeightHH: grad(.encoderWeightHH),
                                dBiasIH: grad(.encoderBiasIH), dBiasHH: grad(.encoderBiasHH))
            batch.encoderWords.words.withUnsafeBufferPointer { ids in
                Embedding.scatterAdd(dEncX, stride: E, ids: ids.baseAddress!, count: ids.count, width: E, into: grad(.embedding))
            }
            PhaseProfile.lap(.encoderBackward)
        }

        // Back to the caller's order.
        var result = BatchResult(rec: recRow, kl: klRow, mu: [], logv: [], z: [], loss: loss, targetNLL: ws.nll.array(nDec))
        var muOut = [Float](repeating: 0, count: B * Z), logvOut = muOut, zOut = muOut
        for (row, s) in batch.order.enumerated() {
            result.rec[s] = recRow[row]
            result.kl[s] = klRow[row]
            for j in 0..<Z { muOut[s * Z + j] = mu[row * Z + j]; logvOut[s * Z + j] = logv[row * Z + j]; zOut[s * Z + j] = z[row * Z + j] }
        }
        result.mu = muOut; result.logv = logvOut; result.z = zOut
        return result
    }
}

extension SentenceVAE {
    /// The posterior q(z|x) of each sentence: μ and log σ² (B×Z each, caller's order).
    /// Runs only the encoder.
    public func encode(_ batch: Batch, workspace ws: Workspace) -> (mu: [Float], logv: [Float]) {
        parameters.withUnsafeBufferPointer { buffer in
            let p = buffer.baseAddress!
            let (_, _, _, mu, logv) = encoderForward(batch, encoderGRU(p), p: p, ws: ws)
            let Z = config.latent
            var muOut = [Float](repeating: 0, count: batch.count * Z), logvOut = muOut
            for (row, s) in batch.order.enumerated() {
                for j in 0..<Z { muOut[s * Z + j] = mu[row * Z + j]; logvOut[s * Z + j] = logv[row * Z + j] }
            }
            return (muOut, logvOut)
        }
    }

    /// Embeddings → GRU → last state → μ, log σ², in the workspace (packed row order).
    fileprivate func encoderForward(_ batch: Batch, _ gru: GRU, p: UnsafePointer<Float>, ws: Workspace)
        -> (inputs: GRUInputs, cache: GRU.Cache, hT: UnsafeMutablePointer<Float>,
            mu: UnsafeMutablePointer<Float>, logv: UnsafeMutablePointer<Float>) {
        let (E, H) = (config.embedding, config.hidden)
        let B = batch.count, enc = batch.encoder, nEnc = enc.total
        func at(_ t: ParameterTensor) -> UnsafePointer<Float> { p + layout.offsets[t.rawValue] }
        let inputs = GRUInputs.words(batch.encoderWords, embedding: at(.embedding), width: E, x: ws.encX, slots: ws.encoderSlots)
        let cache = ws.cache(ws.encoder, rows: nEnc, inputRows: inputs.rows, batch: B, hidden: H)
        gru.forward(inputs, h0: nil, enc, cache)
        let (hT, mu, logv) = posterior(enc, states: cache.out, history: true, p: p, ws: ws)
        return (inputs, cache, hT, mu, logv)
    }

    /// The encoder's last state of each row (B, H), and μ, log σ² from it (B, Z each), packed row order.
    /// - Parameter states: the GRU's `out`: per position with `history`, else per row (see `GRU.recur`).
    func posterior(_ enc: PackedSequences, states out: UnsafePointer<Float>, history: Bool, p: UnsafePointer<Float>, ws: Workspace)
        -> (hT: UnsafeMutablePointer<Float>, mu: UnsafeMutablePointer<Float>, logv: UnsafeMutablePointer<Float>) {
        let (H, Z, B) = (config.hidden, config.latent, enc.rows)
        func at(_ t: ParameterTensor) -> UnsafePointer<Float> { p + layout.offsets[t.rawValue] }
        let hT = ws.hT.reserve(B * H)  // (B, H) last state of each row
        for (row, k) in enc.lastIndices.enumerated() { (hT + row * H).update(from: out + (history ? k : row) * H, count: H) }
        let mu = ws.mu.reserve(B * Z), logv = ws.logv.reserve(B * Z)
        Linear.forward(hT, rows: B, input: H, output: Z, weight: at(.meanWeight), bias: at(.meanBias), into: mu)
        Linear.forward(hT, rows: B, input: H, output: Z, weight: at(.logvWeight), bias: at(.logvBias), into: logv)
        return (hT, mu, logv)
    }

    /// The encoder's GRU over the parameters at `p`.
    func encoderGRU(_ p: UnsafePointer<Float>) -> GRU {
        func at(_ t: ParameterTensor) -> UnsafePointer<Float> { p + layout.offsets[t.rawValue] }
        return GRU(input: config.embedding, hidden: config.hidden, weightIH: at(.encoderWeightIH), weightHH: at(.encoderWeightHH),
                   biasIH: at(.encoderBiasIH), biasHH: at(.encoderBiasHH))
    }
}

extension BatchResult {
    /// Per-target NLL of each sentence (T + 1 values, `<eos>` last), in the caller's order.
    public func targetNLLInCallerOrder(_ batch: Batch) -> [[Float]] {
        var out = [[Float]](repeating: [], count: batch.count)
        for (row, s) in batch.order.enumerated() {
            out[s] = (0..<batch.decoder.lengths[row]).map { targetNLL[batch.decoder.index(step: $0, row: row)] }
        }
        return out
    }
}
