import Foundation
import Testing

@testable import TextVAE

/// What an output path may be besides a new or regular file, and what textvae
/// does with it: links are followed, devices and FIFOs written in place, write
/// errors reported, folders refused, all before any training starts.
@Suite struct OutputPathTests {
    func fileType(_ path: String) -> mode_t {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : 0
    }

    @Test func aSymbolicLinkIsFollowedAndStaysALink() throws {
        let folder = try temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data("old".utf8).write(to: URL(fileURLWithPath: folder + "/real.npy"))
        #expect(symlink("real.npy", folder + "/link.npy") == 0)
        try AtomicFile.write(Data("new".utf8), to: folder + "/link.npy")
        #expect(fileType(folder + "/link.npy") == S_IFLNK, "the link was replaced by a file")
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: folder + "/real.npy")), as: UTF8.self) == "new")
        // A link to a file that does not exist yet creates the file, not a file in place of the link.
        #expect(symlink(folder + "/later.txt", folder + "/dangling") == 0)
        try AtomicFile.write(Data("made".utf8), to: folder + "/dangling")
        #expect(fileType(folder + "/dangling") == S_IFLNK && fileType(folder + "/later.txt") == S_IFREG)
    }

    @Test func aNamedPipeIsWrittenInPlace() throws {
        let folder = try temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(mkfifo(folder + "/pipe", 0o644) == 0)
        let reader = try Child(executable: "/bin/sh", in: URL(fileURLWithPath: folder), arguments: ["-c", "cat pipe > received"])
        let payload = Data((0..<100_000).map { UInt8($0 % 251) })
        try AtomicFile.write(payload, to: folder + "/pipe")
        let (process, stderr) = reader.wait()
        #expect(process.terminationStatus == 0, "\(stderr)")
        #expect(fileType(folder + "/pipe") == S_IFIFO, "the FIFO was replaced")
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/received")) == payload)
    }

    /// /dev/full fails every write with ENOSPC; it must stay a device (a rename over it,
    /// as root, would replace the machine's /dev/full with a regular file).
    static let hasFullDevice: Bool = {
        var info = stat(); return lstat("/dev/full", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR
    }()

    @Test(.enabled(if: hasFullDevice, "this machine has no /dev/full"))
    func aFullDeviceIsAnErrorAndStaysADevice() throws {
        #expect(throws: TextVAEError.self) { try AtomicFile.write(Data(count: 10_000), to: "/dev/full") }
        #expect(fileType("/dev/full") == S_IFCHR)
    }

    @Test func aFolderIsRefusedByName() throws {
        let folder = try temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let error = #expect(throws: TextVAEError.self) { try AtomicFile.write(Data("x".utf8), to: folder) }
        #expect(error?.description.contains("is a folder") == true, "\(String(describing: error))")
    }

    @Test(.enabled(if: hasFullDevice, "this machine has no /dev/full"))
    func encodeIntoAFullDeviceFailsWithAMessage() throws {
        let folder = try temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try TinyModel.file().save(to: folder + "/model.safetensors")
        try Data("the cat sat\n".utf8).write(to: URL(fileURLWithPath: folder + "/in.txt"))
        let run = try TextVAEProgram.run(["encode", "-m", "model.safetensors", "in.txt", "-o", "/dev/full"], in: folder)
        #expect(run.failedCleanly && run.stderr.contains("/dev/full") && run.stderr.contains("No space"), "\(run)")
        #expect(!run.stdout.contains("wrote"), "\(run)")
        #expect(fileType("/dev/full") == S_IFCHR)
    }

    /// `-o` naming a folder is found before the corpus is even read, not after training.
    @Test func trainRefusesAFolderAsOutputBeforeTraining() throws {
        let folder = try temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/some-folder", withIntermediateDirectories: false)
        try Data(GrammarCorpus.sentences(count: 200, seed: 1).joined(separator: "\n").utf8).write(
            to: URL(fileURLWithPath: folder + "/g.txt"))
        let run = try TextVAEProgram.run(["train", "g.txt", "-o", "some-folder"] + ReliabilityTests.tiny, in: folder)
        #expect(run.failedCleanly && run.stderr.contains("some-folder") && run.stderr.contains("is a folder"), "\(run)")
        #expect(!run.stdout.contains("epoch"), "it trained before refusing: \(run)")
        let left = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(left == ["g.txt", "some-folder"], "\(left)")
    }

    /// `-o /dev/stdout` puts the data on stdout and the summary on stderr, so the data stays usable.
    @Test func standardOutputGetsTheDataAndNotTheSummary() throws {
        let folder = try temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data("the cat sat\na dog ran\n".utf8).write(to: URL(fileURLWithPath: folder + "/c.txt"))
        let run = try TextVAEProgram.run(["vocab", "c.txt", "-o", "/dev/stdout", "--min-count", "1"], in: folder)
        #expect(run.status == 0 && run.stderr.contains("wrote /dev/stdout"), "\(run)")
        let vocabulary = try Vocabulary.parse(run.stdout.split(separator: "\n").map(String.init), name: "stdout")
        #expect(vocabulary.count == 4 + 6, "\(run)")
    }

    /// Replacing a file keeps its permissions (a private model stays private).
    @Test func aReplacedFileKeepsItsMode() throws {
        let folder = try temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/private.txt"
        try Data("old".utf8).write(to: URL(fileURLWithPath: path))
        #expect(chmod(path, 0o600) == 0)
        try AtomicFile.write(Data("new".utf8), to: path)
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o600)
    }

    /// The helper that runs textvae must tell a crash from an error exit: Foundation
    /// reports a signal's number (4, 6, 11) where an exit status would be.
    @Test func aCrashIsNotMistakenForAnErrorExit() throws {
        let folder = try temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let crashed = try runProcess("/bin/sh", ["-c", "kill -ILL $$"], in: folder)
        #expect(crashed.killedBySignal && !crashed.failedCleanly, "\(crashed)")
        let failed = try runProcess("/bin/sh", ["-c", "exit 4"], in: folder)
        #expect(!failed.killedBySignal && failed.failedCleanly, "\(failed)")
    }
}
