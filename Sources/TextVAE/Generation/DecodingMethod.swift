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
