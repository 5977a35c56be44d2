import Foundation
import Testing

@testable import TextVAE

/// `train --baseline lm`: the decoder with no latent (Z = 0), whose exact NLL is the bound beside every VAE figure.
@Suite struct LanguageModelBaselineTests {
    static let sizes = ["--embedding", "16", "--hidden", "24", "--batch-size", "16", "--threads", "1", "--quiet"]

    @Test func aBaselineTrainsEvaluatesExactlySamplesAndRefusesWhatNeedsZ() throws {
        let folder = try temporaryFolder().path
        let sentences = GrammarCorpus.sentences(count: 400, seed: 5)
        try (sentences.joined(separator: "\n") + "\n").write(toFile: folder + "/t.txt", atomically: true, encoding: .utf8)
        try (sentences.prefix(40).joined(separator: "\n") + "\n").write(toFile: folder + "/v.txt", atomically: true, encoding: .utf8)
        let trained = try TextVAEProgram.run(
            ["train", "t.txt", "--baseline", "lm", "--epochs", "2", "-o", "lm.safetensors"] + Self.sizes,
            in: folder)
        #expect(trained.status == 0 && (trained.stdout + trained.stderr).contains("the lowest validation NLL"), "\(trained)")
        // No β to wait for: every epoch competes, so the model kept is the best of all epochs.
        let epochs = try epochRows(folder + "/lm.metrics.jsonl")
        let nelbos = epochs.compactMap { $0["valid_nelbo"] as? Double }
        #expect(epochs.allSatisfy { $0["annealed"] as? Bool == true } && nelbos.count == 2)
        #expect(epochs.last { $0["kept"] as? Bool == true }?["valid_nelbo"] as? Double == nelbos.min())
        let file = try ModelFile.load(folder + "/lm.safetensors")
        #expect(file.model.config.latent == 0 && file.model.config.code == 0)

        // With no latent every importance weight is p(x): evaluate uses one sample, and the NLL is the reconstruction term.
        let evaluated = try TextVAEProgram.run(["evaluate", "-m", "lm.safetensors", "v.txt", "--json", "-k", "50"], in: folder)
        #expect(evaluated.status == 0, "\(evaluated)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(evaluated.stdout.utf8)) as? [String: Any])
        let (nll, rec, kl) = (report["nll"] as? Double ?? .nan, report["rec"] as? Double ?? .nan, report["kl"] as? Double ?? .nan)
        #expect(kl == 0 && abs(nll - rec) < 1e-3 * rec && nll > 0, "\(report)")
        #expect(report["k"] as? Int == 1, "\(report)")

        let sampled = try TextVAEProgram.run(
            ["sample", "-m", "lm.safetensors", "-n", "5", "--decoder", "sample", "--seed", "3"], in: folder)
        #expect(sampled.status == 0 && sampled.stdout.split(separator: "\n").count == 5, "\(sampled)")
        let again = try TextVAEProgram.run(["sample", "-m", "lm.safetensors", "-n", "5", "--decoder", "sample", "--seed", "3"], in: folder)
        #expect(again.stdout == sampled.stdout)
        let greedy = try TextVAEProgram.run(["sample", "-m", "lm.safetensors", "-n", "2"], in: folder)
        #expect(greedy.status == 0 && greedy.stderr.contains("same sentence every time"), "\(greedy)")

        for command in [
            ["encode", "-m", "lm.safetensors", "v.txt"], ["interpolate", "-m", "lm.safetensors", "a b", "c d"],
            ["evaluate", "-m", "lm.safetensors", "v.txt", "--paths", "3"],
        ] {
            let refused = try TextVAEProgram.run(command, in: folder)
            #expect(refused.failedCleanly && refused.stderr.contains("language model without a latent"), "\(refused)")
        }
        #expect(throws: TextVAEError.self) { try TextVAEModel(path: folder + "/lm.safetensors") }

        let resumed = try TextVAEProgram.run(["train", "--resume", "lm.checkpoint.safetensors", "--latent", "4"], in: folder)
        #expect(resumed.failedCleanly && resumed.stderr.contains("--latent 4 (the run has 0)"), "\(resumed)")
        for wrong in [
            ["--latent", "0"], ["--baseline", "lm", "--latent", "4"], ["--baseline", "lm", "--classes", "3"],
            ["--baseline", "lm", "--kl-target", "5"],
        ] {
            let refused = try TextVAEProgram.run(["train", "t.txt", "-o", "x.safetensors"] + wrong, in: folder)
            #expect(refused.failedCleanly && refused.stderr.contains("--baseline lm"), "\(wrong): \(refused)")
        }
    }

    @Test func emptyTensorsReadBackAndEmptyProductsScaleTheOutput() throws {
        try loadBLAS()
        let model = SentenceVAE(config: ModelConfig(vocabulary: 9, embedding: 4, hidden: 3, latent: 0), seed: 1)
        #expect(model.layout.counts[ParameterTensor.latentWeight.rawValue] == 0)
        let folder = try temporaryFolder().path
        let vocabulary = try Vocabulary(tokens: Vocabulary.specials + ["a", "b", "c", "d", "e"], counts: [0, 0, 0, 0, 5, 4, 3, 2, 1])
        try ModelFile(model: model, vocabulary: vocabulary, tokenizer: TokenizerSettings(name: .whitespace)).save(
            to: folder + "/m.safetensors")
        #expect(try ModelFile.load(folder + "/m.safetensors").model.parameters == model.parameters)

        var c: [Float] = [1, 2, 3, 4, 5, 6]
        let a: [Float] = [], b: [Float] = []
        BLAS.gemm(m: 2, n: 3, k: 0, a, lda: 0, b, ldb: 3, beta: 0.5, &c, ldc: 3, threads: 1)
        #expect(c == [0.5, 1, 1.5, 2, 2.5, 3])
        BLAS.gemm(m: 2, n: 3, k: 0, a, lda: 0, b, ldb: 3, beta: 0, &c, ldc: 3, threads: 1)
        #expect(c == [0, 0, 0, 0, 0, 0])
    }
}
