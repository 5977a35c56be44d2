import ArgumentParser
import Foundation
import TextVAE

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a model as a Hugging Face Hub folder: the model file, config.json, the vocabulary and a model card.",
        discussion: """
            The folder holds model.safetensors (the same bytes as MODEL), config.json
            (sizes, special token ids, tokenizer, classes), vocab.json (token → id; with
            merges.txt for a subword vocabulary), textvae.vocab.txt (what 'train --vocab'
            reads) and README.md, a model card written from what the training run recorded.
            Publish it with: huggingface-cli upload NAME FOLDER

            Examples:
              textvae export -m model.safetensors --hf model-hf
              textvae export -m model.safetensors --hf model-hf --overwrite
            """
    )

    @Option(name: .shortAndLong, help: "Model file written by 'textvae train' (.safetensors).")
    var model: String

    @Option(
        help: ArgumentHelp(
            "The folder to write (created if missing; an existing one must be empty unless --overwrite).", valueName: "folder"))
    var hf: String

    @Flag(help: "Replace the export's files in a folder that is not empty.")
    var overwrite = false

    func run() throws {
        let written = try HubExport.write(modelAt: model, to: hf, overwrite: overwrite)
        let say = summary(writing: hf)
        say("wrote \(hf): " + written.map { ($0 as NSString).lastPathComponent }.joined(separator: ", "))
    }
}
