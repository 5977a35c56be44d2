import Foundation
import Testing

@testable import TextVAE

/// `train --preset large`: the same model as its flags typed out, a flag given beside it wins, tying gives way to
/// --embedding, and a resumed run refuses it.
@Suite struct TrainingPresetTests {
    @Test func thePresetIsItsFlagsAndAGivenFlagWins() throws {
        let (folder, _) = try grammarTrainingFolder(count: 300, seed: 4, valid: 20)
        let common = [
            "train", "t.txt", "--valid", "v.txt", "--hidden", "16", "--latent", "4", "--batch-size", "16", "--epochs", "2", "--threads",
            "1",
        ]
        let preset = try TextVAEProgram.run(common + ["--preset", "large", "-o", "p.safetensors"], in: folder)
        #expect(preset.status == 0 && preset.stdout.contains("preset large: \(TrainingPreset.large.flags)"), "\(preset)")
        let typed = try TextVAEProgram.run(
            common + TrainingPreset.large.flags.split(separator: " ").map(String.init) + ["-o", "f.safetensors"], in: folder)
        #expect(typed.status == 0, "\(typed)")
        let (a, b) = (try Checkpoint.load(folder + "/p.checkpoint.safetensors"), try Checkpoint.load(folder + "/f.checkpoint.safetensors"))
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
