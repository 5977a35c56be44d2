import Foundation
import Testing

@testable import TextVAE

/// `textvae export --hf`: the folder holds the model file unchanged, a config and vocabulary that agree with
/// it, and a card; a folder in use or a model inside the folder is refused without writing.
@Suite struct HubExportTests {
    @Test func theFolderHoldsTheModelItsConfigVocabularyAndCard() throws {
        let folder = try temporaryFolder()
        var file = try TinyModel.file()
        file.extraMetadata = ["producer": "textvae test", "step": "120", "epoch": "3", "valid_nelbo": "41.5"]
        let model = folder.appendingPathComponent("tiny.safetensors").path
        try file.save(to: model)
        let out = folder.appendingPathComponent("tiny-hf").path

        let run = try TextVAEProgram.run(["export", "-m", model, "--hf", out], in: folder.path)
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("config.json") && run.stdout.contains("README.md"), "\(run)")

        let copied = try Data(contentsOf: URL(fileURLWithPath: out + "/model.safetensors"))
        #expect(copied == (try Data(contentsOf: URL(fileURLWithPath: model))), "the model's bytes change in the export")
        let reloaded = try ModelFile.load(out + "/model.safetensors")
        #expect(reloaded.model.parameters == file.model.parameters)

        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/config.json"))) as! [String: Any]
        #expect(config["vocab_size"] as? Int == 12 && config["hidden_size"] as? Int == 8 && config["latent_size"] as? Int == 4)
        #expect(config["eos_token_id"] as? Int == Vocabulary.eos && config["vocabulary_type"] as? String == "word")
        #expect(config["parameters"] as? Int == file.model.parameters.count)

        let vocab = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/vocab.json"))) as! [String: Int]
        #expect(vocab.count == 12 && vocab["cat"] == file.vocabulary.tokens.firstIndex(of: "cat"))
        #expect(try Vocabulary.load(out + "/textvae.vocab.txt").tokens == file.vocabulary.tokens)

        let card = try String(contentsOfFile: out + "/README.md", encoding: .utf8)
        #expect(card.hasPrefix("---\nlibrary_name: textvae"))
        #expect(card.contains("| trained | 120 updates, 3 epochs |") && card.contains("41.50 nats"), "\(card)")
    }

    @Test func aFolderInUseOrTheModelInsideItIsRefused() throws {
        let folder = try temporaryFolder()
        let model = folder.appendingPathComponent("model.safetensors").path
        try TinyModel.file().save(to: model)
        let before = try Data(contentsOf: URL(fileURLWithPath: model))

        // The model is in the folder under a name the export writes: even --overwrite must not replace it.
        let inside = try TextVAEProgram.run(["export", "-m", model, "--hf", folder.path, "--overwrite"], in: folder.path)
        #expect(inside.failedCleanly && inside.stderr.contains("export into another folder"), "\(inside)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: model)) == before)

        // A folder with other files needs --overwrite.
        let used = folder.appendingPathComponent("used")
        try FileManager.default.createDirectory(at: used, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: used.appendingPathComponent("notes.txt"))
        let refused = try TextVAEProgram.run(["export", "-m", model, "--hf", used.path], in: folder.path)
        #expect(refused.failedCleanly && refused.stderr.contains("--overwrite"), "\(refused)")
        #expect(!FileManager.default.fileExists(atPath: used.appendingPathComponent("config.json").path))

        // A file where the folder should be.
        let notFolder = try TextVAEProgram.run(["export", "-m", model, "--hf", model], in: folder.path)
        #expect(notFolder.failedCleanly && notFolder.stderr.contains("not a folder"), "\(notFolder)")
    }
}
