extension Batch {
    /// Input noise (`InputNoise`): the encoder reads a perturbed copy of each sentence, the decoder the sentence
    /// itself. Sentence s draws from `generators[s]` (caller's order), after its other draws. Words dropped make
    /// the encoder's rows shorter, so its layout is sorted again by the new lengths, and `encoderLast` says where
    /// each decoder row's last encoder state now is.
    mutating func applyInputNoise(_ noise: InputNoise, vocabulary: Int, _ generators: inout [Random]) {
        guard !noise.isOff else { return }
        var noisy = [[Int32]](repeating: [], count: count)
        for s in sentences.indices { noisy[s] = noise.apply(sentences[s], vocabulary: vocabulary, &generators[s]) }
        let rows = order.map { noisy[$0] }  // decoder row order
        let byLength = rows.indices.sorted { rows[$0].count != rows[$1].count ? rows[$0].count > rows[$1].count : $0 < $1 }
        let layout = PackedSequences(lengths: byLength.map { rows[$0].count })
        var tokens = [Int32](repeating: 0, count: layout.total), last = [Int](repeating: 0, count: count)
        for (encoderRow, row) in byLength.enumerated() {
            for (t, word) in rows[row].enumerated() { tokens[layout.index(step: t, row: encoderRow)] = word }
            last[row] = layout.index(step: rows[row].count - 1, row: encoderRow)
        }
        encoder = layout
        encoderTokens = tokens
        encoderWords = DistinctWords(tokens)
        encoderLast = last
    }
}
