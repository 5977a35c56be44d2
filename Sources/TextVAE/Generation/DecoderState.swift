/// The decoder's running state for R rows: each row's state h (R, H) (and an LSTM's memory, (R, H)) and
/// its code (R, Z + K): z, then c in a model with classes. Everything about how one decoder step is computed lives here;
/// the decoding methods only choose words and which rows go on.
struct DecoderState {
    let config: ModelConfig
    let ws: DecoderWorkspace
    let rnn: RNN
    let embedding: UnsafePointer<Float>, outputWeight: UnsafePointer<Float>, outputBias: UnsafePointer<Float>
    /// The adaptive softmax's tensors, in a model that has one.
    let adaptiveWeights: AdaptiveSoftmax.Weights?
    let latentWeight: UnsafePointer<Float>, latentBias: UnsafePointer<Float>
    private(set) var rows: Int
    private var sequence: PackedSequences

    /// h0 = W_zh code + b_zh for each row of `code` (R, Z + K); an LSTM's memory starts at zero.
    init(_ model: SentenceVAE, _ p: ParameterPointers, code z: UnsafePointer<Float>, rows R: Int, workspace: DecoderWorkspace) {
        let c = model.config
        config = c
        ws = workspace
        rnn = model.decoderRNN(p, threads: workspace.threads)
        embedding = p[.embedding]
        outputWeight = p[.outputWeight]
        outputBias = p[.outputBias]
        adaptiveWeights = c.adaptiveSoftmax.map { AdaptiveSoftmax.Weights(p, tails: $0.tails) }
        latentWeight = p[.latentWeight]
        latentBias = p[.latentBias]
        rows = R
        sequence = PackedSequences(lengths: [Int](repeating: 1, count: R))
        ws.z.reserve(R * c.code).update(from: z, count: R * c.code)
        Linear.forward(
            z, rows: R, input: c.code, output: c.hidden, weight: p[.latentWeight], bias: p[.latentBias],
            into: ws.h.reserve(R * c.hidden), threads: ws.threads)
        if c.cell == .lstm { ws.memory.reserve(R * c.hidden).update(repeating: 0, count: R * c.hidden) }
    }

    /// Feeds one word per row (`<bos>` first) and returns the logits of the
    /// next word, (R, V), valid until the next call. With an adaptive softmax they are its log-probabilities,
    /// which are logits of the same distribution.
    mutating func step(_ inputs: [Int32]) -> UnsafeMutablePointer<Float> {
        precondition(inputs.count == rows, "one input word per row")
        let (E, Z, H, D, V, R) = (config.embedding, config.code, config.hidden, config.decoderInput, config.vocabulary, rows)
        let x: RNNInputs
        if config.latentToInputs {
            let rows = ws.x.reserve(R * D)  // (R, D): [embedding; code]
            Embedding.gatherBesideLatent(
                embedding, width: E, ids: inputs, latent: ws.z.pointer, dimension: Z, latentRows: 0..<R, into: rows)
            x = RNNInputs(x: rows, rows: R, slots: nil)
        } else {
            // Rows sharing a word share its projection.
            x = .words(DistinctWords(inputs), embedding: embedding, width: E, x: ws.x, slots: ws.slots)
        }
        let cache = ws.rnn.cache(for: rnn, rows: R, inputRows: x.rows, batch: R, packing: false)  // one step: nothing to pack for
        let lstm = config.cell == .lstm
        // One position per row, from the current state.
        rnn.forward(x, h0: ws.h.pointer, c0: lstm ? ws.memory.pointer : nil, sequence, cache)
        ws.h.pointer.update(from: cache.out, count: R * H)
        if lstm {
            let S = rnn.savedWidth
            for r in 0..<R { (ws.memory.pointer + r * H).update(from: cache.gates + r * S + 4 * H, count: H) }
        }
        let logits = ws.logits.reserve(R * V)
        if let adaptive = config.adaptiveSoftmax, let adaptiveWeights {
            adaptive.logProbabilities(
                states: ws.h.pointer, rows: R, adaptiveWeights, into: logits, buffers: ws.adaptive, threads: ws.threads)
        } else if let layer = ws.outputLayer, layer.vocabulary == V, layer.hidden == H, R <= BF16OutputLayer.mostRows {
            layer.logits(ws.h.pointer, rows: R, into: logits, threads: ws.threads)
        } else {
            Linear.forward(
                ws.h.pointer, rows: R, input: H, output: V, weight: outputWeight, bias: outputBias, into: logits,
                threads: ws.threads)
        }
        return logits
    }

    /// Adds `n` rows after the running ones, from their codes (n, Z + K): h0 = W_zh code + b_zh (and an LSTM's memory 0).
    mutating func append(codes: UnsafePointer<Float>, rows n: Int) {
        let (H, Z, R) = (config.hidden, config.code, rows)
        if config.cell == .lstm {
            let c = ws.memoryNext.reserve(R * H)
            c.update(from: ws.memory.pointer, count: R * H)
            let newC = ws.memory.reserve((R + n) * H)
            newC.update(from: c, count: R * H)
            (newC + R * H).update(repeating: 0, count: n * H)
        }
        // Growing a buffer does not keep its contents: the running rows wait in the spare buffers meanwhile.
        let h = ws.hNext.reserve(R * H), z = ws.zNext.reserve(R * Z)
        h.update(from: ws.h.pointer, count: R * H)
        z.update(from: ws.z.pointer, count: R * Z)
        let newH = ws.h.reserve((R + n) * H), newZ = ws.z.reserve((R + n) * Z)
        newH.update(from: h, count: R * H)
        newZ.update(from: z, count: R * Z)
        (newZ + R * Z).update(from: codes, count: n * Z)
        Linear.forward(
            codes, rows: n, input: Z, output: H, weight: latentWeight, bias: latentBias, into: newH + R * H, threads: ws.threads)
        rows = R + n
        sequence = PackedSequences(lengths: [Int](repeating: 1, count: rows))
    }

    /// Row i of the new state continues old row `parents[i]` (rows may repeat or drop out).
    mutating func keep(_ parents: [Int]) {
        let (H, Z) = (config.hidden, config.code)
        let R = parents.count
        let h = ws.hNext.reserve(R * H), z = ws.zNext.reserve(R * Z)
        let c = config.cell == .lstm ? ws.memoryNext.reserve(R * H) : nil
        for (i, r) in parents.enumerated() {
            precondition(r >= 0 && r < rows, "parent row out of range")
            (h + i * H).update(from: ws.h.pointer + r * H, count: H)
            (z + i * Z).update(from: ws.z.pointer + r * Z, count: Z)
            c.map { ($0 + i * H).update(from: ws.memory.pointer + r * H, count: H) }
        }
        ws.h.reserve(R * H).update(from: h, count: R * H)
        ws.z.reserve(R * Z).update(from: z, count: R * Z)
        if let c { ws.memory.reserve(R * H).update(from: c, count: R * H) }
        if R != rows { sequence = PackedSequences(lengths: [Int](repeating: 1, count: R)) }
        rows = R
    }
}
