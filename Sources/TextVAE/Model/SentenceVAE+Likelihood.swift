extension SentenceVAE {
    /// −log p(x | z) (or −log p(x | z, c)) of each sentence for a given code: the decoder and the output layer
    /// alone, no encoder. Importance sampling needs only this for each of its k samples, since q(z|x) is
    /// computed once per sentence.
    /// - Parameter code: one code per sentence, (B, Z + K): z, followed by c in a model with classes; in the
    ///   batch's (caller's) order.
    /// - Returns: per sentence, in the caller's order, the summed NLL of its targets (tokens + `<eos>`).
    package func reconstructionNLL(_ batch: Batch, code: [Float], workspace ws: Workspace) -> [Float] {
        let (B, C) = (batch.count, config.code)
        precondition(code.count == B * C, "the code must be B×(Z + K)")
        return withTensors { p in
            let packed = ws.code.reserve(B * C)
            for (row, s) in batch.order.enumerated() {
                for j in 0..<C { packed[row * C + j] = code[s * C + j] }
            }
            let (_, cache) = decoderForward(batch, code: packed, decoderRNN(p, threads: ws.threads), p, ws: ws)
            let (_, nll) = outputForward(batch, states: cache.out, p, training: nil, ws: ws)
            return batch.rowSums(nll).withUnsafeBufferPointer { batch.inCallerOrder($0.baseAddress!, width: 1) }
        }
    }
}
