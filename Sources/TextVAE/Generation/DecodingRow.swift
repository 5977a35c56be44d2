/// A row that joins a running decoding (`SentenceVAE.decodeRunning`): its code (Z + K values: z, then c in a
/// model with classes), the seed of its word-sampling generator, and the caller's tag, by which its sentence
/// comes back.
package struct DecodingRow: Sendable {
    package var code: [Float]
    package var seed: UInt64
    package var tag: Int

    package init(code: [Float], seed: UInt64, tag: Int) {
        self.code = code
        self.seed = seed
        self.tag = tag
    }
}
