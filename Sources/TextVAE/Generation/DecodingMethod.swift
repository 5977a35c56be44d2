import Foundation

/// How the decoder picks each next word.
public enum DecodingMethod: Equatable, Sendable {
    /// The most probable word at each step.
    case greedy
    /// A word drawn from the (tempered, truncated) distribution at each step.
    case sample(Sampling)
    /// Beam search keeping `width` hypotheses per z.
    case beam(width: Int)
}

extension DecodingMethod {
    /// Whether rows can join and leave a running batch between steps (`SentenceVAE.decodeRunning`): greedy and
    /// sampled decoding, whose rows are independent; not a beam search, which ranks a sentence's rows together.
    package var joinsRunningBatches: Bool {
        if case .beam = self { return false }
        return true
    }
}
