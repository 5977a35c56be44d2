extension SentenceVAE {
    /// −log p(x | z) of each sentence for a given z: the decoder and the output layer alone, no encoder.
    /// Importance sampling needs only this for each of its k samples, since q(z|x) is computed once per sentence.
    /// - Parameter z: one z per sentence, (B, Z), in the batch's (caller's) order.
    /// - Returns: per sentence, in the caller's order, the summed NLL of its targets (tokens + `<eos>`).
    public func reconstructionNLL(_ batch: Batch, z: [Float], workspace ws: Workspace) -> [Float] {
        let (B, Z) = (batch.count, config.latent)
        precondition(z.count == B * Z, "z must be B×Z")
        return withTensors { p in
            let packedZ = ws.z.reserve(B * Z)
            for (row, s) in batch.order.enumerated() {
                for j in 0..<Z { packedZ[row * Z + j] = z[s * Z + j] }
            }
            let (_, cache) = decoderForward(batch, z: packedZ, decoderGRU(p, threads: ws.threads), p, ws: ws)
            let (_, nll) = outputForward(batch, states: cache.out, p, training: nil, ws: ws)
            return batch.rowSums(nll).withUnsafeBufferPointer { batch.inCallerOrder($0.baseAddress!, width: 1) }
        }
    }
}
