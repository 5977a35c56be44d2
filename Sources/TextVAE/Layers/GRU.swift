/// A single-layer GRU over packed sequences, with PyTorch's gate order r, z, n:
///
///     r  = σ(W_ir x + b_ir + W_hr h + b_hr)
///     u  = σ(W_iz x + b_iz + W_hz h + b_hz)
///     n  = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
///     h' = (1 − u) ⊙ n + u ⊙ h
///
/// Weights are fused per gate block: W_ih [3H, D], W_hh [3H, H], biases [3H].
/// The input projections W_ih x + b_ih are one matrix product over the
/// *distinct* inputs (`GRUInputs`): a word that occurs forty times in a batch is
/// projected once. Each step then needs only the recurrent product of its active rows.
struct GRU {
    let input: Int  // D
    let hidden: Int  // H
    let weightIH: UnsafePointer<Float>  // (3H, D)
    let weightHH: UnsafePointer<Float>  // (3H, H)
    let biasIH: UnsafePointer<Float>  // (3H)
    let biasHH: UnsafePointer<Float>  // (3H)
    /// Threads that share the rows of the recurrence and split the large products.
    var threads = Workspace.defaultThreads

    /// What the forward pass keeps for the backward pass.
    struct Cache {
        let gi: UnsafeMutablePointer<Float>  // (U, 3H) input projection of each distinct input
        let hPrev: UnsafeMutablePointer<Float>  // (N, H) state entering each position
        let gates: UnsafeMutablePointer<Float>  // (N, 4H) r, u, n, W_hn h + b_hn
        let out: UnsafeMutablePointer<Float>  // (N, H) state leaving each position
        let gh: UnsafeMutablePointer<Float>  // (B, 3H) scratch for one step
        /// (3H · H) room for W_hh packed for `VectorKernels.gemmPacked`; nil: OpenBLAS for every step.
        var packed: UnsafeMutablePointer<Float>? = nil
    }

    /// Runs the GRU. `h0` (B, H) is the initial state, nil for zeros.
    func forward(_ inputs: GRUInputs, h0: UnsafePointer<Float>?, _ seq: PackedSequences, _ c: Cache) {
        project(inputs, into: c.gi)
        recur(slots: inputs.slots, h0: h0, seq, c)
    }

    /// gi = W_ih x + b_ih for each distinct input row, (U, 3H).
    func project(_ inputs: GRUInputs, into gi: UnsafeMutablePointer<Float>) {
        let H3 = 3 * hidden, U = inputs.rows
        for row in 0..<U { (gi + row * H3).update(from: biasIH, count: H3) }
        BLAS.gemm(
            transposeB: true, m: U, n: H3, k: input, inputs.x, lda: input, weightIH, ldb: input, beta: 1, gi, ldc: H3, threads: threads)
    }

    /// The recurrence, from input projections already in `c.gi` (see `project`):
    /// position k reads row `slots[k]` of them (row k without slots).
    /// - Parameter history: keep every position's entering state and gates, which
    ///   `backward` needs. Without (inference), `c.hPrev` is unused and `c.gates`
    ///   and `c.out` hold one row per sequence, (B, ·), updated in place at each
    ///   step, so that `c.out` ends with each sequence's last state and memory does
    ///   not grow with the sentences' length.
    func recur(slots: UnsafePointer<Int32>?, h0: UnsafePointer<Float>?, _ seq: PackedSequences, _ c: Cache, history: Bool = true) {
        let H = hidden, H3 = 3 * hidden
        // Rows never exchange anything inside the recurrence, so each thread takes every
        // `parts`-th row through all the steps on its own: small single-threaded products,
        // no hand-over between threads at each step (splitting each step's product cost
        // more in waiting than it saved), and the gates are computed on both cores.
        let parts = parts(rows: seq.rows)
        let states = history ? c.hPrev : c.out  // where the state entering a step is read
        // gh = h W_hhᵀ at every step: W_hhᵀ (H × 3H) packed once for all steps when the kernel can.
        let packed = c.packed.flatMap { VectorKernels.canPack(columns: H3) && seq.steps > 1 ? $0 : nil }
        if let packed { VectorKernels.pack(weightHH, transposed: true, ldb: H, k: H, n: H3, into: packed, threads: threads) }
        Parallel.forEach(parts) { part in
            for t in 0..<seq.steps {
                let o = seq.offsets[t], b = GRU.rowCount(active: seq.active[t], part: part, parts: parts)
                if b == 0 { break }  // lengths do not increase: this part's rows have all ended
                let first = history ? o : 0  // storage row of (step t, sequence 0)
                for r in stride(from: part, to: seq.active[t], by: parts) {
                    let hp = states + (first + r) * H
                    if t > 0 {
                        if history { hp.update(from: c.out + (seq.offsets[t - 1] + r) * H, count: H) }
                    } else if let h0 {
                        hp.update(from: h0 + r * H, count: H)
                    } else {
                        hp.update(repeating: 0, count: H)
                    }
                    (c.gh + r * H3).update(from: biasHH, count: H3)
                }
                if t > 0 || h0 != nil {
                    // gh rows part, part + parts, ...: W_hh h + b_hh.
                    if let packed {
                        VectorKernels.gemmPacked(
                            m: b, n: H3, k: H, a: states + (first + part) * H, lda: parts * H, packed: packed,
                            c: c.gh + part * H3, ldc: parts * H3)
                    } else {
                        BLAS.gemm(
                            transposeB: true, m: b, n: H3, k: H, states + (first + part) * H, lda: parts * H, weightHH, ldb: H,
                            beta: 1, c.gh + part * H3, ldc: parts * H3, threads: 1)
                    }
                }
                for r in stride(from: part, to: seq.active[t], by: parts) {
                    let gi = c.gi + (slots.map { Int($0[o + r]) } ?? o + r) * H3
                    // Without history, h and out are the same row: the state is updated in place.
                    GRU.gates(
                        gi: gi, gh: c.gh + r * H3, h: states + (first + r) * H, gates: c.gates + (first + r) * 4 * H,
                        out: c.out + (first + r) * H, hidden: H)
                }
            }
        }
    }

    /// Gradients of the GRU, accumulated into `grads` (W_ih, W_hh, b_ih, b_hh).
    /// - Parameters:
    ///   - dOut: (N, H) gradient of the loss with respect to each output state;
    ///     overwritten (it carries the gradient back through time).
    ///   - dX: (U, D) receives the gradient with respect to each distinct input
    ///     (summed over the positions that share it), if wanted.
    ///   - dh0: (B, H) receives the gradient with respect to h0, if wanted.
    ///   - dGi, dGh: (N, 3H) scratch; dGiRows: (U, 3H) scratch, used when inputs are shared.
    func backward(
        _ inputs: GRUInputs, _ seq: PackedSequences, _ c: Cache,
        dOut: UnsafeMutablePointer<Float>, dX: UnsafeMutablePointer<Float>?, dh0: UnsafeMutablePointer<Float>?,
        dGi: UnsafeMutablePointer<Float>, dGh: UnsafeMutablePointer<Float>, dGiRows: UnsafeMutablePointer<Float>,
        dWeightIH: UnsafeMutablePointer<Float>, dWeightHH: UnsafeMutablePointer<Float>,
        dBiasIH: UnsafeMutablePointer<Float>, dBiasHH: UnsafeMutablePointer<Float>
    ) {
        let H = hidden, H3 = 3 * hidden, N = seq.total, U = inputs.rows
        // As in `forward`, each thread takes every `parts`-th row back through all the steps.
        let parts = parts(rows: seq.rows)
        // dh_prev += dgh W_hh at every step: W_hh (3H × H) packed once, as in `recur`.
        let packed = c.packed.flatMap { VectorKernels.canPack(columns: H) && seq.steps > 1 ? $0 : nil }
        if let packed { VectorKernels.pack(weightHH, transposed: false, ldb: H, k: H3, n: H, into: packed, threads: threads) }
        Parallel.forEach(parts) { part in
            for t in stride(from: seq.steps - 1, through: 0, by: -1) {
                let o = seq.offsets[t], b = GRU.rowCount(active: seq.active[t], part: part, parts: parts)
                if b == 0 { continue }
                // Where the gradient for the state entering step t goes.
                let dPrev: UnsafeMutablePointer<Float>? = t > 0 ? dOut + seq.offsets[t - 1] * H : dh0
                for i in stride(from: part, to: seq.active[t], by: parts) {
                    let g = c.gates + (o + i) * 4 * H, h = c.hPrev + (o + i) * H, dh = dOut + (o + i) * H
                    let dgi = dGi + (o + i) * H3, dgh = dGh + (o + i) * H3
                    for j in 0..<H {
                        let r = g[j], u = g[H + j], n = g[2 * H + j], ghn = g[3 * H + j]
                        let d = dh[j]
                        let dn = d * (1 - u) * (1 - n * n)
                        let du = d * (h[j] - n) * u * (1 - u)
                        let dr = dn * ghn * r * (1 - r)
                        dgi[j] = dr; dgi[H + j] = du; dgi[2 * H + j] = dn
                        dgh[j] = dr; dgh[H + j] = du; dgh[2 * H + j] = dn * r
                    }
                    if let dPrev {
                        let dp = dPrev + i * H
                        if t > 0 {
                            for j in 0..<H { dp[j] += dh[j] * g[H + j] }
                        } else {
                            for j in 0..<H { dp[j] = dh[j] * g[H + j] }
                        }
                    }
                }
                if let dPrev {
                    if let packed {
                        VectorKernels.gemmPacked(
                            m: b, n: H, k: H3, a: dGh + (o + part) * H3, lda: parts * H3, packed: packed,
                            c: dPrev + part * H, ldc: parts * H)
                    } else {
                        BLAS.gemm(
                            m: b, n: H, k: H3, dGh + (o + part) * H3, lda: parts * H3, weightHH, ldb: H, beta: 1,
                            dPrev + part * H, ldc: parts * H, threads: 1)
                    }
                }
            }
        }
        // Positions that share an input share its projection: sum their gradients
        // first, so the input-side products run over U rows instead of N.
        var dg = UnsafePointer(dGi)
        if let slots = inputs.slots {
            dGiRows.update(repeating: 0, count: U * H3)
            for k in 0..<N {
                let src = dGi + k * H3, dst = dGiRows + Int(slots[k]) * H3
                for j in 0..<H3 { dst[j] += src[j] }
            }
            dg = UnsafePointer(dGiRows)
        }
        BLAS.gemm(
            transposeA: true, m: H3, n: input, k: U, dg, lda: H3, inputs.x, ldb: input, beta: 1, dWeightIH, ldc: input, threads: threads)
        BLAS.gemm(transposeA: true, m: H3, n: H, k: N, dGh, lda: H3, c.hPrev, ldb: H, beta: 1, dWeightHH, ldc: H, threads: threads)
        addColumnSums(dg, rows: U, columns: H3, into: dBiasIH)
        addColumnSums(dGh, rows: N, columns: H3, into: dBiasHH)
        if let dX {
            BLAS.gemm(m: U, n: input, k: H3, dg, lda: H3, weightIH, ldb: input, beta: 0, dX, ldc: input, threads: threads)
        }
    }

    /// One position's gates from its projections gi = W_ih x + b_ih and gh = W_hh h + b_hh (3H each):
    /// gates (4H) receives r, u, n and W_hn h + b_hn (what `backward` needs), out (H) the new state.
    /// `out` may be `h` itself. Runs the AVX2 kernel when the CPU has it (`VectorKernels`).
    @inline(__always)
    static func gates(
        gi: UnsafePointer<Float>, gh: UnsafePointer<Float>, h: UnsafePointer<Float>, gates: UnsafeMutablePointer<Float>,
        out: UnsafeMutablePointer<Float>, hidden H: Int
    ) {
        if VectorKernels.avx2 {
            VectorKernels.gatesAVX2(gi: gi, gh: gh, h: h, gates: gates, out: out, hidden: H)
        } else {
            gatesSwift(gi: gi, gh: gh, h: h, gates: gates, out: out, hidden: H)
        }
    }

    /// `gates` in Swift: the fallback, and the reference for the AVX2 kernel. One simple loop
    /// per quantity, each touching two or three arrays: a single loop over seven pointers that
    /// may alias does not vectorise.
    static func gatesSwift(
        gi: UnsafePointer<Float>, gh: UnsafePointer<Float>, h: UnsafePointer<Float>, gates rg: UnsafeMutablePointer<Float>,
        out: UnsafeMutablePointer<Float>, hidden H: Int
    ) {
        let u = rg + H, n = rg + 2 * H, ghn = rg + 3 * H
        for j in 0..<2 * H { rg[j] = VectorMath.sigmoid(gi[j] + gh[j]) }  // r and u
        ghn.update(from: gh + 2 * H, count: H)
        let gin = gi + 2 * H
        for j in 0..<H { n[j] = VectorMath.tanh(gin[j] + rg[j] * ghn[j]) }
        for j in 0..<H { out[j] = n[j] + u[j] * (h[j] - n[j]) }  // (1 − u) n + u h
    }

    /// How many threads share the rows of the recurrence: at most one per 8 rows
    /// (fewer rows per thread make products too small to be worth a thread).
    func parts(rows: Int) -> Int { max(1, min(threads, rows / 8)) }

    /// Rows part, part + parts, ... below `active`.
    @inline(__always) static func rowCount(active: Int, part: Int, parts: Int) -> Int {
        active > part ? (active - part + parts - 1) / parts : 0
    }
}
