/// A single-layer GRU over packed sequences, with PyTorch's gate order r, z, n:
///
///     r  = σ(W_ir x + b_ir + W_hr h + b_hr)
///     u  = σ(W_iz x + b_iz + W_hz h + b_hz)
///     n  = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
///     h' = (1 − u) ⊙ n + u ⊙ h
///
/// Weights are fused per gate block: W_ih [3H, D], W_hh [3H, H], biases [3H].
/// The input projections of all time steps are one matrix product; each step
/// then needs only the recurrent product of its active rows.
struct GRU {
    let input: Int   // D
    let hidden: Int  // H
    let weightIH: UnsafePointer<Float>  // (3H, D)
    let weightHH: UnsafePointer<Float>  // (3H, H)
    let biasIH: UnsafePointer<Float>    // (3H)
    let biasHH: UnsafePointer<Float>    // (3H)

    /// What the forward pass keeps for the backward pass.
    struct Cache {
        let gi: UnsafeMutablePointer<Float>     // (N, 3H) input projections, then scratch
        let hPrev: UnsafeMutablePointer<Float>  // (N, H) state entering each position
        let gates: UnsafeMutablePointer<Float>  // (N, 4H) r, u, n, W_hn h + b_hn
        let out: UnsafeMutablePointer<Float>    // (N, H) state leaving each position
        let gh: UnsafeMutablePointer<Float>     // (B, 3H) scratch for one step
    }

    /// Runs the GRU. `h0` (B, H) is the initial state, nil for zeros.
    /// - Parameters:
    ///   - x: (N, D) packed inputs.
    func forward(_ x: UnsafePointer<Float>, h0: UnsafePointer<Float>?, _ seq: PackedSequences, _ c: Cache) {
        let H = hidden, H3 = 3 * hidden, N = seq.total
        for row in 0..<N { (c.gi + row * H3).update(from: biasIH, count: H3) }
        BLAS.gemm(transposeB: true, m: N, n: H3, k: input, x, lda: input, weightIH, ldb: input, beta: 1, c.gi, ldc: H3)

        for t in 0..<seq.steps {
            let b = seq.active[t], o = seq.offsets[t]
            let hp = c.hPrev + o * H
            if t > 0 {
                hp.update(from: c.out + seq.offsets[t - 1] * H, count: b * H)
            } else if let h0 {
                hp.update(from: h0, count: b * H)
            } else {
                hp.update(repeating: 0, count: b * H)
            }
            for row in 0..<b { (c.gh + row * H3).update(from: biasHH, count: H3) }
            if t > 0 || h0 != nil {
                BLAS.gemm(transposeB: true, m: b, n: H3, k: H, hp, lda: H, weightHH, ldb: H, beta: 1, c.gh, ldc: H3)
            }
            for i in 0..<b {
                // One simple loop per quantity, each touching two or three arrays: a single
                // loop over seven pointers that may alias does not vectorise.
                let gi = c.gi + (o + i) * H3, gh = c.gh + i * H3, h = hp + i * H, out = c.out + (o + i) * H
                let r = c.gates + (o + i) * 4 * H, u = r + H, n = r + 2 * H, ghn = r + 3 * H
                for j in 0..<2 * H { r[j] = gi[j] + gh[j] }  // r and u pre-activations
                for j in 0..<2 * H { r[j] = VectorMath.sigmoid(r[j]) }
                ghn.update(from: gh + 2 * H, count: H)
                for j in 0..<H { n[j] = gi[2 * H + j] + r[j] * ghn[j] }
                for j in 0..<H { n[j] = VectorMath.tanh(n[j]) }
                for j in 0..<H { out[j] = n[j] + u[j] * (h[j] - n[j]) }  // (1 − u) n + u h
            }
        }
    }

    /// Gradients of the GRU, accumulated into `grads` (W_ih, W_hh, b_ih, b_hh).
    /// - Parameters:
    ///   - dOut: (N, H) gradient of the loss with respect to each output state;
    ///     overwritten (it carries the gradient back through time).
    ///   - dX: (N, D) receives the gradient with respect to the inputs, if wanted.
    ///   - dh0: (B, H) receives the gradient with respect to h0, if wanted.
    ///   - dGi, dGh: (N, 3H) scratch.
    func backward(_ x: UnsafePointer<Float>, _ seq: PackedSequences, _ c: Cache,
                  dOut: UnsafeMutablePointer<Float>, dX: UnsafeMutablePointer<Float>?, dh0: UnsafeMutablePointer<Float>?,
                  dGi: UnsafeMutablePointer<Float>, dGh: UnsafeMutablePointer<Float>,
                  dWeightIH: UnsafeMutablePointer<Float>, dWeightHH: UnsafeMutablePointer<Float>,
                  dBiasIH: UnsafeMutablePointer<Float>, dBiasHH: UnsafeMutablePointer<Float>) {
        let H = hidden, H3 = 3 * hidden, N = seq.total
        for t in stride(from: seq.steps - 1, through: 0, by: -1) {
            let b = seq.active[t], o = seq.offsets[t]
            // Where the gradient for the state entering step t goes.
            let dPrev: UnsafeMutablePointer<Float>? = t > 0 ? dOut + seq.offsets[t - 1] * H : dh0
            for i in 0..<b {
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
                BLAS.gemm(m: b, n: H, k: H3, dGh + o * H3, lda: H3, weightHH, ldb: H, beta: 1, dPrev, ldc: H)
            }
        }
        BLAS.gemm(transposeA: true, m: H3, n: input, k: N, dGi, lda: H3, x, ldb: input, beta: 1, dWeightIH, ldc: input)
        BLAS.gemm(transposeA: true, m: H3, n: H, k: N, dGh, lda: H3, c.hPrev, ldb: H, beta: 1, dWeightHH, ldc: H)
        addColumnSums(dGi, rows: N, columns: H3, into: dBiasIH)
        addColumnSums(dGh, rows: N, columns: H3, into: dBiasHH)
        if let dX {
            BLAS.gemm(m: N, n: input, k: H3, dGi, lda: H3, weightIH, ldb: input, beta: 0, dX, ldc: input)
        }
    }
}

/// out[j] += Σ_i m[i, j] for a row-major (rows, columns) matrix.
func addColumnSums(_ m: UnsafePointer<Float>, rows: Int, columns: Int, into out: UnsafeMutablePointer<Float>) {
    for i in 0..<rows {
        let row = m + i * columns
        for j in 0..<columns { out[j] += row[j] }
    }
}
