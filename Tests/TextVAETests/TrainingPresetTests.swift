import Foundation
import Testing

@testable import TextVAE

/// `train --preset large` and `--preset homotopy`: the same model as their flags typed out, a flag given beside one
/// wins, tying gives way to --embedding, a setting of the KL term beside the homotopy preset is refused, and a
/// resumed run refuses a preset.
@Suite struct TrainingPresetTests {
    /// Trains `common` once with `--preset` and once with the preset's flags typed out (the run with the preset says
    /// them at its start); the two runs' checkpoints.
    static func trainWithPresetAndItsFlags(
        _ preset: TrainingPreset, _ common: [String], in folder: String
    ) throws -> (preset: Checkpoint, typed: Checkpoint) {
        let withPreset = try TextVAEProgram.run(common + ["--preset", preset.rawValue, "-o", "p.safetensors"], in: folder)
        #expect(
            withPreset.status == 0 && withPreset.stdout.contains("preset \(preset.rawValue): \(preset.flags)"), "\(withPreset)")
        let typed = try TextVAEProgram.run(
            common + preset.flags.split(separator: " ").map(String.init) + ["-o", "f.safetensors"], in: folder)
        #expect(typed.status == 0, "\(typed)")
        return (try Checkpoint.load(folder + "/p.checkpoint.safetensors"), try Checkpoint.load(folder + "/f.checkpoint.safetensors"))
    }

    @Test func thePresetIsItsFlagsAndAGivenFlagWins() throws {
        let (folder, _) = try grammarTrainingFolder(count: 300, seed: 4, valid: 20)
        let common = [
            "train", "t.txt", "--valid", "v.txt", "--hidden", "16", "--latent", "4", "--batch-size", "16", "--epochs", "2", "--threads",
            "1",
        ]
        let (a, b) = try Self.trainWithPresetAndItsFlags(.large, common, in: folder)
        #expect(a.file.model.config == b.file.model.config && a.file.model.config.tiedEmbeddings)
        #expect(a.options.embeddingDropout == 0.5 && a.options.outputDropout == 0.5 && a.options.wordDropout == 0)
        #expect(a.file.model.parameters == b.file.model.parameters, "the preset trains exactly the model its flags train")

        let mixed = try TextVAEProgram.run(
            common + ["--preset", "large", "--word-dropout", "0.2", "--embedding", "8", "-o", "m.safetensors", "--quiet"], in: folder)
        #expect(mixed.status == 0, "\(mixed)")
        let given = try Checkpoint.load(folder + "/m.checkpoint.safetensors")
        #expect(given.options.wordDropout == 0.2 && given.options.outputDropout == 0.5, "the given flag wins, the rest is the preset's")
        #expect(!given.file.model.config.tiedEmbeddings && given.file.model.config.embedding == 8, "--embedding 8 ≠ H: left untied")

        let resumed = try TextVAEProgram.run(["train", "--resume", "p.checkpoint.safetensors", "--preset", "large"], in: folder)
        #expect(resumed.failedCleanly && resumed.stderr.contains("leave out --preset"), "\(resumed)")
    }

    @Test func theHomotopyPresetIsItsFlags() throws {
        let (folder, _) = try grammarTrainingFolder(count: 300, seed: 4, valid: 20)
        let common = ["train", "t.txt", "--valid", "v.txt", "--hidden", "16", "--batch-size", "16", "--epochs", "2", "--threads", "1"]
        let (a, b) = try Self.trainWithPresetAndItsFlags(.homotopy, common, in: folder)
        #expect(a.options.regulariser == .adversarial && a.options.freeBits == 0)
        #expect(a.options.wordDropout == 0 && a.options.embeddingDropout == 0.5)
        #expect(a.file.model.config.latent == 32 && a.file.model.config.latentToInputs && a.file.model.config == b.file.model.config)
        #expect(a.file.model.parameters == b.file.model.parameters, "the preset trains exactly the model its flags train")
        #expect(a.adversary?.discriminator.parameters == b.adversary?.discriminator.parameters && a.adversary != nil)

        for refused in [["--kl-target", "5"], ["--free-bits", "1"], ["--baseline", "lm"]] {
            let run = try TextVAEProgram.run(common + ["--preset", "homotopy", "-o", "r.safetensors"] + refused, in: folder)
            #expect(run.failedCleanly && run.stderr.contains("leave out --kl-target, --free-bits and --baseline"), "\(refused): \(run)")
        }
        let kl = try TextVAEProgram.run(
            common + ["--preset", "homotopy", "--regulariser", "kl", "--free-bits", "1", "-o", "k.safetensors", "--quiet"], in: folder)
        #expect(kl.status == 0, "\(kl)")
        let given = try Checkpoint.load(folder + "/k.checkpoint.safetensors")
        #expect(given.options.regulariser == .kl && given.options.freeBits == 1, "the given flags win")
        #expect(given.file.model.config.latent == 32 && given.options.embeddingDropout == 0.5, "the rest is the preset's")

        // Without --epochs it plans an autoencoder's run (`RunLength.autoencoder`): 30 epochs here, where a VAE plans 12.
        let sizes = ["--valid", "v.txt", "--hidden", "8", "--batch-size", "64", "--threads", "1", "--overwrite", "-o", "a.safetensors"]
        let autoencoder = try TextVAEProgram.run(["train", "t.txt", "--preset", "homotopy"] + sizes, in: folder)
        #expect(autoencoder.status == 0 && autoencoder.stdout.contains("plan: 150 updates, 30 epochs of 5"), "\(autoencoder)")
        let vae = try TextVAEProgram.run(["train", "t.txt"] + sizes, in: folder)
        #expect(vae.status == 0 && vae.stdout.contains("plan: 60 updates, 12 epochs of 5 (--epochs auto)"), "\(vae)")
    }

    /// A run on a corpus of 20,000 sentences or more whose user chose no regularisation is told about the preset;
    /// a smaller corpus, a run with the preset, or one that set word dropout itself is not.
    @Test func aLargeCorpusIsToldAboutThePreset() throws {
        #expect(TrainingPreset.advised(trainingSentences: 19_999) == nil && TrainingPreset.advised(trainingSentences: 20_000) == .large)
        let (folder, _) = try grammarTrainingFolder(count: 25_100, seed: 6, valid: 50)
        let common = [
            "train", "t.txt", "--valid", "v.txt", "--hidden", "8", "--latent", "2", "--batch-size", "512",
            "--epochs", "1", "--threads", "1", "--overwrite", "-o", "m.safetensors",
        ]
        for (extra, told) in [([String](), true), (["--preset", "large"], false), (["--word-dropout", "0.3"], false)] {
            let run = try TextVAEProgram.run(common + extra, in: folder)
            #expect(run.status == 0 && run.stdout.contains("tip: for a corpus of this size, --preset large") == told, "\(extra): \(run)")
        }
        let (small, _) = try grammarTrainingFolder(count: 2_000, seed: 6, valid: 50)
        let run = try TextVAEProgram.run(common, in: small)
        #expect(run.status == 0 && !run.stdout.contains("tip:"), "\(run)")
    }
}
