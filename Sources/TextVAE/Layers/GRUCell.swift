/// One position of a GRU, with PyTorch's gate order r, z, n:
///
///     r  = σ(W_ir x + b_ir + W_hr h + b_hr)
///     u  = σ(W_iz x + b_iz + W_hz h + b_hz)
///     n  = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
///     h' = (1 − u) ⊙ n + u ⊙ h
///
/// A position keeps [r, u, n, W_hn h + b_hn] (4H) for the backward pass.
enum GRUCell {
    /// From gi = W_ih x + b_ih and gh = W_hh h + b_hh (3H each): `saved` (4H) receives r, u, n and W_hn h + b_hn,
    /// `out` (H) the new state. `out` may be `h` itself. Runs the AVX2 kernel when the CPU has it (`VectorKernels`).
    @inline(__always)
    static func forward(
        gi: UnsafePointer<Float>, gh: UnsafePointer<Float>, h: UnsafePointer<Float>, saved: UnsafeMutablePointer<Float>,
        out: UnsafeMutablePointer<Float>, hidden H: Int
    ) {
        if VectorKernels.avx2 {
            VectorKernels.gatesAVX2(gi: gi, gh: gh, h: h, gates: saved, out: out, hidden: H)
        } else {
            forwardSwift(gi: gi, gh: gh, h: h, saved: saved, out: out, hidden: H)
        }
    }

    /// `forward` in Swift: the fallback, and the reference for the AVX2 kernel. One simple loop
    /// per quantity, each touching two or three arrays: a single loop over seven pointers that
    /// may alias does not vectorise.
    static func forwardSwift(
        gi: UnsafePointer<Float>, gh: UnsafePointer<Float>, h: UnsafePointer<Float>, saved rg: UnsafeMutablePointer<Float>,
        out: UnsafeMutablePointer<Float>, hidden H: Int
    ) {
        let u = rg + H, n = rg + 2 * H, ghn = rg + 3 * H
        for j in 0..<2 * H { rg[j] = VectorMath.sigmoid(gi[j] + gh[j]) }  // r and u
        ghn.update(from: gh + 2 * H, count: H)
        let gin = gi + 2 * H
        for j in 0..<H { n[j] = VectorMath.tanh(gin[j] + rg[j] * ghn[j]) }
        for j in 0..<H { out[j] = n[j] + u[j] * (h[j] - n[j]) }  // (1 − u) n + u h
    }

    /// The gradient through one position: from d loss / d h' (`dh`) and the entering state `h`, writes
    /// d loss / d gi and d loss / d gh (3H each; they differ in the n block, which r scales on the recurrent side),
    /// and the direct part of d loss / d h, u ⊙ dh, into `dPrev` (added, or stored when `accumulate` is false).
    @inline(__always)
    static func backward(
        saved g: UnsafePointer<Float>, h: UnsafePointer<Float>, dh: UnsafePointer<Float>, dgi: UnsafeMutablePointer<Float>,
        dgh: UnsafeMutablePointer<Float>, dPrev: UnsafeMutablePointer<Float>?, accumulate: Bool, hidden H: Int
    ) {
        for j in 0..<H {
            let r = g[j], u = g[H + j], n = g[2 * H + j], ghn = g[3 * H + j]
            let d = dh[j]
            let dn = d * (1 - u) * (1 - n * n)
            let du = d * (h[j] - n) * u * (1 - u)
            let dr = dn * ghn * r * (1 - r)
            dgi[j] = dr; dgi[H + j] = du; dgi[2 * H + j] = dn
            dgh[j] = dr; dgh[H + j] = du; dgh[2 * H + j] = dn * r
        }
        guard let dPrev else { return }
        if accumulate {
            for j in 0..<H { dPrev[j] += dh[j] * g[H + j] }
        } else {
            for j in 0..<H { dPrev[j] = dh[j] * g[H + j] }
        }
    }
}
