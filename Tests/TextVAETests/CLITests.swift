import Foundation
import Testing

@testable import TextVAE

/// What one run of the `textvae` executable did.
struct Run: CustomStringConvertible {
    /// The exit status, or the signal's number when `killedBySignal` (Foundation reports both in one field).
    var status: Int32
    /// Whether the process ended by a signal (a crash: SIGILL, SIGABRT, SIGSEGV...) rather than by exiting.
    var killedBySignal: Bool
    var stdout: String
    var stderr: String
    var stderrLines: [Substring] { stderr.split(separator: "\n", omittingEmptySubsequences: true) }
    /// Exited with a non-zero status: an error reported, not a crash.
    var failedCleanly: Bool { !killedBySignal && status != 0 }
    var description: String {
        (killedBySignal ? "killed by signal \(status)" : "exit \(status)") + "\n--- stdout:\n\(stdout)--- stderr:\n\(stderr)"
    }
}

/// Runs the built `textvae` executable as a user would.
enum TextVAEProgram {
    /// The `textvae` built with these tests: the test bundle's sibling, which
    /// `swift build` (debug, as the README's test command runs it) puts there.
    /// Failing that, the package's `.build/debug` product. Not whichever is
    /// newest: a release build is fast enough to change what the timing-based
    /// tests (kill mid-training) see.
    static func path() throws -> String {
        var candidates: [URL] = []
        if let bundle = Bundle.main.executableURL?.deletingLastPathComponent() {
            candidates.append(bundle.appendingPathComponent("textvae"))
        }
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // TextVAETests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()
        candidates.append(packageRoot.appendingPathComponent(".build/debug/textvae"))
        if let found = candidates.map({ $0.resolvingSymlinksInPath().path }).first(where: FileManager.default.isExecutableFile) {
            return found
        }
        Issue.record(
            """
            no textvae executable found; looked at:
            \(candidates.map(\.path).joined(separator: "\n"))
            Build it with 'swift build' before 'swift test'.
            """)
        throw TestFailure("textvae executable not built")
    }

    /// Runs textvae with `arguments` (and `input` on stdin, else /dev/null); output goes through files,
    /// not pipes, so a chatty child can never block on a full pipe.
    static func run(_ arguments: [String], in folder: String, stdin input: String? = nil) throws -> Run {
        try runProcess(try path(), arguments, in: folder, stdin: input)
    }
}

/// Runs `executable` in `folder` and collects what it printed and how it ended.
func runProcess(
    _ executable: String, _ arguments: [String], in folder: String, stdin input: String? = nil,
    environment: [String: String]? = nil
) throws -> Run {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    if let environment { process.environment = environment }
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: folder)
    // Names of this call's own: tests run processes side by side, some in the same folder (the temporary one).
    let tag = UUID().uuidString
    let outPath = folder + "/.stdout-\(tag)", errPath = folder + "/.stderr-\(tag)", inPath = folder + "/.stdin-\(tag)"
    for path in [outPath, errPath] where !FileManager.default.createFile(atPath: path, contents: nil) {
        throw TestFailure("cannot create \(path) for the child's output")
    }
    defer { for path in [outPath, errPath, inPath] { try? FileManager.default.removeItem(atPath: path) } }
    let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    process.standardOutput = out
    process.standardError = err
    if let input {
        try Data(input.utf8).write(to: URL(fileURLWithPath: inPath))
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
    } else {
        process.standardInput = FileHandle.nullDevice
    }
    try process.run()
    process.waitUntilExit()
    try out.close()
    try err.close()
    return Run(
        status: process.terminationStatus, killedBySignal: process.terminationReason == .uncaughtSignal,
        stdout: String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self),
        stderr: String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self))
}

@Suite struct CLITests {
    static let helpCases: [(arguments: [String], mentions: [String])] = [
        (["--help"], ["USAGE: textvae", "tokenize", "vocab"]),
        (
            ["tokenize", "--help"],
            ["--file", "--separator", "--tokenizer", "--locale", "--keep-case", "--paragraphs", "--skip-invalid", "whitespace"]
        ),
        (
            ["vocab", "--help"],
            ["<corpus>", "--output", "--min-count", "--max-size", "--tokenizer", "--locale", "--skip-invalid", "(default: 20000)"]
        ),
    ]

    @Test func helpMentionsTheKeyOptions() throws {
        try withScratchFolder { folder in
            for c in Self.helpCases {
                let run = try TextVAEProgram.run(c.arguments, in: folder)
                #expect(run.status == 0, "textvae \(c.arguments.joined(separator: " ")): \(run)")
                for option in c.mentions {
                    #expect(run.stdout.contains(option), "textvae \(c.arguments.joined(separator: " ")) does not mention \(option)")
                }
            }
        }
    }

    @Test func missingFileIsOneLineOnStderr() throws {
        try withScratchFolder { folder in
            let cases: [[String]] = [
                ["tokenize", "--file", "missing.txt"],
                ["vocab", "missing.txt", "-o", "out.vocab.txt"],
                ["vocab", "missing.txt", "-o", "out.vocab.txt", "--tokenizer", "whitespace"],
            ]
            for arguments in cases {
                let run = try TextVAEProgram.run(arguments, in: folder)
                let command = "textvae " + arguments.joined(separator: " ")
                #expect(run.failedCleanly, "\(command): \(run)")
                #expect(run.stderrLines.count == 1, "\(command): \(run)")
                #expect(run.stderr.contains("missing.txt"), "\(command): the error names the file: \(run)")
                #expect(run.stdout.isEmpty, "\(command): \(run)")
            }
            #expect(!FileManager.default.fileExists(atPath: folder + "/out.vocab.txt"))
        }
    }

    @Test func invalidUTF8ThroughTheCommandLine() throws {
        try withScratchFolder { folder in
            try writeFile(Array("one fine line\nbad ".utf8) + [0xE9] + Array("t\u{E9}\nlast line\n".utf8), folder + "/latin1.txt")

            let failed = try TextVAEProgram.run(["vocab", "latin1.txt", "-o", "v.txt"], in: folder)
            #expect(failed.failedCleanly, "\(failed)")
            #expect(failed.stderrLines.count == 1, "\(failed)")
            #expect(
                failed.stderr.contains("latin1.txt") && failed.stderr.contains("line 2")
                    && failed.stderr.contains("byte offset 18"), "\(failed)")

            let skipped = try TextVAEProgram.run(["vocab", "latin1.txt", "-o", "v.txt", "--skip-invalid", "--min-count", "1"], in: folder)
            #expect(skipped.status == 0, "\(skipped)")
            #expect(skipped.stdout.contains("skipped 1 lines"), "\(skipped)")
            #expect(try Vocabulary.load(folder + "/v.txt").count == 4 + 4, "one, fine, line, last")

            // tokenize prints tokens on stdout; the count of dropped lines goes to stderr.
            let tokenized = try TextVAEProgram.run(["tokenize", "--file", "latin1.txt", "--skip-invalid"], in: folder)
            #expect(tokenized.status == 0, "\(tokenized)")
            #expect(tokenized.stdout == "one | fine | line\nlast | line\n", "\(tokenized)")
            #expect(tokenized.stderr.contains("skipped 1 lines"), "\(tokenized)")
        }
    }

    @Test func tokenizePrintsTokens() throws {
        try withScratchFolder { folder in
            let cases: [(arguments: [String], stdout: String)] = [
                (["tokenize", "Don't panic: it's 3.14!"], "don't | panic | : | it's | 3.14 | !\n"),
                (["tokenize", "--locale", "tr", "--separator", " ", "İSTANBUL ILIK"], "istanbul ılık\n"),
                (["tokenize", "--tokenizer", "whitespace", "The <unk> sat ."], "The | <unk> | sat | .\n"),
            ]
            for c in cases {
                let run = try TextVAEProgram.run(c.arguments, in: folder)
                #expect(run.status == 0 && run.stdout == c.stdout, "textvae \(c.arguments): \(run)")
            }
        }
    }

    /// Each process hashes strings with its own random seed, so two runs are a
    /// real test that nothing in the file depends on hash-table order.
    @Test func vocabIsTheSameInTwoProcesses() throws {
        try withScratchFolder { folder in
            let lines = (0..<200).map { i in "word\(i % 37) and word\(i % 11) or \(i % 13) thing\(i % 7)." }
            try writeFile(Array(lines.joined(separator: "\n").utf8), folder + "/corpus.txt")
            var files: [Data] = []
            for name in ["a.txt", "b.txt"] {
                let run = try TextVAEProgram.run(["vocab", "corpus.txt", "-o", name, "--max-size", "40"], in: folder)
                #expect(run.status == 0, "\(run)")
                #expect(run.stdout.contains("wrote \(name): 44 entries (4 specials + 40 words)"), "\(run)")
                #expect(run.stdout.contains("coverage:"), "\(run)")
                files.append(FileManager.default.contents(atPath: folder + "/" + name) ?? Data())
            }
            #expect(!files[0].isEmpty && files[0] == files[1])
        }
    }
}
