import Foundation

/// Knobs of `DecodingMethod.sample`. Applied in this order: temperature,
/// top-k, then top-p, as Hugging Face's `generate` does.
public struct Sampling: Equatable, Sendable {
    /// Divides the logits: below 1 sharpens, above 1 flattens (1 = the model's distribution).
    public var temperature: Float
    /// Keep only the k most probable words (0 = all).
    public var topK: Int
    /// Keep the smallest set of most probable words whose probability reaches p (1 = all).
    public var topP: Float

    public init(temperature: Float = 1, topK: Int = 0, topP: Float = 1) {
        precondition(temperature > 0 && topK >= 0 && topP > 0 && topP <= 1, "invalid sampling settings")
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
    }

    /// Whether a draw sorts the candidates (`Sampler.keepTop` above 32, `keepNucleus`): tens of times the cost of
    /// a plain draw on a large vocabulary.
    package var sortsTheVocabulary: Bool { topK > 32 || topP < 1 }
}
