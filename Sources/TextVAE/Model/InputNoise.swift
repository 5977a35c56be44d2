import Foundation

/// Noise on what the encoder reads, in training only, as the denoising adversarial autoencoder does (Shen et al.
/// 2020): the encoder sees a perturbed copy of the sentence while the decoder still reconstructs the clean one,
/// so that sentences a few edits apart are given nearby codes, a smoother latent space to walk through. Applied to
/// each sentence in this order:
///
/// 1. local shuffle (Lample et al. 2018): each word moves at most `shuffle` places (sort positions by
///    i + U(0, shuffle + 1));
/// 2. per word, drawn once: dropped with probability `drop`, else replaced by `<unk>` (a blank) with probability
///    `blank`, else by a word drawn uniformly from the vocabulary with probability `substitute`.
///
/// A sentence keeps at least one word (its first after shuffling, when every word was dropped). The draws come
/// from the sentence's own generator (`SentenceNoise`), so runs stay the same across ranks and resumes.
package struct InputNoise: Codable, Equatable, Sendable, CustomStringConvertible {
    package var drop: Float = 0
    package var blank: Float = 0
    package var substitute: Float = 0
    package var shuffle = 0

    package init(drop: Float = 0, blank: Float = 0, substitute: Float = 0, shuffle: Int = 0) {
        (self.drop, self.blank, self.substitute, self.shuffle) = (drop, blank, substitute, shuffle)
    }

    /// Reads "drop:0.1,blank:0.1,substitute:0.1,shuffle:3" (any of the four, in any order; a bare number is a drop
    /// probability). Throws a message naming what is wrong.
    package init(parsing text: String) throws {
        if let p = Float(text) {
            self.init(drop: p)
        } else {
            self.init()
            for part in text.split(separator: ",") {
                let pair = part.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2 else { throw TextVAEError.invalidInput("'\(part)' is not KIND:VALUE") }
                switch pair[0] {
                case "drop": drop = try Self.probability(pair[1], "drop")
                case "blank": blank = try Self.probability(pair[1], "blank")
                case "substitute": substitute = try Self.probability(pair[1], "substitute")
                case "shuffle":
                    guard let k = Int(pair[1]), (0...100).contains(k) else {
                        throw TextVAEError.invalidInput("shuffle takes a distance from 0 to 100, got '\(pair[1])'")
                    }
                    shuffle = k
                default: throw TextVAEError.invalidInput("unknown noise '\(pair[0])' (drop, blank, substitute, shuffle)")
                }
            }
        }
        if let problem { throw TextVAEError.invalidInput(problem) }
    }

    private static func probability(_ text: String, _ kind: String) throws -> Float {
        guard let p = Float(text) else { throw TextVAEError.invalidInput("\(kind) takes a probability, got '\(text)'") }
        return p
    }

    /// What makes this noise unusable, or nil.
    package var problem: String? {
        for (kind, p) in [("drop", drop), ("blank", blank), ("substitute", substitute)] where !(p >= 0 && p < 1) {
            return "the \(kind) probability must be at least 0 and below 1, got \(p)"
        }
        if drop + blank + substitute >= 1 { return "drop, blank and substitute together must stay below 1" }
        return (0...100).contains(shuffle) ? nil : "the shuffle distance must be from 0 to 100, got \(shuffle)"
    }

    package var isOff: Bool { drop == 0 && blank == 0 && substitute == 0 && shuffle == 0 }

    package var description: String { "drop:\(drop),blank:\(blank),substitute:\(substitute),shuffle:\(shuffle)" }

    /// The copy of `tokens` the encoder reads; substitutes are drawn from the `vocabulary` ids after the specials.
    package func apply(_ tokens: [Int32], vocabulary: Int, _ rng: inout Random) -> [Int32] {
        var words = tokens
        if shuffle > 0 {
            let keys = words.indices.map { Float($0) + rng.uniform() * Float(shuffle + 1) }
            words = words.indices.sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }.map { words[$0] }
        }
        guard drop > 0 || blank > 0 || substitute > 0 else { return words }
        let first = Vocabulary.specials.count, choices = UInt64(max(1, vocabulary - first))
        var kept: [Int32] = []
        for word in words {
            let u = rng.uniform()
            if u < drop { continue }
            if u < drop + blank {
                kept.append(Int32(Vocabulary.unk))
            } else if u < drop + blank + substitute {
                kept.append(Int32(first) + Int32(rng.next() % choices))
            } else {
                kept.append(word)
            }
        }
        return kept.isEmpty ? [words[0]] : kept
    }
}
