import Foundation

/// How the latent space treats small edits: each sentence of two or more words loses one word (at a position
/// drawn from a generator seeded with the evaluation's seed), and the copy's posterior mean is compared with the
/// posterior means of all the file's sentences. A space that puts a sentence near its small edits finds the
/// source as the copy's nearest neighbour (Euclidean distance; Shen et al. 2020's measure of a denoising
/// encoder's effect).
package struct LatentGeometry: Equatable, Sendable {
    /// Sentences that had a word to lose.
    package var copies = 0
    /// Copies whose nearest neighbour among the originals is their own source.
    package var ownNeighbour = 0

    package var ownNeighbourShare: Double { copies == 0 ? 0 : Double(ownNeighbour) / Double(copies) }

    /// `sentence` without the word at a position drawn from `rng` (nil when it has fewer than two words).
    package static func oneWordDeleted(_ sentence: [Int32], _ rng: inout Random) -> [Int32]? {
        guard sentence.count >= 2 else { return nil }
        var copy = sentence
        copy.remove(at: Int(rng.next() % UInt64(sentence.count)))
        return copy
    }
}

extension TrainedModel {
    /// The latent-geometry figure of `sentences` (at most `limit` of them, the first ones, so that the quadratic
    /// search stays small).
    package func latentGeometry(_ sentences: [[Int32]], seed: UInt64, limit: Int = 5000) -> LatentGeometry {
        let originals = Array(sentences.prefix(limit)), Z = latent
        var rng = Random(seed: seed ^ 0x6E0_3E7)
        var sources: [Int] = [], copies: [[Int32]] = []
        for (i, sentence) in originals.enumerated() {
            guard let copy = LatentGeometry.oneWordDeleted(sentence, &rng) else { continue }
            sources.append(i)
            copies.append(copy)
        }
        var geometry = LatentGeometry()
        guard !copies.isEmpty else { return geometry }
        let mu = encode(originals).mu, copied = encode(copies).mu
        for (c, source) in sources.enumerated() {
            var best = -1, bestDistance = Float.infinity
            for o in originals.indices {
                var d: Float = 0
                for j in 0..<Z {
                    let e = copied[c * Z + j] - mu[o * Z + j]
                    d += e * e
                }
                if d < bestDistance { (best, bestDistance) = (o, d) }
            }
            geometry.copies += 1
            if best == source { geometry.ownNeighbour += 1 }
        }
        return geometry
    }
}
