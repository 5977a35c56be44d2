import Foundation
import Testing

@testable import TextVAE

/// `train --tie-embeddings` as a user runs it: E follows H, the model learns, its file has no output weights of
/// its own, every command and the export read it, a resumed run keeps the tying, and impossible combinations are
/// refused with the fix. (Its gradients are checked in `GradientCheckTests`.)
@Suite struct TiedEmbeddingsTests {
    @Test func aTiedModelTrainsAndEveryCommandReadsIt() throws {
        let (folder, sentences) = try grammarTrainingFolder(count: 400, seed: 9, valid: 30)
        let sizes = ["--hidden", "16", "--latent", "4", "--batch-size", "16", "--threads", "1"]
        let trained = try TextVAEProgram.run(
            ["train", "t.txt", "--valid", "v.txt", "--tie-embeddings", "--epochs", "4", "-o", "m.safetensors"] + sizes, in: folder)
        #expect(trained.status == 0, "\(trained)")
        #expect((trained.stderr + trained.stdout).contains("model GRU E 16 H 16 Z 4 tied"), "E follows H: \(trained)")
        let file = try ModelFile.load(folder + "/m.safetensors")
        #expect(file.model.config.tiedEmbeddings && file.model.config.embedding == 16)
        let tensors = try Safetensors.read(folder + "/m.safetensors")
        #expect(tensors.tensor(ParameterTensor.outputWeight.name) == nil && tensors.tensor(ParameterTensor.outputBias.name) != nil)
        let epochs = try epochRows(folder + "/m.metrics.jsonl").compactMap { $0["valid_nelbo"] as? Double }
        #expect(epochs.count == 4 && epochs.last! < epochs.first! - 1, "validation −ELBO by epoch: \(epochs)")

        let evaluated = try TextVAEProgram.run(["evaluate", "-m", "m.safetensors", "v.txt", "--json", "-k", "5"], in: folder)
        let report = try JSONSerialization.jsonObject(with: Data(evaluated.stdout.utf8)) as? [String: Any]
        #expect(evaluated.status == 0 && (report?["nll"] as? Double).map { $0 > 0 && $0.isFinite } == true, "\(evaluated)")
        let sampled = try TextVAEProgram.run(["sample", "-m", "m.safetensors", "-n", "4", "--seed", "3"], in: folder)
        #expect(sampled.status == 0 && sampled.stdout.filter { $0 == "\n" }.count == 4, "\(sampled)")
        let path = try TextVAEProgram.run(["interpolate", "-m", "m.safetensors", "--steps", "4", sentences[0], sentences[1]], in: folder)
        #expect(path.status == 0 && path.stdout.filter { $0 == "\n" }.count == 4, "\(path)")
        let exported = try TextVAEProgram.run(["export", "-m", "m.safetensors", "--hf", "hub"], in: folder)
        let hubConfig = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/hub/config.json")))
        #expect(exported.status == 0 && (hubConfig as? [String: Any])?["tied_embeddings"] as? Bool == true, "\(exported)")

        let resumed = try TextVAEProgram.run(["train", "--resume", "m.checkpoint.safetensors", "--epochs", "5", "--quiet"], in: folder)
        let reloaded = try ModelFile.load(folder + "/m.safetensors")
        #expect(resumed.status == 0 && reloaded.model.config.tiedEmbeddings, "\(resumed)")

        let untied = try TextVAEProgram.run(["train", "t.txt", "--epochs", "1", "-o", "u.safetensors", "--quiet"] + sizes, in: folder)
        #expect(untied.status == 0, "\(untied)")
        let refused = try TextVAEProgram.run(["train", "--resume", "u.checkpoint.safetensors", "--tie-embeddings"], in: folder)
        #expect(refused.failedCleanly && refused.stderr.contains("--tie-embeddings true (the run has false)"), "\(refused)")
        for (flags, message) in [
            (["--tie-embeddings", "--embedding", "8", "--hidden", "16"], "leave --embedding out"),
            (["--tie-embeddings", "--softmax", "adaptive"], "leave out --softmax adaptive"),
        ] {
            let run = try TextVAEProgram.run(["train", "t.txt", "-o", "x.safetensors"] + flags, in: folder)
            #expect(run.failedCleanly && run.stderr.contains(message), "\(flags): \(run)")
        }
    }
}
