import Foundation

/// A model file as a folder in the layout of the Hugging Face Hub: `model.safetensors` (the same bytes),
/// `config.json` (sizes, special token ids, tokenizer, classes), `vocab.json` (token → id, plus `merges.txt`
/// for a subword vocabulary), `textvae.vocab.txt` (the vocabulary as `textvae vocab` writes it, which
/// `train --vocab` reads) and `README.md`, a model card written from the file's metadata.
/// `huggingface-cli upload NAME FOLDER` publishes it; textvae and the Python loader read the model file in it.
package enum HubExport {
    /// The files an export writes, in order.
    package static func fileNames(subwords: Bool) -> [String] {
        ["model.safetensors", "config.json", "vocab.json"] + (subwords ? ["merges.txt"] : []) + ["textvae.vocab.txt", "README.md"]
    }

    /// Writes the folder; returns the paths written. An existing folder must be empty unless `overwrite`,
    /// and the model file must not be inside it under one of the names written.
    @discardableResult
    package static func write(modelAt modelPath: String, to folder: String, overwrite: Bool = false) throws -> [String] {
        let bytes = Data(try TextFile.readBytes(modelPath))
        let file = try ModelFile.load(data: bytes, name: modelPath)
        let names = fileNames(subwords: file.vocabulary.subwords != nil)
        try prepareFolder(folder, overwrite: overwrite, keeping: modelPath, names: names)

        let contents: [String: Data] = [
            "model.safetensors": bytes,
            "config.json": try config(file),
            "vocab.json": try JSONSerialization.data(
                withJSONObject: Dictionary(uniqueKeysWithValues: file.vocabulary.tokens.enumerated().map { ($1, $0) }),
                options: [.sortedKeys]),
            "merges.txt": Data(
                (["#version: textvae"] + (file.vocabulary.subwords?.merges ?? []).map { "\($0.left) \($0.right)" })
                    .joined(separator: "\n").appending("\n").utf8),
            "textvae.vocab.txt": Data(file.vocabulary.fileText.utf8),
            "README.md": Data(card(file, modelName: (modelPath as NSString).lastPathComponent).utf8),
        ]
        var written: [String] = []
        for name in names {
            let path = (folder as NSString).appendingPathComponent(name)
            try AtomicFile.write(contents[name]!, to: path)
            written.append(path)
        }
        return written
    }

    /// Creates `folder`, or checks that writing into it loses nothing the user did not ask to replace.
    static func prepareFolder(_ folder: String, overwrite: Bool, keeping modelPath: String, names: [String]) throws {
        var isFolder: ObjCBool = false
        let fm = FileManager.default
        if fm.fileExists(atPath: folder, isDirectory: &isFolder) {
            guard isFolder.boolValue else {
                throw TextVAEError.file("\(folder) is a file, not a folder: give a new folder's name, such as \(folder).hf")
            }
            let present = (try? fm.contentsOfDirectory(atPath: folder)) ?? []
            if !present.isEmpty && !overwrite {
                throw TextVAEError.file(
                    "\(folder) is not empty (\(present.count) entries): give a new folder, or --overwrite to replace the export's files in it"
                )
            }
            for name in names where isSameFile((folder as NSString).appendingPathComponent(name), modelPath) {
                throw TextVAEError.file(
                    "\(modelPath) is one of the files the export writes (\(name) in \(folder)): export into another folder")
            }
        } else {
            do { try fm.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                throw TextVAEError.file("cannot create \(folder): \(error.localizedDescription); check the path and its permissions")
            }
        }
    }

    /// `config.json`: what a reader needs to build the network and map tokens, in the Hub's usual names.
    static func config(_ file: ModelFile) throws -> Data {
        let c = file.model.config
        var config: [String: Any] = [
            "model_type": "textvae-sentence-vae",
            "architectures": ["SentenceVAE"],
            "textvae_format": ModelFile.format,
            "cell": c.cell.rawValue,
            "vocab_size": c.vocabulary,
            "embedding_size": c.embedding,
            "hidden_size": c.hidden,
            "latent_size": c.latent,
            "latent_to_inputs": c.latentToInputs,
            "max_length": c.maxLength,
            "num_classes": c.classes,
            "pad_token_id": Vocabulary.pad, "unk_token_id": Vocabulary.unk,
            "bos_token_id": Vocabulary.bos, "eos_token_id": Vocabulary.eos,
            "vocabulary_type": file.vocabulary.subwords == nil ? "word" : "bpe",
            "tokenizer": [
                "name": file.tokenizer.name.rawValue, "locale": file.tokenizer.locale,
                "lowercase": file.tokenizer.lowercase, "normalization": file.tokenizer.normalization,
            ],
            "parameters": file.model.parameters.count,
        ]
        if !file.classNames.isEmpty { config["class_names"] = file.classNames }
        if !c.softmaxCutoffs.isEmpty { config["adaptive_softmax_cutoffs"] = c.softmaxCutoffs }
        if c.tiedEmbeddings { config["tied_embeddings"] = true }
        if c.bidirectional { config["bidirectional"] = true }
        if let producer = file.extraMetadata["producer"] { config["producer"] = producer }
        return try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys])
    }

    /// The model card: YAML front matter for the Hub, then what the model is, how it was trained (the
    /// metadata the training run recorded) and how to use it.
    static func card(_ file: ModelFile, modelName: String) -> String {
        let c = file.model.config, meta = file.extraMetadata
        let language = file.tokenizer.locale.split(whereSeparator: { $0 == "_" || $0 == "-" }).first.map(String.init) ?? "en"
        var lines = [
            "---",
            "library_name: textvae",
            "pipeline_tag: text-generation",
            "language:",
            "- \(language)",
            "tags:",
            "- sentence-vae",
            "- variational-autoencoder",
            "---",
            "",
            "# \((modelName as NSString).deletingPathExtension)",
            "",
            "A sentence variational autoencoder (Bowman et al. 2016, *Generating Sentences from a Continuous Space*):",
            "a\(c.cell == .lstm ? "n" : "") \(c.cell.displayName) encoder gives a Gaussian posterior q(z|x), a\(c.cell == .lstm ? "n" : "") "
                + "\(c.cell.displayName) decoder started from z predicts the sentence.",
            "Written by \(meta["producer"] ?? "textvae") and exported with \(TextVAEVersion.producer).",
            "",
            "| | |",
            "|---|---|",
            "| vocabulary | \(c.vocabulary) entries (\(file.vocabulary.subwords == nil ? "words" : "subword pieces, byte-pair encoding"); ids 0–3 are `<pad>` `<unk>` `<bos>` `<eos>`) |",
            "| sizes | embedding \(c.embedding), \(c.cell.displayName) state \(c.hidden), latent z \(c.latent)\(c.latentToInputs ? ", z fed at every decoder step" : "")\(c.tiedEmbeddings ? ", output layer tied to the embedding (no `outputs2vocab.weight`)" : "")\(c.bidirectional ? ", bidirectional encoder (`encoder_rnn.*_reverse`; q(z|x) reads [h→; h←])" : "") |",
            "| parameters | \(file.model.parameters.count) |",
            "| longest sentence | \(c.maxLength) tokens |",
            "| tokenizer | \(file.tokenizer.name.rawValue), locale \(file.tokenizer.locale)\(file.tokenizer.lowercase ? ", lowercased" : "") |",
        ]
        if !file.classNames.isEmpty {
            lines.append("| classes | \(file.classNames.count): \(file.classNames.map { "`\($0)`" }.joined(separator: ", ")) |")
        }
        if let step = meta["step"] { lines.append("| trained | \(step) updates\(meta["epoch"].map { ", \($0) epochs" } ?? "") |") }
        if let nelbo = meta["valid_nelbo"].flatMap(Double.init) {
            lines.append("| validation −ELBO | \(String(format: "%.2f", nelbo)) nats per sentence (its own held-out lines) |")
        }
        lines += [
            "",
            "## Use",
            "",
            "With textvae (Swift, Linux):",
            "",
            "```",
            "textvae sample -m model.safetensors -n 10",
            "textvae interpolate -m model.safetensors \"first sentence\" \"second sentence\"",
            "textvae evaluate -m model.safetensors held-out.txt",
            "```",
            "",
            "In PyTorch: `Sources/Python/textvae.py` in the textvae repository loads `model.safetensors`.",
            "The tensors are plain safetensors with PyTorch's names; `config.json` gives the sizes and special ids,",
            "`vocab.json` maps tokens to ids\(file.vocabulary.subwords == nil ? "" : " (with `merges.txt`, the byte-pair merges in the order they apply)").",
        ]
        if let options = meta["train_options"] {
            lines += ["", "## Training options", "", "As the run recorded them:", "", "```json", options, "```"]
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
