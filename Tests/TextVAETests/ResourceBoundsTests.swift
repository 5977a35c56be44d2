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
        let set = TrainingSet(
            train: Array(repeating: sentence, count: 4096), valid: [sentence],
            vocabulary: try TinyModel.vocabulary(), truncated: 0)
        let error = #expect(throws: TextVAEError.self) {
            try TrainingRun.checkMemory(set, batchSize: 4096, vocabulary: 10_000_000, resuming: false)
        }
        #expect(error?.isCase(.invalidInput("")) == true)
        let message = error?.description ?? ""
        #expect(
            message.contains("batches of 4096 sentences need about") && message.contains("GB") && message.contains("use --batch-size"),
            "\(message)")
        try TrainingRun.checkMemory(set, batchSize: 32, vocabulary: 20_000, resuming: false)  // PTB-sized batches pass
        // Validation scores 64 sentences at a time: very long validation sentences count too.
        let long = TrainingSet(
            train: [sentence], valid: Array(repeating: [Int32](repeating: 5, count: 100_000), count: 64),
            vocabulary: try TinyModel.vocabulary(), truncated: 0)
        #expect(throws: TextVAEError.self) { try TrainingRun.checkMemory(long, batchSize: 1, vocabulary: 100_000, resuming: true) }
    }

    static let stepRow = MetricsRow.Step(step: 1, epoch: 0.1, rec: 1, kl: 1, beta: 0, loss: 1, gradNorm: 1, tokensPerSecond: 1)

    /// A log that cannot be written is an error, not rows silently lost.
    @Test func aMetricsLogThatCannotBeWrittenIsAnError() throws {
        let log = MetricsLog(path: "/nonexistent-folder-\(UUID().uuidString)/m.metrics.jsonl")
        let error = #expect(throws: TextVAEError.self) { try log.append(Self.stepRow) }
        #expect(error?.isCase(.file("")) == true, "\(String(describing: error))")
    }

    @Test(.enabled(if: OutputPathTests.hasFullDevice, "this machine has no /dev/full"))
    func aMetricsLogOnAFullDiskIsAnError() throws {
        #expect(throws: TextVAEError.self) { try MetricsLog(path: "/dev/full").append(Self.stepRow) }
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

    /// Inputs that never end or have no line breaks stop at once with a reason, instead of filling memory.
    @Test func endlessOrUnbrokenInputsStopWithAReason() throws {
        let folder = try temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try TinyModel.file().save(to: folder + "/m.safetensors")
        for arguments in [
            ["encode", "-m", "m.safetensors", "/dev/zero"], ["prepare", "/dev/zero", "-o", "z.tokens"],
            ["vocab", "/dev/zero", "-o", "z.vocab.txt"],
        ] {
            let run = try TextVAEProgram.run(arguments, in: folder)
            #expect(run.failedCleanly && run.stderr.contains("binary file"), "\(arguments): \(run)")
        }
        // One line of 3,000 bytes: over a limit of 1,000, whether the file is read whole or streamed.
        let long = String(repeating: "cat ", count: 750)
        try Data(("the cat sat\n" + long + "\n").utf8).write(to: URL(fileURLWithPath: folder + "/long.txt"))
        for arguments in [["encode", "-m", "m.safetensors", "long.txt"], ["prepare", "long.txt", "-o", "l.tokens"]] {
            let refused = try TextVAEProgram.run(arguments + ["--max-line-bytes", "1000"], in: folder)
            #expect(
                refused.failedCleanly && refused.stderr.contains("line 2 is longer than 1000 bytes")
                    && refused.stderr.contains("--max-line-bytes"), "\(arguments): \(refused)")
            #expect(try TextVAEProgram.run(arguments, in: folder).status == 0, "\(arguments) with the default limit")
        }
        // A stream with no line break at all (no newline in 3,000 bytes), from a pipe.
        let unbroken = try runTextVAE(
            ["encode", "-m", "m.safetensors", "-", "--max-line-bytes", "1000"], in: folder,
            stdin: String(repeating: "cat ", count: 750))
        #expect(unbroken.failedCleanly && unbroken.stderr.contains("longer than 1000 bytes"), "\(unbroken)")
        // Paragraph mode: text without a blank line in 16 times the line limit.
        try Data(String(repeating: "the cat sat on the mat .\n", count: 1000).utf8).write(to: URL(fileURLWithPath: folder + "/p.txt"))
        let paragraphs = try TextVAEProgram.run(
            ["prepare", "p.txt", "-o", "p.tokens", "--paragraphs", "--max-line-bytes", "1000"], in: folder)
        #expect(paragraphs.failedCleanly && paragraphs.stderr.contains("no blank line"), "\(paragraphs)")
    }
}
