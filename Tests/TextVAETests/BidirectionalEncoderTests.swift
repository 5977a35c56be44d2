import Foundation
import Testing

@testable import TextVAE

/// `train --bidirectional` as a user runs it: the model learns, its file holds PyTorch's reverse-direction tensors
/// and q(z|x) reads 2H, every command and the export read it, a resumed run keeps it, and a language model refuses
/// it. (Its gradients are checked in `GradientCheckTests`; that the second network reads backwards, in
/// `EncodingTests`.)
@Suite struct BidirectionalEncoderTests {
    @Test func aBidirectionalModelTrainsAndEveryCommandReadsIt() throws {
        let (folder, sentences) = try grammarTrainingFolder(count: 400, seed: 12, valid: 30)
        let sizes = ["--embedding", "12", "--hidden", "16", "--latent", "4", "--batch-size", "16", "--threads", "1"]
        let trained = try TextVAEProgram.run(
            ["train", "t.txt", "--valid", "v.txt", "--bidirectional", "--epochs", "4", "-o", "m.safetensors"] + sizes, in: folder)
        #expect(trained.status == 0, "\(trained)")
        #expect((trained.stderr + trained.stdout).contains("model GRU E 12 H 16 Z 4 bidirectional encoder"), "\(trained)")
        let file = try ModelFile.load(folder + "/m.safetensors")
        #expect(file.model.config.bidirectional)
        let tensors = try Safetensors.read(folder + "/m.safetensors")
        #expect(tensors.tensor("encoder_rnn.weight_hh_l0_reverse")?.shape == [48, 16])
        #expect(tensors.tensor("hidden2mean.weight")?.shape == [4, 32], "q(z|x) reads [h→; h←]")
        let epochs = try epochRows(folder + "/m.metrics.jsonl").compactMap { $0["valid_nelbo"] as? Double }
        #expect(epochs.count == 4 && epochs.last! < epochs.first! - 1, "validation −ELBO by epoch: \(epochs)")

        let evaluated = try TextVAEProgram.run(["evaluate", "-m", "m.safetensors", "v.txt", "--json", "-k", "5"], in: folder)
        let report = try JSONSerialization.jsonObject(with: Data(evaluated.stdout.utf8)) as? [String: Any]
        #expect(evaluated.status == 0 && (report?["nll"] as? Double).map { $0 > 0 && $0.isFinite } == true, "\(evaluated)")
        let encoded = try TextVAEProgram.run(["encode", "-m", "m.safetensors", "v.txt", "--format", "jsonl"], in: folder)
        #expect(encoded.status == 0 && encoded.stdout.contains("\"mu\""), "\(encoded)")
        let path = try TextVAEProgram.run(["interpolate", "-m", "m.safetensors", "--steps", "4", sentences[0], sentences[1]], in: folder)
        #expect(path.status == 0 && path.stdout.filter { $0 == "\n" }.count == 4, "\(path)")
        let exported = try TextVAEProgram.run(["export", "-m", "m.safetensors", "--hf", "hub"], in: folder)
        let hubConfig = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/hub/config.json")))
        #expect(exported.status == 0 && (hubConfig as? [String: Any])?["bidirectional"] as? Bool == true, "\(exported)")

        let resumed = try TextVAEProgram.run(["train", "--resume", "m.checkpoint.safetensors", "--epochs", "5", "--quiet"], in: folder)
        let reloaded = try ModelFile.load(folder + "/m.safetensors")
        #expect(resumed.status == 0 && reloaded.model.config.bidirectional, "\(resumed)")
        let oneWay = try TextVAEProgram.run(["train", "t.txt", "--epochs", "1", "-o", "u.safetensors", "--quiet"] + sizes, in: folder)
        #expect(oneWay.status == 0, "\(oneWay)")
        let refused = try TextVAEProgram.run(["train", "--resume", "u.checkpoint.safetensors", "--bidirectional"], in: folder)
        #expect(refused.failedCleanly && refused.stderr.contains("--bidirectional true (the run has false)"), "\(refused)")
        let lm = try TextVAEProgram.run(["train", "t.txt", "-o", "lm.safetensors", "--baseline", "lm", "--bidirectional"], in: folder)
        #expect(lm.failedCleanly && lm.stderr.contains("--bidirectional"), "\(lm)")
    }
}
