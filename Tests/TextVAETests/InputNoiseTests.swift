import Foundation
import Testing

@testable import TextVAE

/// Noise on the encoder's input (`InputNoise`, `Batch.applyInputNoise`): each kind does what it says at its rate,
/// and a noisy batch encodes each sentence exactly as a clean batch of the noisy copies does.
@Suite struct InputNoiseTests {
    static let sentence: [Int32] = Array(4..<24)  // 20 distinct words

    /// Applies `noise` to the sentence `times` times from one generator.
    static func draws(_ noise: InputNoise, times: Int = 2000) -> [[Int32]] {
        var rng = Random(seed: 3)
        return (0..<times).map { _ in noise.apply(sentence, vocabulary: 50, &rng) }
    }

    @Test func parsesKindsAndRefusesWhatItCannotUse() throws {
        #expect(try InputNoise(parsing: "drop:0.1, shuffle:3,blank:0.05") == InputNoise(drop: 0.1, blank: 0.05, shuffle: 3))
        #expect(try InputNoise(parsing: "0.2") == InputNoise(drop: 0.2))
        #expect(try InputNoise(parsing: "substitute:0.3").substitute == 0.3)
        for bad in ["drop:1", "drop:0.5,blank:0.6", "shuffle:-1", "shuffle:x", "swap:0.1", "drop", "nan"] {
            #expect(throws: TextVAEError.self, "\(bad)") { try InputNoise(parsing: bad) }
        }
    }

    @Test func eachKindActsAtItsRate() {
        let dropped = Self.draws(InputNoise(drop: 0.3))
        let keptShare = Double(dropped.reduce(0) { $0 + $1.count }) / Double(20 * dropped.count)
        #expect(abs(keptShare - 0.7) < 0.01, "kept \(keptShare)")
        #expect(dropped.allSatisfy { !$0.isEmpty && $0 == $0.sorted() && Set($0).isSubset(of: Self.sentence) }, "words dropped, order kept")

        let blanked = Self.draws(InputNoise(blank: 0.2))
        let unk = Double(blanked.joined().filter { $0 == Int32(Vocabulary.unk) }.count) / Double(20 * blanked.count)
        #expect(abs(unk - 0.2) < 0.01 && blanked.allSatisfy { $0.count == 20 }, "blanks \(unk)")

        let substituted = Self.draws(InputNoise(substitute: 0.25))
        let changed = substituted.map { zip($0, Self.sentence).filter { $0 != $1 }.count }.reduce(0, +)
        #expect(abs(Double(changed) / Double(20 * substituted.count) - 0.25 * 45 / 46) < 0.015, "substituted \(changed)")
        // A substitute is one of the 46 words, so 1 in 46 is the word itself.
        #expect(substituted.joined().allSatisfy { (4..<50).contains($0) }, "substitutes are words, never specials")

        let shuffled = Self.draws(InputNoise(shuffle: 3))
        for s in shuffled {
            #expect(s.sorted() == Self.sentence, "a permutation")
            #expect(s.enumerated().allSatisfy { abs(Int($1) - 4 - $0) <= 3 }, "no word moves more than 3 places: \(s)")
        }
        #expect(shuffled.contains { $0 != Self.sentence })
        #expect(Self.draws(InputNoise(drop: 0.99), times: 200).allSatisfy { $0.count >= 1 }, "a sentence keeps a word")
    }

    /// The encoder's rows are sorted again by their noisy lengths; each sentence's μ is the one a clean batch of
    /// the noisy copies gives, and the decoder still reads the clean sentences.
    @Test func aNoisyBatchEncodesTheNoisyCopies() throws {
        try loadBLAS()
        let model = TinyModel.make()
        let sentences: [[Int32]] = [[4, 5, 6, 7, 8, 9], [10, 11], [5, 5, 6, 7], [8, 9, 10, 11, 4], [6]]
        let noise = InputNoise(drop: 0.4, blank: 0.1, shuffle: 2)
        var generators = sentences.indices.map { SentenceNoise.generator(seed: 9, epoch: 1, sentence: $0) }
        var replay = generators
        var batch = Batch(sentences)
        batch.applyInputNoise(noise, vocabulary: model.config.vocabulary, &generators)
        let copies = sentences.indices.map { noise.apply(sentences[$0], vocabulary: model.config.vocabulary, &replay[$0]) }
        #expect(copies.map(\.count) != sentences.map(\.count), "some words were dropped")
        let ws = Workspace()
        let noisy = model.encode(batch, workspace: ws), clean = model.encode(Batch(copies), workspace: ws)
        #expect(zip(noisy.mu, clean.mu).allSatisfy { abs($0 - $1) < 1e-5 }, "\(noisy.mu) against \(clean.mu)")
        #expect(batch.targets == Batch(sentences).targets && batch.decoderInputs == Batch(sentences).decoderInputs)
    }
}
