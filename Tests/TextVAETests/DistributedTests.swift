import Foundation
import Testing

@testable import TextVAE

/// Data-parallel training: the ranks' shares of a batch add up to the whole batch, in-process; and with
/// Open MPI installed, `mpirun -np 2 textvae train` gives the model one process gives, and a stopped
/// 2-rank run resumes to the model of an uninterrupted one.
@Suite(.serialized) struct DistributedTests {
    /// Two halves of a batch, each computed as one rank's share, give the whole batch's loss and gradient. With
    /// free bits or a class capacity, each half's forward pass hands its `BatchSums` to `reduce`, which adds the
    /// other half's, as the all-reduce between ranks does; without them no reduction is asked for.
    @Test(arguments: [(Float(0), Float(0)), (0.3, 0), (0, 0.4), (0.3, 0.4)])
    func sharesOfABatchAddUpToTheWholeBatch(freeBits: Float, capacity: Float) throws {
        try loadBLAS()
        let config = ModelConfig(vocabulary: 12, embedding: 5, hidden: 6, latent: 3, classes: 2)
        let model = SentenceVAE(config: config, seed: 8)
        let sentences: [[Int32]] = [[4, 5, 6, 7], [8, 4], [5, 5, 11], [6], [9, 10, 4, 4, 5], [7, 7]]
        let labels: [Int?] = [1, nil, nil, 0, nil, nil]
        var rng = Random(seed: 2)
        let eps = randomArray(sentences.count * 3, &rng)
        let gumbel = (0..<6).flatMap { _ in ClassChoice.gumbel(2, &rng) }
        let ws = Workspace(threads: 1)
        func run(_ rows: Range<Int>, whole: Int?, reduce: BatchSumsReduction? = nil) throws -> ([Float], BatchResult) {
            var gradient = [Float](repeating: 0, count: model.layout.total)
            let settings = LossSettings(beta: 0.7, freeBits: freeBits, wholeBatch: whole, classCapacity: capacity)
            let classes = ClassChoice(
                labels: Array(labels[rows]),
                unlabelled: .relaxed(gumbel: Array(gumbel[(rows.lowerBound * 2)..<(rows.upperBound * 2)]), temperature: 0.7))
            let result = try model.run(
                Batch(Array(sentences[rows])), latent: .sample(Array(eps[(rows.lowerBound * 3)..<(rows.upperBound * 3)])),
                classes: classes, loss: settings, accumulatingGradientInto: &gradient, workspace: ws, reduce: reduce)
            return (gradient, result)
        }
        let (whole, wholeResult) = try run(0..<6, whole: nil)
        // Each half's own sums, as its rank would contribute them to the all-reduce.
        let (a, b) = (0..<4, 4..<6)
        var partial: [Range<Int>: BatchSums] = [:]
        for half in [a, b] {
            _ = try run(half, whole: 6) { sums in
                partial[half] = sums
                return sums
            }
        }
        let needed = freeBits > 0 || capacity > 0
        #expect(partial.count == (needed ? 2 : 0), "the sums are asked for exactly when the loss needs them")
        func add(_ other: Range<Int>) -> BatchSumsReduction {
            { sums in BatchSums(values: zip(sums.values, partial[other]!.values).map(+)) }
        }
        let (ga, ra) = try run(a, whole: 6, reduce: needed ? add(b) : nil)
        let (gb, rb) = try run(b, whole: 6, reduce: needed ? add(a) : nil)
        #expect(firstMismatch(zip(ga, gb).map(+), whole, rtol: 1e-4, atol: 1e-6) == nil)
        #expect(abs(ra.loss + rb.loss - wholeResult.loss) < 1e-4 * abs(wholeResult.loss))
    }

    /// An all-reduce that fails stops the update with its error: nothing passes for a sum.
    @Test func aFailedReductionIsThrown() throws {
        try loadBLAS()
        struct Broken: Error {}
        let model = SentenceVAE(config: ModelConfig(vocabulary: 12, embedding: 5, hidden: 6, latent: 3), seed: 8)
        var gradient = [Float](repeating: 0, count: model.layout.total)
        #expect(throws: Broken.self) {
            try model.run(
                Batch([[4, 5], [6]]), latent: .mean, loss: LossSettings(freeBits: 0.5, wholeBatch: 4),
                accumulatingGradientInto: &gradient, workspace: Workspace(threads: 1)
            ) { _ in throw Broken() }
        }
    }

    /// mpirun, where Open MPI is installed (CI installs it); nil with the reason printed otherwise.
    static func mpirun() -> String? {
        for folder in ["/usr/bin", "/usr/local/bin"] where FileManager.default.isExecutableFile(atPath: folder + "/mpirun") {
            return folder + "/mpirun"
        }
        print("DistributedTests: mpirun not found, so the 2-rank runs are skipped (apt-get install openmpi-bin libopenmpi-dev)")
        return nil
    }

    /// The KL schedule in updates (`--x0 60`), not placed in the plan: a run stopped after one epoch of a planned
    /// one and resumed for two then follows the straight two-epoch run's curve.
    static let sizes = [
        "--embedding", "16", "--hidden", "24", "--latent", "4", "--batch-size", "16", "--threads", "1",
        "--checkpoint-minutes", "0", "--patience", "0", "--seed", "9", "--x0", "60", "--quiet",
    ]

    /// Where the README's test command set the machine up (Tests/Scripts/setup.sh leaves this mark), Open MPI
    /// is installed: the 2-rank tests above must run there, not show as skipped.
    static let setUpForTests = FileManager.default.fileExists(
        atPath: testsFolder.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
            ".build/textvae-set-up-for-tests"
        ).path)

    @Test(.enabled(if: setUpForTests, "Tests/Scripts/setup.sh has not run in this checkout"))
    func theSetUpInstalledOpenMPI() {
        #expect(Self.mpirun() != nil, "Tests/Scripts/setup.sh ran but mpirun is missing, so the 2-rank tests were skipped")
    }

    /// `mpirun -np ranks textvae ARGS`, as root if need be (containers, CI).
    static func ranks(
        _ n: Int, _ mpirun: String, _ arguments: [String], in folder: String, adding variables: [String: String] = [:]
    ) throws -> Run {
        try runProcess(
            mpirun, ["--allow-run-as-root", "--oversubscribe", "-np", String(n), try TextVAEProgram.path()] + arguments,
            in: folder, environment: environment.merging(variables) { $1 })
    }

    /// The ranks' environment: this one, but in the ASan run without leak checking. Open MPI's plugins leave
    /// allocations behind at MPI_Finalize and are unloaded, so their stacks have no names a suppression could
    /// match; textvae's own code is leak-checked by every other test, single-process training included.
    static var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        if environment["LSAN_OPTIONS"] != nil {  // the ASan run (Tests/Scripts/ci/sanitizers-and-fuzz.sh)
            environment["ASAN_OPTIONS"] = (environment["ASAN_OPTIONS"].map { $0 + ":" } ?? "") + "detect_leaks=0"
        }
        return environment
    }

    /// Writes g.txt, 840 sentences of the test grammar, into `folder`, and with `prepare` its token file g.tokens.
    static func writeGrammar(in folder: URL, prepare: Bool) throws {
        try Data(GrammarCorpus.sentences(count: 840, seed: 6).joined(separator: "\n").utf8).write(
            to: folder.appendingPathComponent("g.txt"))
        guard prepare else { return }
        let prepared = try TextVAEProgram.run(["prepare", "g.txt", "-o", "g.tokens"], in: folder.path)
        try #require(prepared.status == 0, "\(prepared)")
    }

    static func parameters(_ path: String) throws -> [Float] { try Checkpoint.load(path).file.model.parameters }

    static func largestRelativeDifference(_ a: [Float], _ b: [Float]) -> Float {
        let scale = a.map(abs).max() ?? 1
        return zip(a, b).map { abs($0 - $1) }.max()! / scale
    }

    /// Also with an adversarial prior, whose discriminator's gradient is summed with the model's.
    @Test(.enabled(if: mpirun() != nil, "mpirun (Open MPI) is not installed"), arguments: [[], ["--regulariser", "adversarial"]])
    func twoRanksTrainTheModelOneProcessTrains(flags: [String]) throws {
        let mpirun = try #require(Self.mpirun())
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.writeGrammar(in: folder, prepare: true)
        // 798 training sentences in batches of 16: 50 updates an epoch, 100 in two.
        let one = try TextVAEProgram.run(
            ["train", "g.tokens", "-o", "one.safetensors", "--epochs", "2"] + Self.sizes + flags, in: folder.path)
        try #require(one.status == 0, "\(one)")
        let two = try Self.ranks(
            2, mpirun, ["train", "g.tokens", "-o", "two.safetensors", "--epochs", "2"] + Self.sizes + flags, in: folder.path)
        try #require(two.status == 0, "\(two)")
        #expect(two.stdout.contains("finished: 100 steps"), "\(two)")
        #expect(two.stdout.contains("each making 1/2 of Adam's step"), "each rank made all of the step: \(two)")
        let difference = Self.largestRelativeDifference(
            try Self.parameters(folder.appendingPathComponent("one.checkpoint.safetensors").path),
            try Self.parameters(folder.appendingPathComponent("two.checkpoint.safetensors").path))
        print(
            "DistributedTests: 2 ranks against 1 process after 100 updates \(flags): largest difference \(difference) of the largest parameter"
        )
        #expect(difference < 1e-3)
        // The reference: every rank sums the whole gradient and makes the whole step. Two ranks add each gradient in
        // one addition either way, so the parameters and Adam's moments (gathered for the checkpoint) are the same bits.
        let whole = try Self.ranks(
            2, mpirun, ["train", "g.tokens", "-o", "whole.safetensors", "--epochs", "2"] + Self.sizes + flags, in: folder.path,
            adding: ["TEXTVAE_SHARDED_STEP": "0"])
        try #require(whole.status == 0, "\(whole)")
        #expect(whole.stdout.contains("MPI_Allreduce of"), "\(whole)")
        let shared = try Checkpoint.load(folder.appendingPathComponent("two.checkpoint.safetensors").path)
        let reference = try Checkpoint.load(folder.appendingPathComponent("whole.checkpoint.safetensors").path)
        let (sameParameters, sameMoments) = (shared.file.model.parameters == reference.file.model.parameters, shared.adam == reference.adam)
        #expect(sameParameters, "the split step's parameters are not the whole step's")
        #expect(sameMoments, "the split step's Adam moments (gathered for the checkpoint) are not the whole step's")
        let sameDiscriminator = shared.adversary?.discriminator.parameters == reference.adversary?.discriminator.parameters
        #expect(sameDiscriminator, "the discriminators differ")
    }

    /// Three ranks pass the gradient's parts round a ring in two steps (two ranks, in one): the model is still the
    /// one process's, up to the order of float sums.
    @Test(.enabled(if: mpirun() != nil, "mpirun (Open MPI) is not installed"))
    func threeRanksTrainTheModelOneProcessTrains() throws {
        let mpirun = try #require(Self.mpirun())
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.writeGrammar(in: folder, prepare: true)
        // A hidden size of 48: parameters enough for each rank's part to be one of the norm's blocks or more.
        let sizes = Self.sizes.map { $0 == "24" ? "48" : $0 }
        let one = try TextVAEProgram.run(["train", "g.tokens", "-o", "one.safetensors", "--epochs", "1"] + sizes, in: folder.path)
        try #require(one.status == 0, "\(one)")
        let three = try Self.ranks(3, mpirun, ["train", "g.tokens", "-o", "three.safetensors", "--epochs", "1"] + sizes, in: folder.path)
        try #require(three.status == 0, "\(three)")
        #expect(three.stdout.contains("each making 1/3 of Adam's step"), "\(three)")
        let difference = Self.largestRelativeDifference(
            try Self.parameters(folder.appendingPathComponent("one.checkpoint.safetensors").path),
            try Self.parameters(folder.appendingPathComponent("three.checkpoint.safetensors").path))
        print("DistributedTests: 3 ranks against 1 process after 50 updates: largest difference \(difference) of the largest parameter")
        #expect(difference < 1e-3)
    }

    @Test(.enabled(if: mpirun() != nil, "mpirun (Open MPI) is not installed"))
    func aStoppedTwoRankRunResumesToTheUninterruptedModel() throws {
        let mpirun = try #require(Self.mpirun())
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.writeGrammar(in: folder, prepare: false)
        let straight = try Self.ranks(
            2, mpirun, ["train", "g.txt", "-o", "straight.safetensors", "--epochs", "2"] + Self.sizes, in: folder.path)
        try #require(straight.status == 0, "\(straight)")
        // Stopped after its first epoch, then resumed: with 2 ranks again, and with 1 process.
        let stopped = try Self.ranks(
            2, mpirun, ["train", "g.txt", "-o", "resumed.safetensors", "--epochs", "1"] + Self.sizes, in: folder.path)
        try #require(stopped.status == 0, "\(stopped)")
        let single = folder.appendingPathComponent("single")
        try FileManager.default.createDirectory(at: single, withIntermediateDirectories: false)
        try FileManager.default.copyItem(
            at: folder.appendingPathComponent("resumed.checkpoint.safetensors"),
            to: single.appendingPathComponent("resumed.checkpoint.safetensors"))
        let resumed = try Self.ranks(
            2, mpirun,
            [
                "train", "--resume", "resumed.checkpoint.safetensors", "--epochs", "2", "--threads", "1",
                "--quiet",
            ], in: folder.path)
        try #require(resumed.status == 0, "\(resumed)")
        let expected = try Self.parameters(folder.appendingPathComponent("straight.checkpoint.safetensors").path)
        #expect(try Self.parameters(folder.appendingPathComponent("resumed.checkpoint.safetensors").path) == expected)
        let alone = try TextVAEProgram.run(
            [
                "train", "--resume", "resumed.checkpoint.safetensors", "../g.txt", "--epochs", "2",
                "--threads", "1", "--quiet",
            ], in: single.path)
        try #require(alone.status == 0, "\(alone)")
        #expect(
            Self.largestRelativeDifference(
                try Self.parameters(single.appendingPathComponent("resumed.checkpoint.safetensors").path),
                expected) < 1e-3)
    }

    /// Two ranks started on different corpora (mpirun's "A : B" form starts each with its own command) stop
    /// together before the first update, with a message, instead of meeting at sums of different sizes.
    @Test(.enabled(if: mpirun() != nil, "mpirun (Open MPI) is not installed"))
    func ranksGivenDifferentDataStopTogetherWithAReason() throws {
        let mpirun = try #require(Self.mpirun())
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, count) in [("a", 400), ("b", 440)] {
            try Data(GrammarCorpus.sentences(count: count, seed: 6).joined(separator: "\n").utf8).write(
                to: folder.appendingPathComponent(name + ".txt"))
            let prepared = try TextVAEProgram.run(["prepare", name + ".txt", "-o", name + ".tokens"], in: folder.path)
            try #require(prepared.status == 0, "\(prepared)")
        }
        let textvae = try TextVAEProgram.path()
        func rank(_ corpus: String) -> [String] {
            ["-np", "1", textvae, "train", corpus, "-o", "m.safetensors", "--epochs", "1", "--quiet"] + Self.sizes
        }
        // `timeout`: were the ranks to wait for each other, the test fails instead of hanging the suite.
        let run = try runProcess(
            "/usr/bin/timeout", ["120", mpirun, "--allow-run-as-root", "--oversubscribe"] + rank("a.tokens") + [":"] + rank("b.tokens"),
            in: folder.path, environment: Self.environment)
        #expect(run.status != 0 && run.status != 124, "\(run)")
        #expect((run.stdout + run.stderr).contains("do not agree on the data"), "\(run)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("m.safetensors").path))
    }

    /// Killed (SIGKILL, every process of the job) after its first checkpoint, a 2-rank run resumes from that
    /// checkpoint to the model of the run that was never stopped, bit for bit.
    @Test(.enabled(if: mpirun() != nil, "mpirun (Open MPI) is not installed"))
    func aKilledTwoRankRunResumesToTheUninterruptedModel() throws {
        let mpirun = try #require(Self.mpirun())
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.writeGrammar(in: folder, prepare: false)
        let run = ["train", "g.txt", "--epochs", "3", "--checkpoint-steps", "10"] + Self.sizes
        let straight = try Self.ranks(2, mpirun, run + ["-o", "straight.safetensors"], in: folder.path)
        try #require(straight.status == 0, "\(straight)")

        let job = Process()
        job.executableURL = URL(fileURLWithPath: mpirun)
        job.arguments =
            ["--allow-run-as-root", "--oversubscribe", "-np", "2", try TextVAEProgram.path()] + run + ["-o", "killed.safetensors"]
        job.currentDirectoryURL = folder
        job.environment = Self.environment
        job.standardOutput = FileHandle.nullDevice
        job.standardError = FileHandle.nullDevice
        try job.run()
        let checkpoint = folder.appendingPathComponent("killed.checkpoint.safetensors").path
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: checkpoint) && job.isRunning && Date() < deadline { usleep(20_000) }
        // mpirun and both ranks: every process whose command line names this run's model.
        let kill = try runProcess("/usr/bin/pkill", ["-KILL", "-f", "killed.safetensors"], in: folder.path)
        job.waitUntilExit()
        try #require(FileManager.default.fileExists(atPath: checkpoint), "no checkpoint before the kill (pkill: \(kill))")
        let step = try Checkpoint.load(checkpoint).state.step
        print("DistributedTests: killed the 2-rank run after its checkpoint at step \(step) of 150")

        let resumed = try Self.ranks(
            2, mpirun, ["train", "--resume", "killed.checkpoint.safetensors", "--threads", "1", "--quiet"],
            in: folder.path)
        try #require(resumed.status == 0, "\(resumed)")
        #expect(try Self.parameters(checkpoint) == Self.parameters(folder.appendingPathComponent("straight.checkpoint.safetensors").path))
    }

    /// Where Open MPI cannot be loaded (here: made so by naming a library that is not there), --distributed
    /// says what to install, exits non-zero and writes nothing.
    @Test func withoutOpenMPIADistributedRunSaysHowToInstallIt() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(GrammarCorpus.sentences(count: 50, seed: 6).joined(separator: "\n").utf8).write(to: folder.appendingPathComponent("g.txt"))
        var environment = ProcessInfo.processInfo.environment
        environment["TEXTVAE_MPI_LIBRARY"] = folder.appendingPathComponent("no-such-libmpi.so.40").path
        let run = try runProcess(try TextVAEProgram.path(), ["train", "g.txt", "--distributed"], in: folder.path, environment: environment)
        #expect(run.failedCleanly, "\(run)")
        #expect(run.stderr.contains("cannot load Open MPI") && run.stderr.contains("apt-get install openmpi-bin libopenmpi-dev"), "\(run)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["g.txt"])
    }
}
