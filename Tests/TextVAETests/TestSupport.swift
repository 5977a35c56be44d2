import Foundation
import Testing

@testable import TextVAE

/// The folder of this test target's source files (golden files live in Golden/).
let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

/// The folder that holds this test process's scratch folders: removed when the process exits, so that a test which
/// fails before its own clean-up (or a helper such as `grammarTrainingFolder`, whose callers keep the folder) leaves
/// nothing behind in the system's temporary folder.
let testProcessFolder: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("textvae-tests-\(getpid())-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(at: testProcessFolder) }
    return url
}()

/// A fresh temporary folder inside `testProcessFolder`; a test may remove it when done, and the rest go at exit.
func temporaryFolder() throws -> URL {
    let url = testProcessFolder.appendingPathComponent(UUID().uuidString)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// |a − b| ≤ atol + rtol·|b|, elementwise; returns the first failing index.
func firstMismatch(_ a: [Float], _ b: [Float], rtol: Float, atol: Float = 0) -> Int? {
    precondition(a.count == b.count)
    return a.indices.first { abs(a[$0] - b[$0]) > atol + rtol * abs(b[$0]) || !a[$0].isFinite }
}

func randomArray(_ n: Int, _ rng: inout Random, scale: Float = 1) -> [Float] {
    (0..<n).map { _ in (2 * rng.uniform() - 1) * scale }
}

/// `textvae ARGUMENTS` started in the background in `folder`, its output discarded: for tests that kill or
/// disturb a running command.
func startTextVAE(_ arguments: [String], in folder: URL) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try TextVAEProgram.path())
    process.arguments = arguments
    process.currentDirectoryURL = folder
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}

/// Waits until `path` exists (a run's first checkpoint), while `process` runs, at most `seconds`.
func waitForFile(_ path: String, while process: Process, seconds: Double) {
    let deadline = Date().addingTimeInterval(seconds)
    while !FileManager.default.fileExists(atPath: path) && process.isRunning && Date() < deadline { usleep(5_000) }
}

/// Makes sure OpenBLAS is loaded before any test touches a kernel.
func loadBLAS() throws {
    try BLAS.load()
}

/// A test's own set-up failing (no executable, a server that did not start): not one of textvae's errors.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension TextVAEError {
    /// Whether this error is the same case as `other`, messages aside: tests match the kind of problem by case and
    /// check a message's words only where the words are the point.
    func isCase(_ other: TextVAEError) -> Bool {
        switch (self, other) {
        case (.file, .file), (.invalidInput, .invalidInput), (.modelLacks, .modelLacks), (.conflict, .conflict),
            (.diverged, .diverged), (.interrupted, .interrupted), (.system, .system):
            return true
        default:
            return false
        }
    }
}

/// A stop request for one trainer (`Trainer.isInterrupted`), as Ctrl-C would give, without touching the
/// process-wide flag that trainers of tests running alongside read.
final class StopFlag: @unchecked Sendable {
    var raised = false
}

/// The epoch rows of a run's metrics log (`MetricsLog.read`), in order.
func epochRows(_ metricsPath: String) throws -> [[String: Any]] {
    try MetricsLog.read(metricsPath).filter { $0["kind"] as? String == "epoch" }
}

/// A new folder holding `t.txt`, `count` sentences of the test grammar drawn from `seed`, and `v.txt`, the first
/// `valid` of them: what the command-line tests of a training option train and evaluate on. Returns the folder and
/// the sentences.
func grammarTrainingFolder(count: Int, seed: UInt64, valid: Int) throws -> (folder: String, sentences: [String]) {
    let folder = try temporaryFolder().path
    let sentences = GrammarCorpus.sentences(count: count, seed: seed)
    try (sentences.joined(separator: "\n") + "\n").write(toFile: folder + "/t.txt", atomically: true, encoding: .utf8)
    try (sentences.prefix(valid).joined(separator: "\n") + "\n").write(toFile: folder + "/v.txt", atomically: true, encoding: .utf8)
    return (folder, sentences)
}
