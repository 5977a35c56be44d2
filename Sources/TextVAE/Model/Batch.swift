/// Sentences (token ids, no specials) prepared for the model: rows sorted by
/// length for packing, encoder tokens, decoder inputs (`<bos>` + tokens) and
/// targets (tokens + `<eos>`), all packed time-major.
package struct Batch {
    /// The caller's sentences, in the caller's order. Each has at least one token.
    package let sentences: [[Int32]]
    /// Row k of the packed layout is sentence `order[k]`.
    let order: [Int]
    /// The encoder's layout: the same rows as the decoder's, unless input noise changed their lengths (then sorted
    /// again, see `Batch+InputNoise.swift`).
    var encoder: PackedSequences
    let decoder: PackedSequences
    var encoderTokens: [Int32]  // (N_enc)
    var decoderInputs: [Int32]  // (N_dec)
    let targets: [Int32]  // (N_dec)
    /// The distinct words of `encoderTokens` and of `decoderInputs` (kept up to date by word dropout).
    var encoderWords: DistinctWords
    /// For each row (the decoder's packed order), the packed encoder position of its last word: where its h_T is.
    var encoderLast: [Int]
    private(set) var decoderWords: DistinctWords
    /// Dropout masks of the decoder (training only; see `Batch+Dropout.swift`): per decoder position, packed
    /// order, E values for its input embedding and H for its state before the output layer; each value is
    /// 0 or 1 / (1 − p). nil: no dropout.
    var decoderInputMask: [Float]?, decoderOutputMask: [Float]?

    package var count: Int { sentences.count }
    /// Real targets (tokens + `<eos>`): what "tokens per second" counts.
    package var targetCount: Int { decoder.total }

    package init(_ sentences: [[Int32]]) {
        precondition(!sentences.isEmpty && sentences.allSatisfy { !$0.isEmpty }, "a batch needs non-empty sentences")
        self.sentences = sentences
        // Stable: equal lengths keep the caller's order, so results do not depend on sort internals.
        order = sentences.indices.sorted { a, b in
            sentences[a].count != sentences[b].count ? sentences[a].count > sentences[b].count : a < b
        }
        let lengths = order.map { sentences[$0].count }
        encoder = PackedSequences(lengths: lengths)
        decoder = PackedSequences(lengths: lengths.map { $0 + 1 })
        var enc = [Int32](repeating: 0, count: encoder.total)
        var input = [Int32](repeating: 0, count: decoder.total)
        var target = [Int32](repeating: 0, count: decoder.total)
        for (row, s) in order.map({ sentences[$0] }).enumerated() {
            for t in 0..<s.count { enc[encoder.index(step: t, row: row)] = s[t] }
            for t in 0...s.count {
                let k = decoder.index(step: t, row: row)
                input[k] = t == 0 ? Int32(Vocabulary.bos) : s[t - 1]
                target[k] = t < s.count ? s[t] : Int32(Vocabulary.eos)
            }
        }
        encoderTokens = enc
        decoderInputs = input
        targets = target
        encoderWords = DistinctWords(enc)
        encoderLast = encoder.lastIndices
        decoderWords = DistinctWords(input)
    }

    /// Word dropout: each decoder input other than `<bos>` becomes `<unk>` with
    /// probability p. Sentence s draws one uniform per input from `generators[s]`
    /// (the caller's order), so the draws do not depend on the packing or the batch.
    mutating func applyWordDropout(_ p: Float, _ generators: inout [Random]) {
        guard p > 0 else { return }
        for (row, s) in order.enumerated() {
            for t in 1...sentences[s].count where generators[s].uniform() < p {
                decoderInputs[decoder.index(step: t, row: row)] = Int32(Vocabulary.unk)
            }
        }
        decoderWords = DistinctWords(decoderInputs)
    }

    /// Per packed row, the sum of a per-target figure (N_dec values, packed), summed step by step.
    func rowSums(_ perTarget: UnsafePointer<Float>) -> [Float] {
        var sums = [Float](repeating: 0, count: count)
        for t in 0..<decoder.steps {
            for row in 0..<decoder.active[t] { sums[row] += perTarget[decoder.index(step: t, row: row)] }
        }
        return sums
    }

    /// Rows of `width` values in packed row order, (B, width), copied into the caller's order.
    func inCallerOrder(_ rows: UnsafePointer<Float>, width: Int) -> [Float] {
        var out = [Float](repeating: 0, count: count * width)
        for (row, s) in order.enumerated() {
            for j in 0..<width { out[s * width + j] = rows[row * width + j] }
        }
        return out
    }
}
