import Foundation
import Testing

@testable import TextVAE

/// Starting and resuming runs through the command line: a resume reads the data
/// as the run first did, applies what may change and says so, refuses what may
/// not; a new run does not mix itself into an earlier run's files.
@Suite struct RunStartTests {
    static let tiny = ReliabilityTests.tiny + ["--quiet"]

    func grammarFolder(_ sentences: Int = 300) throws -> String {
        let folder = try temporaryFolder().path
        try Data(GrammarCorpus.sentences(count: sentences, seed: 3).joined(separator: "\n").utf8)
            .write(to: URL(fileURLWithPath: folder + "/g.txt"))
        return folder
    }

    /// Paragraph-mode files (validation file too) are read the same way on resume, without the flags.
    @Test func aParagraphsRunWithAValidationFileResumes() throws {
        let folder = try temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func paragraphs(_ n: Int, seed: UInt64) -> String {
            let s = GrammarCorpus.sentences(count: n, seed: seed)
            return stride(from: 0, to: n, by: 3).map { s[$0..<min(n, $0 + 3)].joined(separator: "\n") }.joined(separator: "\n\n")
        }
        try Data(paragraphs(300, seed: 1).utf8).write(to: URL(fileURLWithPath: folder + "/p.txt"))
        try Data(paragraphs(30, seed: 2).utf8).write(to: URL(fileURLWithPath: folder + "/v.txt"))
        let first = try TextVAEProgram.run(
            ["train", "p.txt", "--paragraphs", "--valid", "v.txt", "-o", "m.safetensors"] + Self.tiny,
            in: folder)
        #expect(first.status == 0, "\(first)")
        let resumed = try TextVAEProgram.run(["train", "--resume", "m.checkpoint.safetensors", "--epochs", "2", "--quiet"], in: folder)
        #expect(resumed.status == 0, "\(resumed)")
    }

    @Test func resumeAppliesWhatMayChangeAndSaysSo() throws {
        let folder = try grammarFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = try TextVAEProgram.run(["train", "g.txt", "-o", "m.safetensors"] + Self.tiny, in: folder)
        #expect(first.status == 0, "\(first)")
        let resumed = try TextVAEProgram.run(
            [
                "train", "--resume", "m.checkpoint.safetensors", "--epochs", "2", "--patience", "5",
                "--checkpoint-minutes", "1",
            ], in: folder)
        #expect(resumed.status == 0, "\(resumed)")
        let note = resumed.stdout.split(separator: "\n").first { $0.hasPrefix("resuming") } ?? ""
        #expect(
            note.contains("epochs 1 → 2") && note.contains("patience 3 → 5") && note.contains("checkpoint minutes 5.0 → 1.0"),
            "\(resumed)")
        #expect(try Checkpoint.load(folder + "/m.checkpoint.safetensors").state.epoch == 2)
    }

    @Test func resumeRefusesWhatMayNotChangeNamingTheFlags() throws {
        let folder = try grammarFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = try TextVAEProgram.run(["train", "g.txt", "-o", "m.safetensors"] + Self.tiny, in: folder)
        #expect(first.status == 0, "\(first)")
        let before = try Data(contentsOf: URL(fileURLWithPath: folder + "/m.checkpoint.safetensors"))
        for (flags, named) in [
            (["--hidden", "32"], "--hidden"), (["--lr", "0.01"], "--lr"), (["--tokenizer", "whitespace"], "--tokenizer"),
            (["--anneal", "linear"], "--anneal"), (["--k", "0.5"], "--k"), (["--paragraphs"], "--paragraphs"),
        ] {
            let run = try TextVAEProgram.run(["train", "--resume", "m.checkpoint.safetensors", "--epochs", "2"] + flags, in: folder)
            #expect(
                run.failedCleanly && run.stderrLines.count == 1 && run.stderr.contains(named) && run.stderr.contains("the run has"),
                "\(flags): \(run)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/m.checkpoint.safetensors")) == before)
    }

    /// Every flag of `textvae train` is either a setting a resume keeps (a `FixedSetting`, which the resume check
    /// compares) or one named here as free to change, so that a new flag cannot go unclassified and a fixed
    /// setting cannot name a flag the command does not have.
    @Test func everyTrainFlagIsFixedOnResumeOrNamedAsFree() throws {
        let free: Set<String> = [
            "--output", "--resume", "--overwrite", "--valid", "--labels", "--epochs", "--patience",
            "--checkpoint-steps", "--checkpoint-minutes", "--time-limit", "--threads", "--max-line-bytes",
            "--plot", "--quiet", "--distributed", "--verbose", "--version", "--help",
            // Not a setting of its own but fixed ones filled in; a resume refuses it (`TrainingPresetTests`).
            "--preset",
        ]
        let dump = try TextVAEProgram.run(["train", "--experimental-dump-help"], in: NSTemporaryDirectory())
        let json = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any], "\(dump)")
        let arguments = (json["command"] as? [String: Any])?["arguments"] as? [[String: Any]] ?? []
        let flags = Set(
            arguments.flatMap { ($0["names"] as? [[String: String]] ?? []).filter { $0["kind"] == "long" }.map { "--" + $0["name"]! } })
        let fixed = Set(FixedSetting.allCases.map(\.flag))
        #expect(flags.count > 50, "\(flags)")
        #expect(fixed.subtracting(flags).isEmpty, "fixed settings that train has no flag for: \(fixed.subtracting(flags).sorted())")
        #expect(
            flags.subtracting(fixed).subtracting(free).isEmpty,
            "train flags neither fixed on resume nor free: \(flags.subtracting(fixed).subtracting(free).sorted())")
        #expect(fixed.isDisjoint(with: free))
    }

    /// Each setting kept in the training options is described once (`TrainingOptions.settings`): its flag is one
    /// of train's, a value out of its range is refused naming the flag, a checkpoint holding one is refused naming
    /// the setting, and a resume compares exactly the described settings that are fixed.
    @Test func eachSettingIsDescribedOnceAndCheckedFromThere() throws {
        let folder = try grammarFolder(40)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let bad: [String: String] = [
            "--epochs": "0", "--batch-size": "5000", "--lr": "inf", "--clip": "inf", "--word-dropout": "1.5",
            "--kl-target": "-1", "--free-bits": "nan", "--embedding-dropout": "1", "--output-dropout": "-0.1",
            "--lr-decay": "0", "--pretrain-epochs": "-1", "--label-weight": "-2", "--class-kl-weight": "inf",
            "--class-capacity": "-1", "--gumbel-temperature": "0", "--final-temperature": "101", "--patience": "-1",
            "--checkpoint-steps": "-5", "--checkpoint-minutes": "inf", "--time-limit": "inf", "--input-noise": "drop:2",
            "--regulariser": "l2",
        ]
        let described = TrainingOptions.settings
        #expect(Set(described.map(\.flag)) == Set(bad.keys).union(["--seed"]), "a setting without a case here, or a case without a setting")
        for setting in described where setting.flag != "--seed" {
            let flag = "\(setting.flag)=\(bad[setting.flag]!)"  // with "=": a negative value is not taken for a flag
            let run = try TextVAEProgram.run(["train", "g.txt", "-o", "x.safetensors", flag], in: folder)
            // A time, a noise or a regulariser that does not parse is refused by its parser first (naming the flag too).
            let parsed = ["--time-limit", "--input-noise", "--regulariser"].contains(setting.flag)
            let message = parsed ? setting.flag : "\(setting.flag) must be \(setting.requirement)"
            #expect(run.failedCleanly && run.stderr.contains(message), "\(setting.flag): \(run)")
            #expect(
                setting.fixed == FixedSetting(rawValue: setting.flag),
                "\(setting.flag) is fixed on resume exactly when it is a FixedSetting")
        }
        var options = TrainingOptions()
        options.outputDropout = 1
        #expect(options.problem == "output dropout 1.0 (at least 0 and below 1, such as 0.3)")
        options = TrainingOptions()
        options.klTarget = 0
        #expect(options.problem?.hasPrefix("KL target 0.0") == true, "\(options.problem ?? "nil")")
        #expect(TrainingOptions().problem == nil)
    }

    /// The run's own flags repeated on resume are fine; a flag given with its default value is compared
    /// with the run's too (it is not taken for "not given").
    @Test func resumeComparesGivenFlagsWithTheRunsOwn() throws {
        let folder = try grammarFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let flags = Self.tiny + ["--seed", "5", "--max-size", "30", "--lr", "0.002"]
        let first = try TextVAEProgram.run(["train", "g.txt", "-o", "m.safetensors"] + flags, in: folder)
        #expect(first.status == 0, "\(first)")
        let same = try TextVAEProgram.run(["train", "--resume", "m.checkpoint.safetensors", "--epochs", "2"] + flags, in: folder)
        #expect(same.status == 0, "\(same)")
        let defaults = try TextVAEProgram.run(
            ["train", "--resume", "m.checkpoint.safetensors", "--epochs", "3", "--seed", "0", "--lr", "0.001"],
            in: folder)
        #expect(
            defaults.failedCleanly && defaults.stderr.contains("--seed 0 (the run has 5)") && defaults.stderr.contains("--lr 0.001"),
            "\(defaults)")
    }

    /// Data that moved is found again with the paths given on resume; its fingerprint must still match.
    @Test func resumeFindsDataThatMoved() throws {
        let folder = try grammarFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data(GrammarCorpus.sentences(count: 40, seed: 8).joined(separator: "\n").utf8).write(
            to: URL(fileURLWithPath: folder + "/v.txt"))
        let first = try TextVAEProgram.run(["train", "g.txt", "--valid", "v.txt", "-o", "m.safetensors"] + Self.tiny, in: folder)
        #expect(first.status == 0, "\(first)")
        try FileManager.default.moveItem(atPath: folder + "/v.txt", toPath: folder + "/moved.txt")
        let lost = try TextVAEProgram.run(["train", "--resume", "m.checkpoint.safetensors", "--epochs", "2"], in: folder)
        #expect(lost.failedCleanly && lost.stderr.contains("v.txt") && lost.stderr.contains("--valid FILE"), "\(lost)")
        let found = try TextVAEProgram.run(
            ["train", "--resume", "m.checkpoint.safetensors", "--epochs", "2", "--valid", "moved.txt"], in: folder)
        #expect(found.status == 0, "\(found)")
        let other = try TextVAEProgram.run(
            ["train", "--resume", "m.checkpoint.safetensors", "--epochs", "3", "--valid", "g.txt"], in: folder)
        #expect(other.failedCleanly && other.stderr.contains("not the data this checkpoint was trained on"), "\(other)")
    }

    /// Training rewrites its files many times: a device or standard output is no place for them.
    @Test func trainRefusesAStreamAsOutput() throws {
        let folder = try grammarFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try TextVAEProgram.run(["train", "g.txt", "-o", "/dev/stdout"] + Self.tiny, in: folder)
        #expect(run.failedCleanly && run.stderr.contains("not a regular file"), "\(run)")
    }

    @Test func aCyclicalScheduleIsStretchedWhenTheEpochsChange() {
        var options = TrainingOptions()
        options.epochs = 2
        options.schedule = .cyclical(cycles: 4, ratio: 0.5, totalSteps: 20)
        var changes = TrainingRun.Changes()
        changes.epochs = 5
        let applied = TrainingRun.apply(changes, to: &options, batchesPerEpoch: 10)
        #expect(options.schedule == .cyclical(cycles: 4, ratio: 0.5, totalSteps: 50))
        #expect(applied == ["epochs 2 → 5 (cyclical KL schedule stretched to match)"])
    }

    /// A second `train` into the same files would append to the first run's metrics log
    /// and replace its vocabulary; it must refuse, and --overwrite must start a clean log.
    @Test func aNewRunDoesNotMixWithAnEarlierOne() throws {
        let folder = try grammarFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = try TextVAEProgram.run(["train", "g.txt", "-o", "m.safetensors", "--checkpoint-steps", "2"] + Self.tiny, in: folder)
        #expect(first.status == 0, "\(first)")
        let files = RunFiles(model: folder + "/m.safetensors")
        let before = try files.all.filter { FileManager.default.fileExists(atPath: $0) }.map {
            try Data(contentsOf: URL(fileURLWithPath: $0))
        }
        let again = try TextVAEProgram.run(["train", "g.txt", "-o", "m.safetensors"] + Self.tiny, in: folder)
        #expect(again.failedCleanly && again.stderr.contains("--resume") && again.stderr.contains("--overwrite"), "\(again)")
        let after = try files.all.filter { FileManager.default.fileExists(atPath: $0) }.map {
            try Data(contentsOf: URL(fileURLWithPath: $0))
        }
        #expect(after == before, "the refused run changed the earlier run's files")

        let overwritten = try TextVAEProgram.run(
            ["train", "g.txt", "-o", "m.safetensors", "--overwrite", "--seed", "9"] + Self.tiny, in: folder)
        #expect(overwritten.status == 0, "\(overwritten)")
        let epochs = try epochRows(files.metrics).compactMap { $0["epoch"] as? Int }
        #expect(epochs == [1], "the log should hold the new run's one epoch, not two runs: \(epochs)")
    }

    /// Ctrl-C while a large corpus is tokenised stops at once, writing nothing.
    @Test func ctrlCDuringTokenisationStopsAtOnce() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let line = GrammarCorpus.sentences(count: 1000, seed: 5).joined(separator: "\n") + "\n"
        try Data(String(repeating: line, count: 400).utf8).write(to: folder.appendingPathComponent("big.txt"))  // 400,000 lines
        let child = try Child(executable: try TextVAEProgram.path(), in: folder, arguments: ["train", "big.txt", "-o", "m.safetensors"])
        Thread.sleep(forTimeInterval: 1.5)
        let sent = Date()
        child.process.interrupt()
        let (process, stderr) = child.wait()
        #expect(process.terminationReason == .exit && process.terminationStatus != 0, "\(stderr)")
        // Before, Ctrl-C waited for the whole corpus and the first training step ("interrupted at step 1").
        #expect(stderr.contains("interrupted while tokenising") || stderr.contains("interrupted while reading"), "\(stderr)")
        #expect(Date().timeIntervalSince(sent) < 60, "took \(Date().timeIntervalSince(sent)) s to stop")  // a hang guard, not a timing
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["big.txt"])
    }
}
