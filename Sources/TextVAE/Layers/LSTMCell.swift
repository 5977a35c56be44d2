/// One position of an LSTM, with PyTorch's gate order i, f, g, o:
///
///     i = σ(a_i)   f = σ(a_f)   g = tanh(a_g)   o = σ(a_o)      a = W_ih x + b_ih + W_hh h + b_hh
///     c' = f ⊙ c + i ⊙ g
///     h' = o ⊙ tanh c'
///
/// A position keeps [i, f, g, o, c', tanh c'] (6H): its c' is the memory the next position of its row starts from,
/// and the backward pass reads the rest.
enum LSTMCell {
    /// From gi = W_ih x + b_ih and gh = W_hh h + b_hh (4H each) and the memory `cPrev` (H), writes `saved` (6H) and
    /// the new state `out` (H). `cPrev` may be `saved + 4H` itself (the memory updated in place): each element is
    /// read before it is written.
    static func forward(
        gi: UnsafePointer<Float>, gh: UnsafePointer<Float>, cPrev: UnsafePointer<Float>, saved s: UnsafeMutablePointer<Float>,
        out: UnsafeMutablePointer<Float>, hidden H: Int
    ) {
        for j in 0..<2 * H { s[j] = VectorMath.sigmoid(gi[j] + gh[j]) }  // i, f
        for j in 2 * H..<3 * H { s[j] = VectorMath.tanh(gi[j] + gh[j]) }  // g
        for j in 3 * H..<4 * H { s[j] = VectorMath.sigmoid(gi[j] + gh[j]) }  // o
        let c = s + 4 * H, tanhC = s + 5 * H
        for j in 0..<H { c[j] = s[H + j] * cPrev[j] + s[j] * s[2 * H + j] }
        for j in 0..<H { tanhC[j] = VectorMath.tanh(c[j]) }
        for j in 0..<H { out[j] = s[3 * H + j] * tanhC[j] }
    }

    /// The gradient through one position: from d loss / d h' (`dh`) and the memory's gradient carried back from
    /// the row's next position (`dc`, zero at its last), writes d loss / d a (4H) into `da`, and d loss / d c into
    /// `dcPrev` when there is an earlier position. `cPrev`: nil for a zero memory (each row's first position).
    @inline(__always)
    static func backward(
        saved s: UnsafePointer<Float>, cPrev: UnsafePointer<Float>?, dh: UnsafePointer<Float>, dc: UnsafePointer<Float>,
        da: UnsafeMutablePointer<Float>, dcPrev: UnsafeMutablePointer<Float>?, hidden H: Int
    ) {
        for j in 0..<H {
            let i = s[j], f = s[H + j], g = s[2 * H + j], o = s[3 * H + j], tanhC = s[5 * H + j]
            let dcj = dc[j] + dh[j] * o * (1 - tanhC * tanhC)
            da[j] = dcj * g * i * (1 - i)
            da[H + j] = dcj * (cPrev?[j] ?? 0) * f * (1 - f)
            da[2 * H + j] = dcj * i * (1 - g * g)
            da[3 * H + j] = dh[j] * tanhC * o * (1 - o)
            dcPrev?[j] = dcj * f
        }
    }
}
