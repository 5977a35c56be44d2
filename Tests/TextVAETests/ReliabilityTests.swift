import Foundation
import Testing

@testable import TextVAE

/// Bad input through the command line: each case must end with a clear
/// message, a non-zero exit (not a signal), and no file left half-written.
@Suite struct ReliabilityTests {
    static let tiny = ["--embedding", "8", "--hidden", "8", "--latent", "2", "--epochs", "1"]

    struct Case: CustomTestStringConvertible {
        var name: String
        var files: [String: [UInt8]] = [:]
        var arguments: [String]
        var mentions: String
        var tokenFileMayStay = false
        var testDescription: String { name }
    }

    static let good = Array("the cat sat on the mat\na dog ran\nthe dog sat\n".utf8)

    static let cases: [Case] = [
        Case(name: "missing file", arguments: ["train", "nope.txt"], mentions: "no such file"),
        Case(name: "folder instead of file", files: ["folder/x.txt": good], arguments: ["train", "folder"], mentions: "is a folder"),
        Case(name: "empty file", files: ["c.txt": []], arguments: ["train", "c.txt"], mentions: "holds no sentences"),
        Case(
            name: "only blank lines", files: ["c.txt": Array(" \n\n\t\n".utf8)], arguments: ["train", "c.txt"],
            mentions: "holds no sentences"),
        Case(
            name: "invalid UTF-8", files: ["c.txt": good + [0x61, 0xC3, 0x28, 0x0A]], arguments: ["train", "c.txt"],
            mentions: "line 4 at byte offset"),
        Case(name: "binary file", files: ["c.txt": [0x7F, 0x45, 0x4C, 0x46, 0, 0, 1]], arguments: ["train", "c.txt"], mentions: "binary"),
        Case(
            name: "validation file with no known word", files: ["c.txt": good, "v.txt": Array("zebra quokka\n".utf8)],
            arguments: ["train", "c.txt", "--valid", "v.txt"], mentions: "share no word", tokenFileMayStay: true),
        Case(name: "negative size", files: ["c.txt": good], arguments: ["train", "c.txt", "--hidden", "-4"], mentions: "--hidden"),
        Case(name: "zero epochs", files: ["c.txt": good], arguments: ["train", "c.txt", "--epochs", "0"], mentions: "--epochs"),
        Case(name: "learning rate 0", files: ["c.txt": good], arguments: ["train", "c.txt", "--lr", "0"], mentions: "--lr"),
        Case(name: "learning rate NaN", files: ["c.txt": good], arguments: ["train", "c.txt", "--lr", "nan"], mentions: "--lr"),
        Case(
            name: "word dropout 1.5", files: ["c.txt": good], arguments: ["train", "c.txt", "--word-dropout", "1.5"],
            mentions: "--word-dropout"),
        Case(
            name: "unwritable output folder", files: ["c.txt": good], arguments: ["train", "c.txt", "-o", "no/such/folder/m.safetensors"],
            mentions: "does not exist"),
        Case(
            name: "resume from a model that is not a checkpoint", files: ["c.txt": good, "m.safetensors": Array("garbage!".utf8)],
            arguments: ["train", "--resume", "m.safetensors"], mentions: "not a valid safetensors"),
        Case(name: "unknown locale", files: ["c.txt": good], arguments: ["train", "c.txt", "--locale", "x y"], mentions: "not a locale"),
    ]

    @Test(arguments: cases)
    func badInputGetsAClearErrorAndLeavesNothing(_ c: Case) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, bytes) in c.files {
            let url = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        let before = Set(try FileManager.default.subpathsOfDirectory(atPath: folder.path))
        let run = try TextVAEProgram.run(c.arguments + Self.tiny.filter { _ in !c.arguments.contains("--epochs") }, in: folder.path)
        #expect(run.failedCleanly, "an error, not a crash: \(run)")
        let first = run.stderrLines.first.map(String.init) ?? ""
        #expect(first.contains(c.mentions), "first line of stderr should mention '\(c.mentions)': \(run)")
        #expect(!run.stderr.contains("Fatal error") && !run.stderr.contains("Stack dump") && !run.stderr.contains("Backtrace"), "\(run)")
        // The corpus's token file may stay when only the validation file was wrong: it is sound, and the
        // next run on the corpus reuses it.
        let after = Set(try FileManager.default.subpathsOfDirectory(atPath: folder.path)).subtracting(
            c.tokenFileMayStay ? ["c.tokens"] : [])
        #expect(after == before, "files were left behind: \(after.subtracting(before))")
    }

    @Test func aCorpusSmallerThanTheBatchTrains() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(Self.good).write(to: folder.appendingPathComponent("c.txt"))
        let run = try TextVAEProgram.run(["train", "c.txt", "-o", "m.safetensors", "--quiet"] + Self.tiny, in: folder.path)
        #expect(run.status == 0, "\(run)")
        #expect(try ModelFile.load(folder.appendingPathComponent("m.safetensors").path).vocabulary.count > 4)
    }

    /// A run killed with SIGKILL at a random point resumes from its last
    /// checkpoint and ends with the same model as a run never interrupted.
    @Test func killedTrainingResumesAndEndsWithTheSameModel() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let corpus = GrammarCorpus.sentences(count: 1500, seed: 4).joined(separator: "\n") + "\n"
        try Data(corpus.utf8).write(to: folder.appendingPathComponent("g.txt"))
        let common = [
            "--embedding", "16", "--hidden", "24", "--latent", "4", "--epochs", "3", "--checkpoint-steps", "7",
            "--tokenizer", "whitespace", "--seed", "5", "--quiet", "--threads", "1",
        ]
        let straight = try TextVAEProgram.run(["train", "g.txt", "-o", "straight.safetensors"] + common, in: folder.path)
        #expect(straight.status == 0, "\(straight)")

        // Start, wait for a checkpoint, then kill at a random moment.
        let process = try startTextVAE(["train", "g.txt", "-o", "killed.safetensors"] + common, in: folder)
        let checkpoint = folder.appendingPathComponent("killed.checkpoint.safetensors").path
        waitForFile(checkpoint, while: process, seconds: 60)
        var rng = Random(seed: UInt64(Date().timeIntervalSince1970))
        usleep(UInt32(rng.next() % 400_000))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "training finished before it could be killed; make the run longer")
        let killedAt = try Checkpoint.load(checkpoint).state.step

        let resumed = try TextVAEProgram.run(
            ["train", "--resume", "killed.checkpoint.safetensors", "--quiet", "--threads", "1"], in: folder.path)
        #expect(resumed.status == 0, "\(resumed)")
        let a = try ModelFile.load(folder.appendingPathComponent("straight.safetensors").path)
        let b = try ModelFile.load(folder.appendingPathComponent("killed.safetensors").path)
        #expect(a.model.parameters == b.model.parameters, "killed at step \(killedAt) and resumed: the final model differs")
        // The metrics log continues without repeating or skipping steps.
        let steps = try MetricsLog.read(folder.appendingPathComponent("killed.metrics.jsonl").path)
            .filter { $0["kind"] as? String == "step" }.compactMap { $0["step"] as? Int }
        let straightSteps = try MetricsLog.read(folder.appendingPathComponent("straight.metrics.jsonl").path)
            .filter { $0["kind"] as? String == "step" }.compactMap { $0["step"] as? Int }
        #expect(steps == straightSteps, "killed at \(killedAt): logged steps \(steps) vs \(straightSteps)")
        // A write the kill interrupted left a temporary file; the resumed run's next write of that file removes it.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
    }

    /// A full disk (simulated with a file-size limit, so writes fail with EFBIG):
    /// a clear error, and the previous checkpoint and model stay intact.
    @Test(
        .disabled(
            if: ProcessInfo.processInfo.environment["TEXTVAE_SANITIZER"] == "thread",
            "ThreadSanitizer's runtime maps files of its own, which the file-size limit breaks (SIGBUS)"))
    func fullDiskGivesAClearErrorAndKeepsThePreviousCheckpoint() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let corpus = GrammarCorpus.sentences(count: 300, seed: 4).joined(separator: "\n") + "\n"
        try Data(corpus.utf8).write(to: folder.appendingPathComponent("g.txt"))
        let first = try TextVAEProgram.run(
            [
                "train", "g.txt", "-o", "m.safetensors", "--quiet", "--embedding", "64", "--hidden", "64",
                "--latent", "4", "--epochs", "1",
            ], in: folder.path)
        #expect(first.status == 0, "\(first)")
        let checkpoint = folder.appendingPathComponent("m.checkpoint.safetensors").path
        let before = try Data(contentsOf: URL(fileURLWithPath: checkpoint))

        // 100 KiB: less than the checkpoint, so writing the next one fails.
        let child = try Child(
            executable: "/bin/sh", in: folder,
            arguments: [
                "-c", "trap '' XFSZ; ulimit -f 100; exec \"$0\" train --resume m.checkpoint.safetensors --epochs 2 --quiet",
                try TextVAEProgram.path(),
            ])
        let (process, stderr) = child.wait()
        #expect(process.terminationReason == .exit && process.terminationStatus != 0, "exit \(process.terminationStatus): \(stderr)")
        #expect(stderr.contains("writing failed") && stderr.contains("intact"), "\(stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: checkpoint)) == before, "the previous checkpoint changed")
        _ = try Checkpoint.load(checkpoint)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
    }

    /// A 2 MB line (no newline at all) among normal ones: past the 1 MiB default it stops the run with the flag
    /// to raise; with --max-line-bytes raised it is read, tokenised and cut to the maximum length.
    @Test func aTwoMegabyteLineIsRefusedOrReadAndCut() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var bytes: [UInt8] = []
        let word = Array("word ".utf8)
        for _ in 0..<(2_000_000 / word.count) { bytes += word }
        bytes += [0x0A] + Self.good + Self.good  // the long line first, so it is trained on, not held out
        try Data(bytes).write(to: folder.appendingPathComponent("c.txt"))
        let refused = try TextVAEProgram.run(
            ["train", "c.txt", "-o", "m.safetensors", "--tokenizer", "whitespace"] + Self.tiny, in: folder.path)
        #expect(refused.failedCleanly && refused.stderr.contains("--max-line-bytes"), "\(refused)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["c.txt"])
        let run = try TextVAEProgram.run(
            ["train", "c.txt", "-o", "m.safetensors", "--tokenizer", "whitespace", "--max-line-bytes", "3000000"] + Self.tiny,
            in: folder.path)
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("1 cut to 60 tokens"), "\(run)")
        // The model records what the whitespace tokenizer does: neither lower-casing nor NFC.
        let tokenizer = try ModelFile.load(folder.appendingPathComponent("m.safetensors").path).tokenizer
        #expect(
            tokenizer == TokenizerSettings(name: .whitespace) && !tokenizer.lowercase && tokenizer.normalization == "none", "\(tokenizer)")
    }

    /// Broken model files through the commands that read models: one line that
    /// names the file and the problem, a non-zero exit, no crash.
    @Test func brokenModelFilesThroughTheCommands() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = try ModelFileTests.smallFile()
        let bytes = [UInt8](Safetensors(metadata: (try good.metadata()), tensors: good.tensors).encoded())
        var future = (try good.metadata())
        future["format"] = "textvae/2"
        var foreign = (try good.metadata())
        foreign["format"] = nil
        var wrongShape = good.tensors
        wrongShape[0] = Safetensors.Tensor(name: wrongShape[0].name, shape: [wrongShape[0].data.count], data: wrongShape[0].data)
        let files: [(String, [UInt8], String)] = [
            ("truncated", Array(bytes.prefix(bytes.count / 2)), "truncated"),
            ("corrupt-header", Array(bytes[0..<8]) + Array(repeating: 0x7B, count: bytes.count - 8), "not a JSON object"),
            ("other", [UInt8](Safetensors(metadata: foreign, tensors: good.tensors).encoded()), "not a textvae model"),
            ("future", [UInt8](Safetensors(metadata: future, tensors: good.tensors).encoded()), "upgrade textvae"),
            ("wrong-shape", [UInt8](Safetensors(metadata: (try good.metadata()), tensors: wrongShape).encoded()), "has shape"),
        ]
        try Data("the cat\n".utf8).write(to: folder.appendingPathComponent("s.txt"))
        for (name, content, mentions) in files {
            try Data(content).write(to: folder.appendingPathComponent("\(name).safetensors"))
            for command in [["sample", "-n", "1"], ["evaluate", "s.txt"], ["encode", "s.txt"], ["interpolate"]] {
                let run = try TextVAEProgram.run([command[0], "-m", "\(name).safetensors"] + command.dropFirst(), in: folder.path)
                #expect(run.failedCleanly, "\(name), \(command[0]): \(run)")
                #expect(
                    run.stderrLines.count == 1 && run.stderr.contains(mentions) && run.stderr.contains("\(name).safetensors"),
                    "\(name), \(command[0]): \(run)")
            }
        }
    }

    /// Ctrl-C (SIGINT) saves a checkpoint, says how to resume, and exits with an error status, not by the signal.
    @Test func ctrlCSavesACheckpointAndSaysHowToResume() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let corpus = GrammarCorpus.sentences(count: 3000, seed: 4).joined(separator: "\n") + "\n"
        try Data(corpus.utf8).write(to: folder.appendingPathComponent("g.txt"))
        let child = try Child(
            executable: try TextVAEProgram.path(), in: folder,
            arguments: [
                "train", "g.txt", "-o", "m.safetensors", "--embedding", "16", "--hidden", "24", "--latent", "4",
                "--epochs", "50", "--patience", "0", "--threads", "1",
            ])
        // Wait until training has begun (the vocabulary is written before the first step).
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("m.vocab.txt").path) && Date() < deadline {
            usleep(10_000)
        }
        usleep(300_000)
        kill(child.process.processIdentifier, SIGINT)
        let (process, stderr) = child.wait()
        #expect(process.terminationReason == .exit && process.terminationStatus != 0, "\(process.terminationStatus): \(stderr)")
        #expect(stderr.contains("interrupted at step") && stderr.contains("textvae train --resume"), "\(stderr)")
        let saved = try Checkpoint.load(folder.appendingPathComponent("m.checkpoint.safetensors").path)
        #expect(saved.state.step > 0)
    }
}

/// A program started in the background, its stderr kept in a file (a pipe could fill and block it).
struct Child {
    let process = Process()
    let errPath: String

    init(executable: String, in folder: URL, arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = folder
        errPath = folder.appendingPathComponent(".child-stderr.txt").path
        FileManager.default.createFile(atPath: errPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
    }

    /// Waits for the end; returns the process and what it wrote on stderr.
    func wait() -> (Process, String) {
        process.waitUntilExit()
        let stderr = String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self)
        try? FileManager.default.removeItem(atPath: errPath)
        return (process, stderr)
    }
}
