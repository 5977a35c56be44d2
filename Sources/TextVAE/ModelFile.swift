import Foundation

/// A model file as SPEC.md's "Model file" defines it: the 17 tensors with
/// PyTorch's names, and metadata (`format`, `vocab`, `config`, `tokenizer`)
/// so that the file alone is enough to sample, interpolate and evaluate.
public struct ModelFile {
    public static let format = "textvae/1"

    public var model: SentenceVAE
    public var vocabulary: Vocabulary
    public var tokenizer: TokenizerSettings
    /// Other metadata (training options, step, ...), kept as strings.
    public var extraMetadata: [String: String] = [:]

    public init(model: SentenceVAE, vocabulary: Vocabulary, tokenizer: TokenizerSettings, extraMetadata: [String: String] = [:]) {
        precondition(model.config.vocabulary == vocabulary.count, "model and vocabulary sizes differ")
        self.model = model
        self.vocabulary = vocabulary
        self.tokenizer = tokenizer
        self.extraMetadata = extraMetadata
    }

    var metadata: [String: String] {
        var m = extraMetadata
        m["format"] = Self.format
        m["vocab"] = "[" + vocabulary.tokens.map(jsonString).joined(separator: ",") + "]"
        m["vocab_counts"] = "[" + vocabulary.counts.map(String.init).joined(separator: ",") + "]"
        m["config"] = Self.json(model.config)
        m["tokenizer"] = Self.json(tokenizer)
        return m
    }

    var tensors: [Safetensors.Tensor] {
        ParameterTensor.allCases.map { t in
            Safetensors.Tensor(name: t.name, shape: t.shape(model.config), data: Array(model.tensor(t)))
        }
    }

    /// Writes the model atomically, with any extra tensors (optimiser state) after SPEC's.
    public func save(to path: String, extraTensors: [Safetensors.Tensor] = [], extraMetadata more: [String: String] = [:]) throws {
        let file = Safetensors(metadata: metadata.merging(more) { $1 }, tensors: tensors + extraTensors)
        try AtomicFile.write(file.encoded(), to: path)
    }

    public static func load(_ path: String) throws -> ModelFile {
        try load(Safetensors.read(path), path: path)
    }

    static func load(_ file: Safetensors, path: String) throws -> ModelFile {
        func fail(_ problem: String, _ fix: String = "give a model file written by 'textvae train'") -> TextVAEError {
            TextVAEError.file(path, problem, fix: fix)
        }
        guard let format = file.metadata["format"] else {
            throw fail("is a safetensors file but not a textvae model (no 'format' metadata)")
        }
        guard format == Self.format else {
            if format.hasPrefix("textvae/") {
                throw fail("has format \(format), but this textvae reads \(Self.format)", "upgrade textvae to read it")
            }
            throw fail("has format '\(format)', not \(Self.format)")
        }
        guard let vocabJSON = file.metadata["vocab"], let tokens = try? JSONDecoder().decode([String].self, from: Data(vocabJSON.utf8)) else {
            throw fail("has no readable 'vocab' metadata")
        }
        var counts = [Int](repeating: 0, count: tokens.count)
        if let c = file.metadata["vocab_counts"], let parsed = try? JSONDecoder().decode([Int].self, from: Data(c.utf8)),
           parsed.count == tokens.count { counts = parsed }
        let vocabulary: Vocabulary
        do { vocabulary = try Vocabulary(tokens: tokens, counts: counts) } catch let e as TextVAEError {
            throw fail("has a broken vocabulary: \(e.description)")
        }
        guard let configJSON = file.metadata["config"], var config = try? JSONDecoder().decode(ModelConfig.self, from: Data(configJSON.utf8)) else {
            throw fail("has no readable 'config' metadata")
        }
        guard let tokJSON = file.metadata["tokenizer"], let tokenizer = try? JSONDecoder().decode(TokenizerSettings.self, from: Data(tokJSON.utf8)) else {
            throw fail("has no readable 'tokenizer' metadata")
        }
        if config.vocabulary == 0 { config.vocabulary = vocabulary.count }
        guard config.vocabulary == vocabulary.count else {
            throw fail("says vocabulary \(config.vocabulary) but lists \(vocabulary.count) tokens")
        }
        guard [config.embedding, config.hidden, config.latent, config.maxLength].allSatisfy({ $0 > 0 && $0 < 1 << 20 }) else {
            throw fail("has impossible sizes in its config")
        }
        let layout = ParameterLayout(config)
        var parameters = [Float](repeating: 0, count: layout.total)
        for t in ParameterTensor.allCases {
            guard let tensor = file.tensor(t.name) else { throw fail("lacks tensor \(t.name)") }
            guard tensor.shape == t.shape(config) else {
                throw fail("tensor \(t.name) has shape \(tensor.shape), but its config needs \(t.shape(config))")
            }
            parameters.replaceSubrange(layout.range(t), with: tensor.data)
        }
        var extra = file.metadata
        for k in ["format", "vocab", "vocab_counts", "config", "tokenizer"] { extra[k] = nil }
        return ModelFile(model: SentenceVAE(config: config, parameters: parameters), vocabulary: vocabulary,
                         tokenizer: tokenizer, extraMetadata: extra)
    }

    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(value)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
