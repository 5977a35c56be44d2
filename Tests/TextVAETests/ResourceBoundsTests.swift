import Foundation
import Testing
@testable import TextVAE

/// Flags that could ask for unbounded memory: the work per pass is bounded, or
/// the run is refused with the memory it would need.
@Suite struct ResourceBoundsTests {
    /// A beam of W keeps W rows per z: 250 z at once with W = 64 would be 16,000 rows of logits.
    @Test func aWideBeamDecodesFewerSentencesPerPass() {
        let model = TinyModel.make()
        let workspace = DecoderWorkspace(threads: 1)
        let z = TinyModel.prior(300)
        let beams = model.decode(z, options: DecodingOptions(method: .beam(width: 64), maxLength: 3), workspace: workspace)
        #expect(beams.count == 300 && beams.allSatisfy { !$0.isEmpty })
        let rows = workspace.logits.capacity / model.config.vocabulary
        #expect(rows <= SentenceVAE.decodingBatchSize * 5 / 4 + 64, "a pass held \(rows) rows of logits")
    }

    @Test func aBatchTooLargeForThisMachineIsRefusedWithItsSize() throws {
        let sentence = [Int32](repeating: 5, count: 60)
        let set = TrainingSet(train: Array(repeating: sentence, count: 4096), valid: [sentence],
                              vocabulary: try TinyModel.vocabulary(), truncated: 0)
        let error = #expect(throws: TextVAEError.self) {
            try TrainingRun.checkMemory(set, batchSize: 4096, vocabulary: 10_000_000, resuming: false)
        }
        let message = error?.description ?? ""
        #expect(message.contains("batches of 4096 sentences need about") && message.contains("GB") && message.contains("use --batch-size"),
                "\(message)")
        try TrainingRun.checkMemory(set, batchSize: 32, vocabulary: 20_000, resuming: false)  // PTB-sized batches pass
        // Validation scores 64 sentences at a time: very long validation sentences count too.
        let long = TrainingSet(train: [sentence], valid: Array(repeating: [Int32](repeating: 5, count: 100_000), count: 64),
                               vocabulary: try TinyModel.vocabulary(), truncated: 0)
        #expect(throws: TextVAEError.self) { try TrainingRun.checkMemory(long, batchSize: 1, vocabulary: 100_000, resuming: true) }
    }

    /// A log that cannot be written is an error, not rows silently lost.
    @Test func aMetricsLogThatCannotBeWrittenIsAnError() throws {
        let log = MetricsLog(path: "/nonexistent-folder-\(UUID().uuidString)/m.metrics.jsonl")
        #expect(throws: TextVAEError.self) { try log.append(["kind": "step", "step": 1]) }
        guard FileManager.default.fileExists(atPath: "/dev/full") else { return }
        #expect(throws: TextVAEError.self) { try MetricsLog(path: "/dev/full").append(["kind": "step", "step": 1]) }
    }

    /// Code points are kept apart: "é" precomposed and "e" + combining acute are two tokens
    /// (Swift's String == would merge them, as canonically equivalent).
    @Test func theVocabularyKeepsCanonicallyEquivalentTokensApart() throws {
        let precomposed = "\u{E9}", decomposed = "e\u{301}"
        let vocabulary = try Vocabulary(building: [[precomposed, decomposed, precomposed]])
        #expect(vocabulary.count == 6)
        #expect(vocabulary.id(precomposed) != vocabulary.id(decomposed))
        #expect(vocabulary.counts[vocabulary.id(precomposed)] == 2 && vocabulary.counts[vocabulary.id(decomposed)] == 1)
        #expect(try Vocabulary(tokens: Vocabulary.specials + [precomposed, decomposed], counts: [0, 0, 0, 0, 1, 1]).count == 6)
    }
}
