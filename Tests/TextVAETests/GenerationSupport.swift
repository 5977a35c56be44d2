import Foundation
import Testing

@testable import TextVAE

/// Tiny models for the generation tests: random weights (PyTorch-style
/// initialisation), W_zh scaled up so that z matters (greedy sentences from
/// the prior then end at lengths 0 to 12), and chosen output biases to make a
/// model that never stops or that prefers a token the decoder must not emit.
enum TinyModel {
    static let words = ["the", "cat", "sat", "on", "mat", "a", "dog", "ran"]

    static func vocabulary() throws -> Vocabulary {
        try Vocabulary(tokens: Vocabulary.specials + words, counts: [0, 0, 0, 0] + words.indices.map { 10 - $0 })
    }

    /// V = 12, E = 8, H = 8, Z = 4. `biases` are added to the output bias of the given ids.
    static func make(
        seed: UInt64 = 1, latentToInputs: Bool = false, maxLength: Int = 12,
        biases: [Int: Float] = [:], cell: RecurrentCell = .gru, bidirectional: Bool = false
    ) -> SentenceVAE {
        let config = ModelConfig(
            vocabulary: 4 + words.count, embedding: 8, hidden: 8, latent: 4,
            latentToInputs: latentToInputs, maxLength: maxLength, cell: cell, bidirectional: bidirectional)
        var model = SentenceVAE(config: config, seed: seed)
        let bias = model.layout.range(.outputBias).lowerBound
        for (id, b) in biases { model.parameters[bias + id] += b }
        for i in model.layout.range(.latentWeight) { model.parameters[i] *= 4 }
        return model
    }

    /// A model whose greedy sentences from `prior` end at varied lengths, with or
    /// without latent-to-inputs, of either cell (picked by trying seeds and <eos> biases).
    static func varied(latentToInputs: Bool, cell: RecurrentCell = .gru) -> SentenceVAE {
        if latentToInputs { return make(seed: 2, latentToInputs: true, biases: [Vocabulary.eos: 0.5], cell: cell) }
        return cell == .gru ? make() : make(seed: 5, biases: [Vocabulary.eos: 0.5], cell: cell)
    }

    /// A model file the CLI can read (whitespace tokenizer: tests control the tokens exactly).
    static func file(_ model: SentenceVAE = make()) throws -> ModelFile {
        ModelFile(model: model, vocabulary: try vocabulary(), tokenizer: TokenizerSettings(name: .whitespace))
    }

    static func prior(_ rows: Int, latent: Int = 4, seed: UInt64 = 5) -> [Float] {
        var rng = Random(seed: seed)
        return (0..<rows * latent).map { _ in rng.normal() }
    }
}

extension SentenceVAE {
    /// log p(tokens, <eos> | z) by teacher forcing: −rec from `run`, the reference for decoders.
    func logProbability(_ tokens: [Int32], z: ArraySlice<Float>) -> Double {
        let result = run(Batch([tokens]), latent: .given(Array(z)), workspace: Workspace())
        return -Double(result.rec[0])
    }

    /// The model's next-word distribution after `prefix` at z, by teacher forcing
    /// each possible word: p(v | <bos>, prefix, z) for every id v.
    func nextWordProbabilities(after prefix: [Int32], z: ArraySlice<Float>) -> [Double] {
        let V = config.vocabulary
        let sentences = (0..<V).map { prefix + [Int32($0)] }
        let result = run(Batch(sentences), latent: .given(Array(repeating: Array(z), count: V).flatMap { $0 }), workspace: Workspace())
        let nll = result.targetNLLInCallerOrder(Batch(sentences))
        return (0..<V).map { exp(-Double(nll[$0][prefix.count])) }
    }
}

/// Runs textvae with `input` on stdin (TextVAEProgram.run gives it /dev/null).
func runTextVAE(_ arguments: [String], in folder: String, stdin input: String) throws -> Run {
    try TextVAEProgram.run(arguments, in: folder, stdin: input)
}

extension TinyModel {
    /// Up to `count` distinct sentences whose codes `refinedCodes` moves (`steps` steps, the repetition rule on): among
    /// the greedy decodings of prior draws, which some code gives back, those that μ does not give back and a refined
    /// code gives back more of. Refinement tests use them, so that a command, call or route that ignored refinement
    /// would give μ's answers and fail.
    static func sentencesRefinementMoves(_ trained: TrainedModel, steps: Int, count: Int = 2) -> [[Int32]] {
        let candidates = trained.decodeGreedily(prior(24), repetition: .standard).filter { !$0.isEmpty }
        let means = trained.encode(candidates).mu, Z = trained.latent
        let moved = trained.refinedCodes(candidates, from: means, steps: steps, options: DecodingOptions(repetition: .standard))
        var picked: [[Int32]] = []
        for (i, sentence) in candidates.enumerated()
        where picked.count < count && !picked.contains(sentence) && moved[i * Z..<(i + 1) * Z] != means[i * Z..<(i + 1) * Z] {
            picked.append(sentence)
        }
        return picked
    }
}
