import Foundation

/// What a decoding run may emit and for how long.
public struct DecodingOptions: Equatable, Sendable {
    public var method: DecodingMethod
    /// At most this many words per sentence (nil: the model's `max_length`).
    /// The step that would emit one word more emits `<eos>` instead.
    public var maxLength: Int?
    /// Never emit `<unk>` (`<pad>` and `<bos>` are never emitted anyway).
    public var forbidUnknown: Bool
    /// Which repetitions may not be emitted (`RepetitionRule.off`: the model's own choices).
    public var repetition: RepetitionRule

    public init(
        method: DecodingMethod = .greedy, maxLength: Int? = nil, forbidUnknown: Bool = false,
        repetition: RepetitionRule = .off
    ) {
        self.method = method
        self.maxLength = maxLength
        self.forbidUnknown = forbidUnknown
        self.repetition = repetition
    }
}
