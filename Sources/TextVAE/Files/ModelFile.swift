import Foundation

/// A model file as <doc:ModelFileFormat> defines it: the 17 tensors with
/// PyTorch's names, and metadata (`format`, `vocab`, `config`, `tokenizer`)
/// so that the file alone is enough to sample, interpolate and evaluate.
package struct ModelFile {
    package static let format = "textvae/1"

    package var model: SentenceVAE
    package var vocabulary: Vocabulary
    package var tokenizer: TokenizerSettings
    /// The names of the K classes of c (the labels it was trained with, or "0" … "K−1" for classes it found
    /// by itself); empty for a model without classes.
    package var classNames: [String] = []
    /// Other metadata (training options, step, ...), kept as strings.
    package var extraMetadata: [String: String] = [:]

    package init(
        model: SentenceVAE, vocabulary: Vocabulary, tokenizer: TokenizerSettings, classNames: [String]? = nil,
        extraMetadata: [String: String] = [:]
    ) {
        precondition(model.config.vocabulary == vocabulary.count, "model and vocabulary sizes differ")
        let names = classNames ?? (0..<model.config.classes).map(String.init)
        precondition(names.count == model.config.classes, "one name per class")
        self.classNames = names
        self.model = model
        self.vocabulary = vocabulary
        self.tokenizer = tokenizer
        self.extraMetadata = extraMetadata
    }

    func metadata() throws -> [String: String] {
        var m = extraMetadata
        m["format"] = Self.format
        m["vocab"] = "[" + vocabulary.tokens.map(jsonString).joined(separator: ",") + "]"
        m["vocab_counts"] = "[" + vocabulary.counts.map(String.init).joined(separator: ",") + "]"
        m["config"] = try Self.json(model.config)
        m["tokenizer"] = try Self.json(tokenizer)
        if !classNames.isEmpty { m["class_names"] = try Self.json(classNames) }
        if let subwords = vocabulary.subwords {
            m["subword_merges"] =
                "[" + subwords.merges.map { "[\(jsonString($0.left)),\(jsonString($0.right))]" }.joined(separator: ",") + "]"
        }
        return m
    }

    var tensors: [Safetensors.Tensor] {
        ParameterTensor.present(model.config).map { t in
            Safetensors.Tensor(name: t.name, shape: t.shape(model.config), data: Array(model.tensor(t)))
        }
    }

    /// Writes the model atomically, with any extra tensors (optimiser state) after the model's.
    package func save(to path: String, extraTensors: [Safetensors.Tensor] = [], extraMetadata more: [String: String] = [:]) throws {
        let file = Safetensors(metadata: try metadata().merging(more) { $1 }, tensors: tensors + extraTensors)
        try AtomicFile.write(file.encoded(), to: path)
    }

    /// Reads a model file. The tensors are copied straight from the mapped file
    /// into the parameter block (one copy of the weights, no intermediate
    /// arrays), so that loading a model to sample one sentence stays fast.
    package static func load(_ path: String) throws -> ModelFile {
        try TextFile.withMappedBytes(path) { try load(bytes: $0, name: path) }
    }

    /// Reads a model file held in memory; `name` is what errors call it.
    package static func load(data: Data, name: String) throws -> ModelFile {
        try data.withUnsafeBytes { try load(bytes: $0, name: name) }
    }

    static func load(bytes: UnsafeRawBufferPointer, name path: String) throws -> ModelFile {
        let index: Safetensors.Index
        do { index = try Safetensors.index(bytes) } catch let e as Safetensors.FormatError { throw e.naming(path) }
        return try load(metadata: index.metadata, path: path) { name in
            index.entry(name).map { e in (e.shape, { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[e.bytes])) }) }
        }
    }

    static func load(_ file: Safetensors, path: String) throws -> ModelFile {
        try load(metadata: file.metadata, path: path) { name in
            file.tensor(name).map { t in (t.shape, { destination in t.data.withUnsafeBytes { destination.copyMemory(from: $0) } }) }
        }
    }

    /// - Parameter tensor: for a tensor name, its shape and a function that copies its values into a buffer.
    private static func load(
        metadata: [String: String], path: String,
        tensor: (String) -> (shape: [Int], copy: (UnsafeMutableRawBufferPointer) -> Void)?
    ) throws -> ModelFile {
        func fail(_ problem: String, _ fix: String = "give a model file written by 'textvae train'") -> TextVAEError {
            TextVAEError.file(path, problem, fix: fix)
        }
        guard let format = metadata["format"] else {
            throw fail("is a safetensors file but not a textvae model (no 'format' metadata)")
        }
        guard format == Self.format else {
            if format.hasPrefix("textvae/") {
                throw fail("has format \(format), but this textvae reads \(Self.format)", "upgrade textvae to read it")
            }
            throw fail("has format '\(format)', not \(Self.format)")
        }
        // JSONSerialization: for 10,000 tokens it is several times faster than JSONDecoder.
        guard let vocabJSON = metadata["vocab"], let tokens = (try? JSONSerialization.jsonObject(with: Data(vocabJSON.utf8))) as? [String]
        else {
            throw fail("has no readable 'vocab' metadata")
        }
        var counts = [Int](repeating: 0, count: tokens.count)
        if let c = metadata["vocab_counts"], let parsed = (try? JSONSerialization.jsonObject(with: Data(c.utf8))) as? [Any],
            parsed.count == tokens.count
        {
            let numbers = parsed.compactMap { ($0 as? NSNumber)?.intValue }
            if numbers.count == tokens.count { counts = numbers }
        }
        var merges: [Subwords.Merge]?
        if let mergesJSON = metadata["subword_merges"] {
            guard let pairs = (try? JSONSerialization.jsonObject(with: Data(mergesJSON.utf8))) as? [[String]],
                pairs.allSatisfy({ $0.count == 2 })
            else {
                throw fail("has unreadable 'subword_merges' metadata (it must be a list of [left, right] pairs)")
            }
            merges = pairs.map { Subwords.Merge($0[0], $0[1]) }
        }
        let vocabulary: Vocabulary
        do { vocabulary = try Vocabulary(tokens: tokens, counts: counts, merges: merges) } catch let e as TextVAEError {
            throw fail("has a broken vocabulary: \(e.description)")
        }
        guard let configJSON = metadata["config"] else { throw fail("has no 'config' metadata") }
        var config: ModelConfig
        do { config = try JSONDecoder().decode(ModelConfig.self, from: Data(configJSON.utf8)) } catch {
            // A value textvae does not know (a cell of a newer version, say) is named; broken JSON is not.
            if case DecodingError.dataCorrupted(let context) = error, !context.codingPath.isEmpty {
                throw fail(
                    "has a 'config' textvae cannot use: \(context.debugDescription)",
                    "give a model file written by this version of 'textvae train', or update textvae")
            }
            throw fail("has no readable 'config' metadata")
        }
        guard let tokJSON = metadata["tokenizer"],
            let tokenizer = try? JSONDecoder().decode(TokenizerSettings.self, from: Data(tokJSON.utf8))
        else {
            throw fail("has no readable 'tokenizer' metadata")
        }
        if config.vocabulary == 0 { config.vocabulary = vocabulary.count }
        guard config.vocabulary == vocabulary.count else {
            throw fail("says vocabulary \(config.vocabulary) but lists \(vocabulary.count) tokens")
        }
        guard [config.embedding, config.hidden, config.maxLength].allSatisfy({ $0 > 0 && $0 < 1 << 20 }),
            config.latent >= 0 && config.latent < 1 << 20, config.classes >= 0 && config.classes < 1 << 16
        else {
            throw fail("has impossible sizes in its config")
        }
        if let problem = config.tyingProblem { throw fail("has a config that cannot be: \(problem)") }
        if !config.softmaxCutoffs.isEmpty,
            let problem = AdaptiveSoftmax.problem(cutoffs: config.softmaxCutoffs, vocabulary: config.vocabulary)
        {
            throw fail("has an adaptive softmax that cannot be: \(problem)")
        }
        var classNames = (0..<config.classes).map(String.init)
        if let namesJSON = metadata["class_names"] {
            guard let names = try? JSONDecoder().decode([String].self, from: Data(namesJSON.utf8)), names.count == config.classes,
                Set(names).count == names.count
            else {
                throw fail("has unreadable 'class_names' metadata (it must list \(config.classes) distinct names)")
            }
            classNames = names
        }
        let layout = ParameterLayout(config)
        var copies: [(UnsafeMutableRawBufferPointer) -> Void] = []
        let present = ParameterTensor.present(config)
        for t in present {
            guard let (shape, copy) = tensor(t.name) else { throw fail("lacks tensor \(t.name)") }
            guard shape == t.shape(config) else {
                throw fail("tensor \(t.name) has shape \(shape), but its config needs \(t.shape(config))")
            }
            copies.append(copy)
        }
        // Every tensor checked: fill the block in place, with no zero-filling first.
        let parameters = [Float](unsafeUninitializedCapacity: layout.total) { block, count in
            for (t, copy) in zip(present, copies) {
                copy(
                    UnsafeMutableRawBufferPointer(
                        rebasing: UnsafeMutableRawBufferPointer(block)[layout.range(t).lowerBound * 4..<layout.range(t).upperBound * 4]))
            }
            count = layout.total
        }
        // A NaN or an infinity would only show as NaN sentences scores later: refuse it here, naming the tensor.
        for t in present {
            let range = layout.range(t)
            if let bad = parameters[range].firstIndex(where: { !$0.isFinite }) {
                throw fail(
                    "tensor \(t.name) holds \(parameters[bad]) at index \(bad - range.lowerBound), not a finite number",
                    "the file is damaged, or the run that wrote it diverged: use an earlier checkpoint or train again")
            }
        }
        var extra = metadata
        for k in ["format", "vocab", "vocab_counts", "config", "tokenizer", "subword_merges", "class_names"] { extra[k] = nil }
        return ModelFile(
            model: SentenceVAE(config: config, parameters: parameters), vocabulary: vocabulary,
            tokenizer: tokenizer, classNames: classNames, extraMetadata: extra)
    }

    /// The regulariser of the run that wrote the file, from its `train_options` (nil where the file does not say,
    /// as in a file written by another tool): an adversarial prior means the model was trained as an autoencoder.
    package var trainedRegulariser: LatentRegulariser? {
        guard let json = extraMetadata["train_options"],
            let options = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any]
        else { return nil }
        return (options["regulariser"] as? String).flatMap(LatentRegulariser.init(rawValue:)) ?? .kl
    }

    /// `value` as JSON with sorted keys, for metadata. Throws rather than write a placeholder: a checkpoint with
    /// "{}" for its state would not resume.
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
