/// The word embedding shared by encoder and decoder: a row lookup, and its
/// gradient, a scatter-add of rows back into the table.
enum Embedding {
    /// out[k, 0..<width] = table[ids[k]] for k in 0..<count; rows of `out` are `stride` apart.
    static func gather(
        _ table: UnsafePointer<Float>, width: Int, ids: UnsafePointer<Int32>, count: Int,
        into out: UnsafeMutablePointer<Float>, stride: Int
    ) {
        for k in 0..<count { (out + k * stride).update(from: table + Int(ids[k]) * width, count: width) }
    }

    /// dTable[ids[k]] += dOut[k, 0..<width].
    static func scatterAdd(
        _ dOut: UnsafePointer<Float>, stride: Int, ids: UnsafePointer<Int32>, count: Int, width: Int,
        into dTable: UnsafeMutablePointer<Float>
    ) {
        for k in 0..<count {
            let src = dOut + k * stride, dst = dTable + Int(ids[k]) * width
            for j in 0..<width { dst[j] += src[j] }
        }
    }

    /// out[k] = [table[ids[k]]; z[latentRows[k]]] for k in 0..<ids.count, rows `width + Z` apart: the
    /// decoder's input rows with z beside each word (`ModelConfig.latentToInputs`).
    static func gatherBesideLatent(
        _ table: UnsafePointer<Float>, width E: Int, ids: [Int32], latent z: UnsafePointer<Float>,
        dimension Z: Int, latentRows: some Collection<Int>, into out: UnsafeMutablePointer<Float>
    ) {
        precondition(latentRows.count == ids.count, "one latent row per input word")
        ids.withUnsafeBufferPointer { ids in
            gather(table, width: E, ids: ids.baseAddress!, count: ids.count, into: out, stride: E + Z)
        }
        for (k, row) in latentRows.enumerated() { (out + k * (E + Z) + E).update(from: z + row * Z, count: Z) }
    }
}
