/// A single-layer recurrent network over packed sequences, of GRU cells (`GRUCell`) or LSTM cells (`LSTMCell`).
///
/// Weights are fused per gate block, as PyTorch's: W_ih [G·H, D], W_hh [G·H, H], biases [G·H], with G the cell's
/// `gateBlocks`. The input projections W_ih x + b_ih are one matrix product over the *distinct* inputs
/// (`RNNInputs`): a word that occurs forty times in a batch is projected once. Each step then needs only the
/// recurrent product of its active rows.
struct RNN {
    let input: Int  // D
    let hidden: Int  // H
    let weightIH: UnsafePointer<Float>  // (G·H, D)
    let weightHH: UnsafePointer<Float>  // (G·H, H)
    let biasIH: UnsafePointer<Float>  // (G·H)
    let biasHH: UnsafePointer<Float>  // (G·H)
    /// Threads that share the rows of the recurrence and split the large products.
    var threads = Workspace.defaultThreads
    var cell = RecurrentCell.gru

    /// G·H: the width of a projection.
    var gateWidth: Int { cell.gateBlocks * hidden }
    /// What a position keeps for the backward pass (`RecurrentCell.savedBlocks`).
    var savedWidth: Int { cell.savedBlocks * hidden }

    /// What the forward pass keeps for the backward pass.
    struct Cache {
        let gi: UnsafeMutablePointer<Float>  // (U, G·H) input projection of each distinct input
        let hPrev: UnsafeMutablePointer<Float>  // (N, H) state entering each position
        /// (N, savedWidth) what each position's cell keeps (`GRUCell`, `LSTMCell`); an LSTM's memory is in it.
        let gates: UnsafeMutablePointer<Float>
        let out: UnsafeMutablePointer<Float>  // (N, H) state leaving each position
        let gh: UnsafeMutablePointer<Float>  // (B, G·H) scratch for one step
        /// (G·H · H) room for W_hh packed for `VectorKernels.gemmPacked`; nil: OpenBLAS for every step.
        var packed: UnsafeMutablePointer<Float>? = nil
    }

    /// Runs the network. `h0` (B, H) is the initial state, nil for zeros; `c0` (B, H) an LSTM's initial memory, nil
    /// for zeros (the backward pass assumes zeros).
    func forward(_ inputs: RNNInputs, h0: UnsafePointer<Float>?, c0: UnsafePointer<Float>? = nil, _ seq: PackedSequences, _ c: Cache) {
        project(inputs, into: c.gi)
        recur(slots: inputs.slots, h0: h0, c0: c0, seq, c)
    }

    /// gi = W_ih x + b_ih for each distinct input row, (U, G·H).
    func project(_ inputs: RNNInputs, into gi: UnsafeMutablePointer<Float>) {
        let G = gateWidth, U = inputs.rows
        for row in 0..<U { (gi + row * G).update(from: biasIH, count: G) }
        BLAS.gemm(
            transposeB: true, m: U, n: G, k: input, inputs.x, lda: input, weightIH, ldb: input, beta: 1, gi, ldc: G, threads: threads)
    }

    /// The recurrence, from input projections already in `c.gi` (see `project`):
    /// position k reads row `slots[k]` of them (row k without slots).
    /// - Parameter history: keep every position's entering state and gates, which
    ///   `backward` needs. Without (inference), `c.hPrev` is unused and `c.gates`
    ///   and `c.out` hold one row per sequence, (B, ·), updated in place at each
    ///   step, so that `c.out` ends with each sequence's last state and memory does
    ///   not grow with the sentences' length.
    func recur(
        slots: UnsafePointer<Int32>?, h0: UnsafePointer<Float>?, c0: UnsafePointer<Float>? = nil, _ seq: PackedSequences, _ c: Cache,
        history: Bool = true
    ) {
        let H = hidden, G = gateWidth, S = savedWidth
        // Rows never exchange anything inside the recurrence, so each thread takes every
        // `parts`-th row through all the steps on its own: small single-threaded products,
        // no hand-over between threads at each step (splitting each step's product cost
        // more in waiting than it saved), and the gates are computed on both cores.
        let parts = parts(rows: seq.rows)
        let states = history ? c.hPrev : c.out  // where the state entering a step is read
        // gh = h W_hhᵀ at every step: W_hhᵀ (H × G·H) packed once for all steps when the kernel can.
        let packed = c.packed.flatMap { VectorKernels.canPack(columns: G) && seq.steps > 1 ? $0 : nil }
        if let packed { VectorKernels.pack(weightHH, transposed: true, ldb: H, k: H, n: G, into: packed, threads: threads) }
        Parallel.forEach(parts) { part in
            for t in 0..<seq.steps {
                let o = seq.offsets[t], b = RNN.rowCount(active: seq.active[t], part: part, parts: parts)
                if b == 0 { break }  // lengths do not increase: this part's rows have all ended
                let first = history ? o : 0  // storage row of (step t, sequence 0)
                for r in stride(from: part, to: seq.active[t], by: parts) {
                    let hp = states + (first + r) * H
                    if t > 0 {
                        if history { hp.update(from: c.out + (seq.offsets[t - 1] + r) * H, count: H) }
                    } else {
                        if let h0 { hp.update(from: h0 + r * H, count: H) } else { hp.update(repeating: 0, count: H) }
                        // An LSTM's first memory goes where the position's own will be (see `memory`).
                        if cell == .lstm {
                            let memory = c.gates + (first + r) * S + 4 * H
                            if let c0 { memory.update(from: c0 + r * H, count: H) } else { memory.update(repeating: 0, count: H) }
                        }
                    }
                    (c.gh + r * G).update(from: biasHH, count: G)
                }
                if t > 0 || h0 != nil {
                    // gh rows part, part + parts, ...: W_hh h + b_hh.
                    if let packed {
                        VectorKernels.gemmPacked(
                            m: b, n: G, k: H, a: states + (first + part) * H, lda: parts * H, packed: packed,
                            c: c.gh + part * G, ldc: parts * G)
                    } else {
                        BLAS.gemm(
                            transposeB: true, m: b, n: G, k: H, states + (first + part) * H, lda: parts * H, weightHH, ldb: H,
                            beta: 1, c.gh + part * G, ldc: parts * G, threads: 1)
                    }
                }
                for r in stride(from: part, to: seq.active[t], by: parts) {
                    let gi = c.gi + (slots.map { Int($0[o + r]) } ?? o + r) * G
                    let saved = c.gates + (first + r) * S
                    // Without history, h and out are the same row: the state is updated in place.
                    switch cell {
                    case .gru:
                        GRUCell.forward(
                            gi: gi, gh: c.gh + r * G, h: states + (first + r) * H, saved: saved, out: c.out + (first + r) * H, hidden: H)
                    case .lstm:
                        LSTMCell.forward(
                            gi: gi, gh: c.gh + r * G, cPrev: memory(t: t, row: r, seq, c, history: history), saved: saved,
                            out: c.out + (first + r) * H, hidden: H)
                    }
                }
            }
        }
    }

    /// The memory an LSTM position starts from: the row's previous position's c (with history), or the row's own,
    /// updated in place (without); at a row's first position, the c0 that `recur` wrote where its c will go.
    private func memory(t: Int, row r: Int, _ seq: PackedSequences, _ c: Cache, history: Bool) -> UnsafePointer<Float> {
        let position = history ? (t > 0 ? seq.offsets[t - 1] : seq.offsets[t]) + r : r
        return UnsafePointer(c.gates + position * savedWidth + 4 * hidden)
    }

    /// Gradients of the network, accumulated into `grads` (W_ih, W_hh, b_ih, b_hh).
    /// - Parameters:
    ///   - dOut: (N, H) gradient of the loss with respect to each output state;
    ///     overwritten (it carries the gradient back through time).
    ///   - dX: (U, D) receives the gradient with respect to each distinct input
    ///     (summed over the positions that share it), if wanted.
    ///   - dh0: (B, H) receives the gradient with respect to h0, if wanted.
    ///   - dGi, dGh: (N, G·H) scratch; dGiRows: (U, G·H) scratch, used when inputs are shared.
    ///   - dMemory: (N, H) scratch for an LSTM (its memory's gradient, carried back through time); unused by a GRU.
    func backward(
        _ inputs: RNNInputs, _ seq: PackedSequences, _ c: Cache,
        dOut: UnsafeMutablePointer<Float>, dX: UnsafeMutablePointer<Float>?, dh0: UnsafeMutablePointer<Float>?,
        dGi: UnsafeMutablePointer<Float>, dGh: UnsafeMutablePointer<Float>, dGiRows: UnsafeMutablePointer<Float>,
        dMemory: UnsafeMutablePointer<Float>? = nil,
        dWeightIH: UnsafeMutablePointer<Float>, dWeightHH: UnsafeMutablePointer<Float>,
        dBiasIH: UnsafeMutablePointer<Float>, dBiasHH: UnsafeMutablePointer<Float>
    ) {
        let H = hidden, G = gateWidth, S = savedWidth, N = seq.total, U = inputs.rows
        precondition(cell != .lstm || dMemory != nil, "an LSTM's backward pass needs room for its memory's gradient")
        dMemory?.update(repeating: 0, count: N * H)
        // As in `forward`, each thread takes every `parts`-th row back through all the steps.
        let parts = parts(rows: seq.rows)
        // dh_prev += dgh W_hh at every step: W_hh (G·H × H) packed once, as in `recur`.
        let packed = c.packed.flatMap { VectorKernels.canPack(columns: H) && seq.steps > 1 ? $0 : nil }
        if let packed { VectorKernels.pack(weightHH, transposed: false, ldb: H, k: G, n: H, into: packed, threads: threads) }
        Parallel.forEach(parts) { part in
            for t in stride(from: seq.steps - 1, through: 0, by: -1) {
                let o = seq.offsets[t], b = RNN.rowCount(active: seq.active[t], part: part, parts: parts)
                if b == 0 { continue }
                // Where the gradient for the state entering step t goes.
                let dPrev: UnsafeMutablePointer<Float>? = t > 0 ? dOut + seq.offsets[t - 1] * H : dh0
                for i in stride(from: part, to: seq.active[t], by: parts) {
                    let k = o + i, dh = dOut + k * H, dgi = dGi + k * G, dgh = dGh + k * G
                    switch cell {
                    case .gru:
                        GRUCell.backward(
                            saved: c.gates + k * S, h: c.hPrev + k * H, dh: dh, dgi: dgi, dgh: dgh, dPrev: dPrev.map { $0 + i * H },
                            accumulate: t > 0, hidden: H)
                    case .lstm:
                        // The previous position's c is where that position keeps it.
                        let previous = t > 0 ? seq.offsets[t - 1] + i : nil
                        LSTMCell.backward(
                            saved: c.gates + k * S, cPrev: previous.map { UnsafePointer(c.gates + $0 * S + 4 * H) }, dh: dh,
                            dc: dMemory! + k * H, da: dgi, dcPrev: previous.map { dMemory! + $0 * H }, hidden: H)
                        dgh.update(from: dgi, count: G)  // both sides of a gate's sum get the same gradient
                        // h_prev's gradient comes only through W_hh; at t = 0 the product below adds onto zeros.
                        if t == 0, let dh0 { (dh0 + i * H).update(repeating: 0, count: H) }
                    }
                }
                if let dPrev {
                    if let packed {
                        VectorKernels.gemmPacked(
                            m: b, n: H, k: G, a: dGh + (o + part) * G, lda: parts * G, packed: packed,
                            c: dPrev + part * H, ldc: parts * H)
                    } else {
                        BLAS.gemm(
                            m: b, n: H, k: G, dGh + (o + part) * G, lda: parts * G, weightHH, ldb: H, beta: 1,
                            dPrev + part * H, ldc: parts * H, threads: 1)
                    }
                }
            }
        }
        // Positions that share an input share its projection: sum their gradients
        // first, so the input-side products run over U rows instead of N.
        var dg = UnsafePointer(dGi)
        if let slots = inputs.slots {
            dGiRows.update(repeating: 0, count: U * G)
            for k in 0..<N {
                let src = dGi + k * G, dst = dGiRows + Int(slots[k]) * G
                for j in 0..<G { dst[j] += src[j] }
            }
            dg = UnsafePointer(dGiRows)
        }
        BLAS.gemm(
            transposeA: true, m: G, n: input, k: U, dg, lda: G, inputs.x, ldb: input, beta: 1, dWeightIH, ldc: input, threads: threads)
        BLAS.gemm(transposeA: true, m: G, n: H, k: N, dGh, lda: G, c.hPrev, ldb: H, beta: 1, dWeightHH, ldc: H, threads: threads)
        addColumnSums(dg, rows: U, columns: G, into: dBiasIH)
        addColumnSums(dGh, rows: N, columns: G, into: dBiasHH)
        if let dX {
            BLAS.gemm(m: U, n: input, k: G, dg, lda: G, weightIH, ldb: input, beta: 0, dX, ldc: input, threads: threads)
        }
    }

    /// How many threads share the rows of the recurrence: at most one per 8 rows
    /// (fewer rows per thread make products too small to be worth a thread).
    func parts(rows: Int) -> Int { max(1, min(threads, rows / 8)) }

    /// Rows part, part + parts, ... below `active`.
    @inline(__always) static func rowCount(active: Int, part: Int, parts: Int) -> Int {
        active > part ? (active - part + parts - 1) / parts : 0
    }
}
