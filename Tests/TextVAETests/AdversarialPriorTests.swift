import Foundation
import Testing

@testable import TextVAE

/// `train --regulariser adversarial` as a user runs it: the run trains and resumes with its discriminator, the
/// model evaluates as any other, and the settings that shape a KL term are refused beside it. (The
/// discriminator's gradients are checked in `GradientCheckTests`, its effect and exact resume in `TrainingTests`.)
@Suite struct AdversarialPriorTests {
    @Test func anAdversarialRunTrainsResumesAndEvaluates() throws {
        let folder = try grammarTrainingFolder(count: 300, seed: 4, valid: 20).folder
        let sizes = ["--embedding", "16", "--hidden", "16", "--latent", "4", "--batch-size", "16", "--threads", "1", "--quiet"]
        let trained = try TextVAEProgram.run(
            ["train", "t.txt", "--regulariser", "adversarial", "--epochs", "2", "--x0", "10%", "-o", "a.safetensors"] + sizes,
            in: folder)
        #expect(trained.status == 0, "\(trained)")
        let checkpoint = try Checkpoint.load(folder + "/a.checkpoint.safetensors")
        #expect(checkpoint.options.regulariser == .adversarial && checkpoint.options.freeBits == 0)
        #expect(checkpoint.adversary?.adam.steps == checkpoint.adam.steps, "the discriminator took a step with every update")
        // The model file is a model like any other: no discriminator in it.
        let model = try Safetensors.read(folder + "/a.safetensors")
        #expect(model.tensor(AdversaryState.parametersTensor) == nil)
        let evaluated = try TextVAEProgram.run(["evaluate", "-m", "a.safetensors", "v.txt", "--json", "-k", "5"], in: folder)
        let report = try JSONSerialization.jsonObject(with: Data(evaluated.stdout.utf8)) as? [String: Any]
        #expect(evaluated.status == 0 && (report?["kl"] as? Double).map { $0 >= 0 && $0.isFinite } == true, "\(evaluated)")

        let resumed = try TextVAEProgram.run(["train", "--resume", "a.checkpoint.safetensors", "--epochs", "3"], in: folder)
        #expect(resumed.status == 0, "\(resumed)")
        // Its epoch line leaves out the −ELBO and its perplexity bound, too loose to read; a KL run's has them.
        let line = try #require(resumed.stdout.split(separator: "\n").first { $0.hasPrefix("epoch 3 step") }, "\(resumed)")
        #expect(line.contains("valid rec") && !line.contains("−elbo") && !line.contains("ppl≤"), "\(line)")
        let loud = sizes.filter { $0 != "--quiet" }
        let kl = try TextVAEProgram.run(["train", "t.txt", "--epochs", "1", "-o", "k.safetensors"] + loud, in: folder)
        let klLine = try #require(kl.stdout.split(separator: "\n").first { $0.hasPrefix("epoch 1 step") }, "\(kl)")
        #expect(klLine.contains("−elbo") && klLine.contains("ppl≤"), "\(klLine)")
        // The model file says how it was trained, and interpolate's note on an end that does not come back gives the
        // advice for an autoencoder (a 3-epoch model does not give back a shuffled sentence of 16 words).
        #expect(try ModelFile.load(folder + "/a.safetensors").trainedRegulariser == .adversarial)
        #expect(try ModelFile.load(folder + "/k.safetensors").trainedRegulariser == .kl)
        var bare = try ModelFile.load(folder + "/k.safetensors")
        bare.extraMetadata["train_options"] = nil
        #expect(bare.trainedRegulariser == nil)
        let words = try String(contentsOfFile: folder + "/t.txt", encoding: .utf8).split(whereSeparator: \.isWhitespace).map(String.init)
        let long = Array(Set(words)).sorted().prefix(16).joined(separator: " ")
        for (model, advice) in [("a.safetensors", "This model is an autoencoder"), ("k.safetensors", "--preset homotopy")] {
            let path = try TextVAEProgram.run(["interpolate", "-m", model, long, "the cat sees a dog ."], in: folder)
            #expect(path.status == 0 && path.stderr.contains(advice), "\(model): \(path.stderr)")
        }
        let final = try Checkpoint.load(folder + "/a.checkpoint.safetensors")
        #expect(final.adversary != checkpoint.adversary)
        // Its epochs compete on validation reconstruction, not on a −ELBO whose KL it does not train (in this short run
        // both may pick the same epoch: the rule itself is checked after).
        let epochs = try epochRows(folder + "/a.metrics.jsonl").filter { $0["annealed"] as? Bool == true }
        let recs = epochs.compactMap { $0["valid_rec"] as? Double }
        let best = try #require(epochs.first { $0["valid_rec"] as? Double == recs.min() }, "no epoch at the final β")
        #expect(
            recs.count == 3 && final.state.kept?.epoch == best["epoch"] as? Int && final.state.kept?.rec == recs.min(), "\(epochs)")
        #expect(LatentRegulariser.adversarial.competingFigure(rec: 90, nelbo: 120) == 90)
        #expect(LatentRegulariser.kl.competingFigure(rec: 90, nelbo: 120) == 120)
        // The notes on the learning rate and on stopping name that figure.
        #expect(LatentRegulariser.adversarial.competingFigureName == "validation reconstruction")
        #expect(!resumed.stdout.contains("−ELBO did not improve") && !resumed.stdout.contains("−ELBO has not improved"), "\(resumed)")
        let refused = try TextVAEProgram.run(["train", "--resume", "a.checkpoint.safetensors", "--regulariser", "kl"], in: folder)
        #expect(refused.failedCleanly && refused.stderr.contains("--regulariser kl (the run has adversarial)"), "\(refused)")

        for (flags, message) in [
            (["--regulariser", "adversarial", "--kl-target", "3"], "leave it out with --regulariser adversarial"),
            (["--regulariser", "adversarial", "--free-bits", "0.5"], "leave out --free-bits"),
            (["--baseline", "lm", "--regulariser", "adversarial"], "--regulariser"),
        ] {
            let run = try TextVAEProgram.run(["train", "t.txt", "-o", "x.safetensors"] + flags, in: folder)
            #expect(run.failedCleanly && run.stderr.contains(message), "\(flags): \(run)")
        }
    }
}
