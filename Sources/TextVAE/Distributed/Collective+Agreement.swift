/// Ranks that were started on different data, vocabularies, settings or steps would meet at sums of different
/// sizes (MPI_ERR_TRUNCATE) or wait for each other forever. Before the first update they compare a fingerprint
/// of what they are about to train, in one sum of fixed size, and all stop together when they differ.
extension Collective {
    /// Throws on every rank when the ranks' fingerprints are not all equal; `what` says what was compared.
    ///
    /// The 64 bits go as eight 8-bit pieces, each with its square: floats sum them exactly for up to 258 ranks.
    /// For each piece the sum is n·a and the sum of squares n·a² on a rank holding a exactly when no rank
    /// differs (the pieces' variance is 0), so every rank reaches the same verdict.
    package func agree(on fingerprint: UInt64, what: String) throws {
        guard size > 1 else { return }
        let pieces = (0..<8).map { Float((fingerprint >> (8 * UInt64($0))) & 0xFF) }
        let sums = try sum(pieces + pieces.map { $0 * $0 })
        let n = Float(size)
        let agreed = pieces.indices.allSatisfy { sums[$0] == n * pieces[$0] && sums[8 + $0] == n * pieces[$0] * pieces[$0] }
        if !agreed {
            throw TextVAEError.conflict(
                "the \(size) ranks do not agree on \(what) (rank \(rank)'s fingerprint \(String(fingerprint, radix: 16))): "
                    + "start every rank with the same command, corpus and files (and, to resume, the same checkpoint)")
        }
    }
}

/// FNV-1a over the UTF-8 of some texts, each followed by a 0 byte so that ("ab", "c") and ("a", "bc") differ.
func fingerprint64(_ texts: [String]) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for text in texts {
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        h = h &* 0x100_0000_01B3
    }
    return h
}
