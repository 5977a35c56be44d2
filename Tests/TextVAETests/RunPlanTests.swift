import Foundation
import Testing

@testable import TextVAE

/// A run planned from its corpus: epochs and KL annealing placed in the updates it will make, patience and
/// the kept model counted from the final β, and what the run says about it.
@Suite struct RunPlanTests {
    @Test func annealingIsPlacedAsAShareOfThePlannedUpdates() throws {
        let request = AnnealingRequest()
        for planned in [300, 1_490, 9_290, 28_000] {
            let schedule = request.schedule(plannedUpdates: planned)
            // β is ½ at 27% of the run, final (99%) at 47%, and close to 0 at the start, whatever the length.
            #expect(abs(Double(schedule.beta(step: Int(0.27 * Double(planned)))) - 0.5) < 0.01, "\(planned)")
            #expect(abs(Double(schedule.annealedStep) / Double(planned) - 0.47) < 0.01, "\(planned): \(schedule.annealedStep)")
            #expect(schedule.beta(step: schedule.annealedStep) >= 0.99 && schedule.beta(step: 0) < 0.01)
        }
        // On the Penn Treebank's 10 epochs of 929 updates: the schedule textvae used before runs were planned.
        guard case .logistic(let k, let x0) = request.schedule(plannedUpdates: 9_290) else { Issue.record("not logistic"); return }
        #expect(abs(x0 - 2_508) < 1 && abs(k - KLSchedule.defaultK) < 0.0001, "k \(k), x0 \(x0)")
        // x0 in updates stays in updates; k derived from it unless given.
        var fixed = AnnealingRequest()
        fixed.x0 = .updates(600)
        #expect(fixed.schedule(plannedUpdates: 100_000) == .logistic(k: AnnealingRequest.steepness(x0: 600), x0: 600))
        fixed.k = 0.01
        #expect(fixed.schedule(plannedUpdates: 5) == .logistic(k: 0.01, x0: 600))
        fixed.kind = .cyclical
        #expect(fixed.schedule(plannedUpdates: 800) == .cyclical(cycles: 4, ratio: 0.5, totalSteps: 800))
        #expect(KLSchedule.cyclical(cycles: 4, ratio: 0.5, totalSteps: 800).annealedStep == 700)
        #expect(KLSchedule.linear(x0: 120).annealedStep == 120 && KLSchedule.constant(beta: 0.3).annealedStep == 0)
        // What --x0 reads.
        #expect(AnnealingRequest.Point("30%") == .share(0.3) && AnnealingRequest.Point("2500") == .updates(2500))
        for bad in ["-5", "150%", "x", "inf", "nan%"] { #expect(AnnealingRequest.Point(bad) == nil, "\(bad)") }
    }

    @Test func automaticEpochsFollowTheCorpusSize() {
        let vae = RunLength.planned(for: .kl)
        #expect(vae.epochs(batchesPerEpoch: 929) == 10)  // the Penn Treebank: as before
        #expect(vae.epochs(batchesPerEpoch: 149) == 12)  // 5,000 lines
        #expect(vae.epochs(batchesPerEpoch: 1) == 12)
        #expect(vae.epochs(batchesPerEpoch: 9_375) == 3)  // 300,000 lines
        // An autoencoder learns to give its sentences back over more passes.
        let autoencoder = RunLength.planned(for: .adversarial)
        #expect(autoencoder.epochs(batchesPerEpoch: 929) == 26 && autoencoder.epochs(batchesPerEpoch: 1_432) == 17)
        #expect(autoencoder.epochs(batchesPerEpoch: 160) == 30 && autoencoder.epochs(batchesPerEpoch: 9_375) == 3)
    }

    /// While β rises the −ELBO rises with the KL it weighs: those epochs replace the kept model but neither
    /// stop the run nor lower the learning rate; the best model is chosen among the epochs at the final β.
    @Test func warmUpEpochsAreKeptAsTheLatestAndCountForNothing() throws {
        try loadBLAS()
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let set = try TrainingTests.grammarSet(1200)
        let batches = (set.train.count + 31) / 32
        let trainer = TrainingTests.trainer(set, folder: folder, epochs: 6) { options, _ in
            options.schedule = .linear(x0: Double(3 * batches - 1))  // β final in the last update of epoch 3
            options.patience = 1
        }
        var epochs: [TrainingEvent.Epoch] = [], notes: [(Int, String)] = []
        _ = try trainer.run { event in
            if case .epoch(let e) = event { epochs.append(e) }
            if case .note(let n) = event { notes.append((epochs.count, n)) }
        }
        #expect(epochs.count >= 3, "the run stopped during the warm-up: \(epochs.map(\.valid.meanNELBO))")
        #expect(epochs.prefix(2).allSatisfy { $0.savedWhileWarmingUp && !$0.improved })
        #expect(epochs[2].improved && !epochs[2].savedWhileWarmingUp, "the first epoch at the final β is the best so far")
        #expect(!notes.contains { $0.0 < 3 && $0.1.contains("learning rate") }, "\(notes)")
        let kept = try #require(trainer.checkpoint.state.kept)
        let annealed = epochs.dropFirst(2)
        #expect(kept.annealed && kept.nelbo == annealed.map(\.valid.meanNELBO).min())
        #expect(epochs[kept.epoch - 1].valid.meanNELBO == kept.nelbo && kept.beta == 1)
        let file = try ModelFile.load(trainer.modelPath)
        #expect(file.extraMetadata["epoch"] == String(kept.epoch))
    }

    /// A run cut short while β still rises keeps its latest epoch and says so.
    @Test func aRunEndingDuringTheWarmUpKeepsItsLatestEpoch() throws {
        try loadBLAS()
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let set = try TrainingTests.grammarSet(600)
        let trainer = TrainingTests.trainer(set, folder: folder, epochs: 2) { options, _ in options.schedule = .linear(x0: 10_000) }
        _ = try trainer.run { _ in }
        let kept = try #require(trainer.checkpoint.state.kept)
        #expect(kept.epoch == 2 && !kept.annealed && trainer.checkpoint.state.bestValidNELBO == nil)
        #expect(FileManager.default.fileExists(atPath: trainer.modelPath))
    }

    /// `textvae train` with its defaults on a small corpus: the plan is said, β reaches its final value, z
    /// is used, the model comes close to the grammar's entropy, and a log file gets few progress lines.
    @Test func defaultsOnASmallCorpusFinishAnnealingAndLearn() throws {
        try withScratchFolder { folder in
            try (GrammarCorpus.sentences(count: 1200, seed: 8).joined(separator: "\n") + "\n")
                .write(toFile: folder + "/g.txt", atomically: true, encoding: .utf8)
            let started = Date()
            let train = try TextVAEProgram.run(
                [
                    "train", "g.txt", "--embedding", "32", "--hidden", "64", "--latent", "8",
                    "--tokenizer", "whitespace", "--threads", "1",
                ], in: folder)
            let seconds = Date().timeIntervalSince(started)
            #expect(train.status == 0, "\(train)")
            #expect(train.stdout.contains("plan: 432 updates, 12 epochs of 36 (--epochs auto)"), "\(train.stdout)")
            let last = try #require(GenerationCLITests.lines(train.stdout).last)
            #expect(last.contains("once β was at its final value"), "\(last)")
            let kl = try #require(Self.figure(after: "validation KL ", in: last)),
                nelbo = try #require(Self.figure(after: "−ELBO ", in: last))
            #expect(kl > 1, "z unused: \(last)")
            // −ELBO ≥ H in expectation; within 4 nats of it, the grammar is learned.
            let entropy = GrammarCorpus.entropyPerSentence
            #expect(nelbo > entropy - 0.5 && nelbo < entropy + 4, "−ELBO \(nelbo) against the entropy \(entropy)")
            // Progress in a log file: a line every 30 seconds at most, not one per tenth of every epoch.
            let progressLines = train.stderr.split(separator: "\n").filter { $0.contains("ETA") }.count
            #expect(progressLines <= 1 + Int(seconds / 30), "\(progressLines) progress lines in \(seconds) s: \(train.stderr)")
        }
    }

    /// `--kl-target` replaces the annealing schedule: the plan and the last line say so, schedule flags and
    /// targets out of range are refused naming the flag, and the target is a setting a resume keeps.
    @Test func aKLTargetIsPlannedSaidAndChecked() throws {
        try withScratchFolder { folder in
            try (GrammarCorpus.sentences(count: 300, seed: 3).joined(separator: "\n") + "\n")
                .write(toFile: folder + "/g.txt", atomically: true, encoding: .utf8)
            let tiny = ReliabilityTests.tiny + ["--tokenizer", "whitespace", "--threads", "1"]
            let train = try TextVAEProgram.run(
                ["train", "g.txt", "--kl-target", "3", "--x0", "0", "-o", "m.safetensors"] + tiny, in: folder)
            #expect(train.status == 0, "\(train)")
            #expect(train.stdout.contains("β steered to hold the KL at 3 nats"), "\(train.stdout)")
            let last = try #require(GenerationCLITests.lines(train.stdout).last)
            #expect(
                last.contains("the lowest validation −ELBO from update ") && last.contains("on (β steered to hold the KL at 3 nats)"),
                "\(last)")
            #expect(try Checkpoint.load(folder + "/m.checkpoint.safetensors").state.klController?.target == 3)
            for (flags, named) in [
                (["--kl-target", "3", "--anneal", "linear"], "--anneal"), (["--kl-target", "3", "--beta", "1"], "--beta"),
                (["--kl-target", "0"], "--kl-target"), (["--kl-target", "inf"], "--kl-target"),
            ] {
                let refused = try TextVAEProgram.run(["train", "g.txt", "-o", "x.safetensors"] + flags + tiny, in: folder)
                #expect(refused.failedCleanly && refused.stderr.contains(named), "\(flags): \(refused)")
            }
            let resumed = try TextVAEProgram.run(
                ["train", "--resume", "m.checkpoint.safetensors", "--epochs", "2", "--kl-target", "5"], in: folder)
            #expect(resumed.failedCleanly && resumed.stderr.contains("--kl-target 5.0 (the run has 3.0)"), "\(resumed)")
        }
    }

    /// With a time limit far shorter than the epochs, the schedule is placed in the updates the time allows.
    @Test func aTimeLimitPlacesTheScheduleInTheUpdatesThatFit() throws {
        try withScratchFolder { folder in
            try (GrammarCorpus.sentences(count: 1000, seed: 3).joined(separator: "\n") + "\n")
                .write(toFile: folder + "/g.txt", atomically: true, encoding: .utf8)
            let train = try TextVAEProgram.run(
                [
                    "train", "g.txt", "--embedding", "16", "--hidden", "16", "--latent", "4", "--epochs", "2000",
                    "--time-limit", "0.1", "--tokenizer", "whitespace", "--threads", "1",
                ], in: folder)
            #expect(train.status == 0, "\(train)")
            #expect(train.stdout.contains("the time limit of 0.1 minutes allows about"), "\(train.stdout)")
            #expect(train.stdout.contains("time limit reached") && train.stdout.contains("kept epoch"), "\(train.stdout)")
        }
    }

    /// The arithmetic of the time budget, and a machine that gets busier: the plan placed after the first
    /// updates shrinks at an epoch's end when the pace has fallen, but not for a small drift, and never grows.
    @Test func aPlanShrinksWhenTheMachineGetsBusier() {
        let budget = TimeBudget(limitMinutes: 1)
        // 20 updates in 1 s: 59 s left at 90% of 50 ms an update.
        let first = budget.affordableUpdates(made: 20, timed: 20, seconds: 1, pretrainUpdates: 0)
        #expect(first == 20 + Int(0.9 * 59 / 0.05))
        #expect(TimeBudget.shouldShrink(planned: 5_000, to: first, firstPlacement: true))
        #expect(!TimeBudget.shouldShrink(planned: 1_000, to: first, firstPlacement: true))
        // Pretraining's updates come out of the budget: the schedule is placed after them.
        #expect(budget.affordableUpdates(made: 20, timed: 20, seconds: 1, pretrainUpdates: 100) == first - 100)
        // After 300 updates in 30 s (100 ms each, twice the first pace): 570 fit, more than a tenth short of 1,082.
        let later = budget.affordableUpdates(made: 300, timed: 300, seconds: 30, pretrainUpdates: 0)
        #expect(later == 570)
        #expect(TimeBudget.shouldShrink(planned: first, to: later, firstPlacement: false))
        // A drift of 5% is left alone, and a faster machine does not lengthen the plan.
        #expect(!TimeBudget.shouldShrink(planned: 600, to: later, firstPlacement: false))
        #expect(!TimeBudget.shouldShrink(planned: 500, to: later, firstPlacement: false))
        // A resumed run times only its own updates (its clock starts at the resume), but counts every update made.
        #expect(budget.affordableUpdates(made: 1_300, timed: 300, seconds: 30, pretrainUpdates: 0) == 1_570)
        // Past the limit, or with no time left, nothing more fits, and a plan is never empty.
        #expect(budget.affordableUpdates(made: 0, timed: 0, seconds: 90, pretrainUpdates: 10) == 1)
    }

    @Test func wrappedRunningTextIsToldFromSentencesPerLine() throws {
        // 100 sentences of running text, wrapped at 72 characters as a book saved as text is.
        let prose = GrammarCorpus.sentences(count: 100, seed: 5).map { $0.prefix(1).uppercased() + $0.dropFirst() + "." }.joined(
            separator: " ")
        var wrapped: [String] = [], line = ""
        for word in prose.split(separator: " ") {
            if line.count + word.count + 1 > 72 { wrapped.append(line); line = "" }
            line += (line.isEmpty ? "" : " ") + word
        }
        wrapped.append(line)
        #expect(LineWrapping.looksWrapped(wrapped))
        let sentences = GrammarCorpus.sentences(count: 200, seed: 1)
        #expect(!LineWrapping.looksWrapped(sentences))
        try withScratchFolder { folder in
            try (wrapped.joined(separator: "\n") + "\n").write(toFile: folder + "/book.txt", atomically: true, encoding: .utf8)
            let run = try TextVAEProgram.run(
                ["train", "book.txt", "--embedding", "8", "--hidden", "8", "--latent", "2", "--epochs", "1"], in: folder)
            #expect(run.stderr.contains("looks like running text wrapped") && run.stderr.contains("--paragraphs"), "\(run)")
            let paragraphs = try TextVAEProgram.run(
                [
                    "train", "book.txt", "-o", "p.safetensors", "--paragraphs", "--embedding", "8",
                    "--hidden", "8", "--latent", "2", "--epochs", "1",
                ], in: folder)
            #expect(paragraphs.status == 0 && !paragraphs.stderr.contains("looks like running text"), "\(paragraphs)")
            // reconstruct reads running text the same way: one row per sentence, not per line.
            let rows = try TextVAEProgram.run(["reconstruct", "-m", "p.safetensors", "--paragraphs", "book.txt"], in: folder)
            #expect(rows.status == 0 && GenerationCLITests.lines(rows.stdout).count == 100, "\(rows.stdout.prefix(500))")
        }
    }

    static func figure(after label: String, in line: String) -> Double? {
        guard let range = line.range(of: label) else { return nil }
        return Double(line[range.upperBound...].prefix { "0123456789.-".contains($0) })
    }
}
