/// The inputs of a GRU's N positions: `rows` distinct input vectors and, per
/// position, which one it reads. Positions holding the same word share a row.
struct RNNInputs {
    let x: UnsafePointer<Float>  // (rows, D)
    let rows: Int  // U
    let slots: UnsafePointer<Int32>?  // (N) row of each position; nil: position k reads row k (U = N)

    /// One embedding row per distinct word of `words`, written into `x`, with the positions' slots copied into `slots`.
    static func words(
        _ words: DistinctWords, embedding: UnsafePointer<Float>, width: Int, x: Buffer,
        slots: ScratchBuffer<Int32>
    ) -> RNNInputs {
        let U = words.count, N = words.slots.count
        let rows = x.reserve(U * width)
        words.words.withUnsafeBufferPointer { ids in
            Embedding.gather(embedding, width: width, ids: ids.baseAddress!, count: U, into: rows, stride: width)
        }
        let s = slots.reserve(N)
        words.slots.withUnsafeBufferPointer { s.update(from: $0.baseAddress!, count: N) }
        return RNNInputs(x: rows, rows: U, slots: s)
    }
}
