/// Which words may be emitted: never `<pad>` or `<bos>`, `<unk>` on request.
struct TokenRules {
    let vocabulary: Int
    let forbidUnknown: Bool

    @inline(__always) func allowed(_ v: Int) -> Bool {
        v != Vocabulary.pad && v != Vocabulary.bos && !(forbidUnknown && v == Vocabulary.unk)
    }

    /// The allowed word with the largest logit (the first on ties).
    func argmax(_ row: UnsafePointer<Float>) -> Int {
        // Allowed: <unk> (id 1) unless forbidden, and every id from <eos> (3) on.
        let best = RowReduce.argmax(row, from: Vocabulary.eos, to: vocabulary)
        return !forbidUnknown && row[Vocabulary.unk] >= row[best] ? Vocabulary.unk : best
    }
}
