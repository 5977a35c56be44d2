import Foundation
import Testing

@testable import TextVAE

/// Files that parse but hold values no run could have written: each is refused
/// with a message (or the bad row skipped), never a crash.
@Suite struct MalformedFileTests {
    @Test func aMetricsLogWithAnImpossibleStepIsReadWithoutCrashing() throws {
        let folder = try temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let rows = [
            #"{"kind":"step","step":50,"rec":20,"kl":3,"beta":0.1}"#,
            #"{"kind":"step","step":1e20,"rec":20,"kl":3,"beta":0.1}"#,
            #"{"kind":"step","step":2.5,"rec":20,"kl":3,"beta":0.1}"#,
            #"{"kind":"epoch","step":100,"epoch":-1e300,"beta":0.2,"train_rec":1,"train_kl":1,"valid_rec":1,"valid_kl":1}"#,
        ]
        try Data((rows.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: folder + "/m.metrics.jsonl"))
        let curves = try TrainingCurves.read(folder + "/m.metrics.jsonl")
        #expect(curves.steps.map(\.step) == [50] && curves.epochs.isEmpty && curves.skippedLines == 3)
        let run = try TextVAEProgram.run(["plot", "m.metrics.jsonl"], in: folder)
        #expect(!run.killedBySignal && run.status == 0, "\(run)")
    }

    /// One field of a checkpoint's JSON metadata set to an impossible value.
    struct Edit: Sendable, CustomTestStringConvertible {
        var key: String, field: String, json: String
        var testDescription: String { "\(key).\(field) = \(json)" }
    }

    /// A checkpoint whose JSON parses but whose values are impossible.
    @Test(arguments: [
        Edit(key: "training_state", field: "shuffleState", json: "[0, 0, 0, 0]"),
        Edit(key: "training_state", field: "noiseState", json: "[1, 2]"),
        Edit(key: "training_state", field: "batchInEpoch", json: "-1"),
        Edit(key: "training_state", field: "batchInEpoch", json: "1000000"),
        Edit(key: "train_options", field: "batchSize", json: "0"),
        Edit(key: "train_options", field: "learningRate", json: "-1"),
    ])
    func aCheckpointWithImpossibleValuesIsRefused(_ edit: Edit) throws {
        let folder = try temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data(GrammarCorpus.sentences(count: 200, seed: 3).joined(separator: "\n").utf8).write(
            to: URL(fileURLWithPath: folder + "/g.txt"))
        let first = try TextVAEProgram.run(["train", "g.txt", "-o", "m.safetensors", "--quiet"] + ReliabilityTests.tiny, in: folder)
        #expect(first.status == 0, "\(first)")
        let path = folder + "/m.checkpoint.safetensors"
        var file = try Safetensors.read(path)
        var object = try #require(JSONSerialization.jsonObject(with: Data(file.metadata[edit.key, default: ""].utf8)) as? [String: Any])
        object[edit.field] = try JSONSerialization.jsonObject(with: Data(edit.json.utf8), options: .fragmentsAllowed)
        file.metadata[edit.key] = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        try AtomicFile.write(file.encoded(), to: path)
        let run = try TextVAEProgram.run(["train", "--resume", "m.checkpoint.safetensors", "--epochs", "2"], in: folder)
        #expect(
            run.failedCleanly && run.stderrLines.count == 1 && run.stderr.contains("m.checkpoint.safetensors"),
            "\(edit.testDescription): \(run)")
        #expect(!run.stderr.contains("Fatal error"), "\(edit.testDescription): \(run)")
    }
}
