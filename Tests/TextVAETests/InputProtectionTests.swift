import Foundation
import Testing

@testable import TextVAE

/// No output may replace one of the command's inputs (the same file by device and inode: a hard link or
/// a symbolic link counts), and a token file is written by the rules every other output follows.
@Suite struct InputProtectionTests {
    static func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test func anOutputThatIsAnInputIsRefusedAndTheInputKept() throws {
        let folder = try temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try TinyModel.file().save(to: folder + "/m.safetensors")
        try Data("the cat sat\na dog ran\n".utf8).write(to: URL(fileURLWithPath: folder + "/v.txt"))
        #expect(link(folder + "/v.txt", folder + "/hard.txt") == 0)
        #expect(symlink("m.safetensors", folder + "/soft.safetensors") == 0)
        let model = try Self.bytes(folder + "/m.safetensors"), text = try Self.bytes(folder + "/v.txt")

        for arguments in [
            ["encode", "-m", "m.safetensors", "v.txt", "-o", "m.safetensors"],
            ["encode", "-m", "m.safetensors", "v.txt", "-o", "soft.safetensors"],
            ["encode", "-m", "m.safetensors", "v.txt", "-o", "hard.txt"],
            ["vocab", "v.txt", "-o", "hard.txt"],
            ["prepare", "v.txt", "-o", "v.txt"],
        ] {
            let run = try TextVAEProgram.run(arguments, in: folder)
            let command = "textvae " + arguments.joined(separator: " ")
            #expect(run.failedCleanly && run.stderr.contains("would replace it"), "\(command): \(run)")
        }
        #expect(try Self.bytes(folder + "/m.safetensors") == model && Self.bytes(folder + "/v.txt") == text)
    }

    @Test func trainingRefusesRunFilesThatAreItsInputs() throws {
        let folder = try temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data(GrammarCorpus.sentences(count: 60, seed: 2).joined(separator: "\n").utf8).write(
            to: URL(fileURLWithPath: folder + "/c.txt"))
        let corpus = try Self.bytes(folder + "/c.txt")
        // -o c.txt --overwrite would delete the corpus; r.vocab.txt as corpus is the vocabulary file of -o r.safetensors.
        try FileManager.default.copyItem(atPath: folder + "/c.txt", toPath: folder + "/r.vocab.txt")
        for arguments in [["train", "c.txt", "-o", "c.txt", "--overwrite"], ["train", "r.vocab.txt", "-o", "r.safetensors"]] {
            let run = try TextVAEProgram.run(arguments + ["--epochs", "1", "--threads", "1"], in: folder)
            #expect(run.failedCleanly && run.stderr.contains("training would replace it"), "\(arguments): \(run)")
        }
        #expect(try Self.bytes(folder + "/c.txt") == corpus && Self.bytes(folder + "/r.vocab.txt") == corpus)
    }

    @Test func prepareKeepsADeviceADeviceAndCleansAbandonedScratchFiles() throws {
        let folder = try temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data("the cat sat\na dog ran\n".utf8).write(to: URL(fileURLWithPath: folder + "/c.txt"))
        let device = try TextVAEProgram.run(["prepare", "c.txt", "-o", "/dev/null"], in: folder)
        #expect(device.failedCleanly && device.stderr.contains("not a regular file"), "\(device)")
        var info = stat()
        #expect(stat("/dev/null", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR, "/dev/null is no longer a device")

        // Left by runs killed with SIGKILL (process 2^22 + 1 does not run: Linux's pid_max is at most 2^22).
        let abandoned = ["/.c.tokens.scratch-4194305", "/.c.tokens.partial-4194305"].map { folder + $0 }
        for path in abandoned { try Data("old".utf8).write(to: URL(fileURLWithPath: path)) }
        let prepared = try TextVAEProgram.run(["prepare", "c.txt", "-o", "c.tokens"], in: folder)
        #expect(prepared.status == 0, "\(prepared)")
        for path in abandoned { #expect(!FileManager.default.fileExists(atPath: path), "\(path) is still there") }
    }

    /// The scratch writer never follows a link planted under its name.
    @Test func theScratchWriterDoesNotWriteThroughALink() throws {
        let folder = try temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data("precious".utf8).write(to: URL(fileURLWithPath: folder + "/target"))
        #expect(symlink(folder + "/target", folder + "/scratch") == 0)
        #expect(throws: TextVAEError.self) { _ = try BinaryWriter(folder + "/scratch") }
        #expect(try Self.bytes(folder + "/target") == Data("precious".utf8))
    }

    /// A run resumed from another folder writes beside its checkpoint, not over the files of the run in the
    /// folder it was started from.
    @Test func aResumedRunWritesBesideItsCheckpoint() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let corpus = Data(GrammarCorpus.sentences(count: 120, seed: 3).joined(separator: "\n").utf8)
        let small = ["--embedding", "8", "--hidden", "8", "--latent", "2", "--batch-size", "16", "--threads", "1", "--quiet"]
        for name in ["a", "b"] {
            let folder = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try corpus.write(to: folder.appendingPathComponent("g.txt"))
            let run = try TextVAEProgram.run(["train", "g.txt", "-o", "m.safetensors", "--epochs", "1"] + small, in: folder.path)
            try #require(run.status == 0, "\(run)")
        }
        let b = root.appendingPathComponent("b")
        let before = try ["m.safetensors", "m.checkpoint.safetensors", "m.metrics.jsonl"].map {
            try Self.bytes(b.appendingPathComponent($0).path)
        }
        let resumed = try TextVAEProgram.run(
            ["train", "--resume", "../a/m.checkpoint.safetensors", "--epochs", "2", "--threads", "1", "--quiet"],
            in: b.path)
        #expect(resumed.status == 0, "\(resumed)")
        let after = try ["m.safetensors", "m.checkpoint.safetensors", "m.metrics.jsonl"].map {
            try Self.bytes(b.appendingPathComponent($0).path)
        }
        #expect(after == before, "run b's files changed")
        #expect(try Checkpoint.load(root.appendingPathComponent("a/m.checkpoint.safetensors").path).state.epoch == 2)
    }
}
