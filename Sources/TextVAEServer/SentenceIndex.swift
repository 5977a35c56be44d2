#if Server
    import Foundation
    import TextVAE

    /// The `--index` file, encoded once when the server starts: each sentence's posterior mean (for
    /// `neighbours`) and its place on the first two principal axes (for `map`, as `textvae map` computes it).
    package struct SentenceIndex: Sendable {
        package let path: String
        let texts: [String]
        let lineNumbers: [Int]
        /// N × Z posterior means.
        let means: [Float]
        let x: [Double], y: [Double]
        let explained: (Double, Double)
        /// What was skipped or cut while reading the file, for the start-up message.
        package let notes: [String]

        package var count: Int { texts.count }

        /// Reads and encodes `path`; errors name the file and say what to do.
        package static func build(_ path: String, model: TrainedModel) throws -> SentenceIndex {
            let file = try SentenceFile.read(path, model: model)
            guard file.count > 0 else {
                throw TextVAEError.file(
                    "\(path): no sentences with words in the model's vocabulary to index; give a file with one sentence per line")
            }
            let means = model.means(file.tokens)
            let map = LatentMap(means: means, dimension: model.latent, texts: file.texts)
            return SentenceIndex(
                path: path, texts: file.texts, lineNumbers: file.lineNumbers, means: means,
                x: map.x, y: map.y, explained: map.shares, notes: file.notes)
        }
    }
#endif
