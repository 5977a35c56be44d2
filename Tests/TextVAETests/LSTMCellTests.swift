import Foundation
import Testing

@testable import TextVAE

/// `train --cell lstm` as a user runs it: the model learns, its file says what it is, every command reads it, and a
/// resumed run keeps its cell. (The LSTM's gradients are checked in `GradientCheckTests`, its decoding against
/// teacher forcing in `DecodingTests`.)
@Suite struct LSTMCellTests {
    @Test func anLSTMModelTrainsAndEveryCommandReadsIt() throws {
        let (folder, sentences) = try grammarTrainingFolder(count: 400, seed: 8, valid: 30)
        let sizes = ["--embedding", "16", "--hidden", "16", "--latent", "4", "--batch-size", "16", "--threads", "1"]
        let trained = try TextVAEProgram.run(
            ["train", "t.txt", "--valid", "v.txt", "--cell", "lstm", "--epochs", "4", "-o", "l.safetensors"] + sizes, in: folder)
        #expect(trained.status == 0, "\(trained)")
        #expect(trained.stderr.contains("model LSTM E 16 H 16 Z 4") || trained.stdout.contains("model LSTM E 16 H 16 Z 4"), "\(trained)")
        let file = try ModelFile.load(folder + "/l.safetensors")
        let config = file.model.config
        #expect(config.cell == .lstm)
        #expect(ParameterTensor.decoderWeightHH.shape(config) == [64, 16] && ParameterTensor.encoderBiasIH.shape(config) == [64])
        // It learns: the validation −ELBO of the last epoch is well below the first's.
        let epochs = try epochRows(folder + "/l.metrics.jsonl").compactMap { $0["valid_nelbo"] as? Double }
        #expect(epochs.count == 4 && epochs.last! < epochs.first! - 1, "validation −ELBO by epoch: \(epochs)")

        let evaluated = try TextVAEProgram.run(["evaluate", "-m", "l.safetensors", "v.txt", "--json", "-k", "5"], in: folder)
        let report = try JSONSerialization.jsonObject(with: Data(evaluated.stdout.utf8)) as? [String: Any]
        #expect(evaluated.status == 0 && (report?["nll"] as? Double).map { $0 > 0 && $0.isFinite } == true, "\(evaluated)")
        let sample = ["sample", "-m", "l.safetensors", "-n", "4", "--decoder", "sample", "--seed", "3"]
        let sampled = try TextVAEProgram.run(sample, in: folder), again = try TextVAEProgram.run(sample, in: folder)
        #expect(sampled.status == 0 && sampled.stdout.filter { $0 == "\n" }.count == 4 && again.stdout == sampled.stdout, "\(sampled)")
        let path = try TextVAEProgram.run(
            ["interpolate", "-m", "l.safetensors", "--steps", "4", sentences[0], sentences[1]], in: folder)
        #expect(path.status == 0 && path.stdout.filter { $0 == "\n" }.count == 4, "\(path)")
        let refined = try TextVAEProgram.run(["reconstruct", "-m", "l.safetensors", "v.txt", "--refine", "3"], in: folder)
        #expect(refined.status == 0 && refined.stdout.filter { $0 == "\n" }.count == 30, "\(refined)")
        let exported = try TextVAEProgram.run(["export", "-m", "l.safetensors", "--hf", "hub"], in: folder)
        let hubConfig = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/hub/config.json")))
        #expect(exported.status == 0 && (hubConfig as? [String: Any])?["cell"] as? String == "lstm", "\(exported)")

        let refused = try TextVAEProgram.run(["train", "--resume", "l.checkpoint.safetensors", "--cell", "gru"], in: folder)
        #expect(refused.failedCleanly && refused.stderr.contains("--cell gru (the run has lstm)"), "\(refused)")
        let resumed = try TextVAEProgram.run(["train", "--resume", "l.checkpoint.safetensors", "--epochs", "5", "--quiet"], in: folder)
        #expect(resumed.status == 0, "\(resumed)")
        #expect(try ModelFile.load(folder + "/l.safetensors").model.config.cell == .lstm)
        let unknown = try TextVAEProgram.run(["train", "t.txt", "--cell", "rnn", "-o", "x.safetensors"], in: folder)
        #expect(unknown.failedCleanly && unknown.stderr.contains("gru") && unknown.stderr.contains("lstm"), "\(unknown)")
    }
}
