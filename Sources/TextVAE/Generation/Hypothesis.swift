import Foundation

/// A decoded sentence.
package struct Hypothesis: Equatable, Sendable {
    /// Word ids, without `<eos>`.
    package var tokens: [Int32]
    /// log p(tokens, `<eos>` | z) under the model itself: the sum over the
    /// emitted words and the final `<eos>` of the untempered log-softmax, so it
    /// equals −rec of this sentence at the same z, whatever method chose it.
    /// A sentence cut at the length cap includes log p(`<eos>`) at the cap.
    package var logProbability: Double
    /// True when the sentence ended because it reached the length cap.
    package var reachedLengthCap: Bool
}
