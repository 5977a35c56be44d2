import Foundation

/// A trained model as every command uses it: the model file, its tokenizer
/// (tokenising exactly as training did, from the settings in the file), and
/// the workspaces its computations reuse. The one way into a trained model.
package final class TrainedModel {
    package let file: ModelFile
    /// What the model is called in messages: its path.
    package let path: String
    let tokenizer: Tokenizer
    /// Buffers and thread count for encoding and scoring.
    package let workspace: Workspace
    /// Buffers and thread count for decoding.
    package let decoderWorkspace: DecoderWorkspace

    package var model: SentenceVAE { file.model }
    package var vocabulary: Vocabulary { file.vocabulary }
    package var latent: Int { file.model.config.latent }
    /// A language model with no latent at all (Z = 0, no classes: `train --baseline lm`): it samples, scores and
    /// evaluates sentences, but has no code to encode a sentence to, reconstruct from or walk along.
    package var isLanguageModel: Bool { file.model.config.code == 0 }
    package var threads: Int { workspace.threads }
    /// What scoring computes the output layer in: "bfloat16" on AMD CPUs with AVX-512 BF16 (`BF16OutputLayer`),
    /// else "float32".
    package var scoringPrecision: String { workspace.outputLayer == nil ? "float32" : "bfloat16" }

    /// - Parameter threads: threads for matrix products and the other parallel loops.
    package init(file: ModelFile, path: String = "model", threads: Int = Workspace.defaultThreads) throws {
        self.file = file
        self.path = path
        tokenizer = try Tokenizer(file.tokenizer)
        workspace = Workspace(threads: threads)
        decoderWorkspace = DecoderWorkspace(threads: threads)
        // The adaptive softmax's products are small already: bfloat16 is for the full output layer only.
        if BF16OutputLayer.available && file.model.config.adaptiveSoftmax == nil {
            let c = file.model.config
            let layer = file.model.withTensors { p in
                BF16OutputLayer(weight: p[.outputWeight], bias: p[.outputBias], vocabulary: c.vocabulary, hidden: c.hidden)
            }
            decoderWorkspace.outputLayer = layer
            if BF16OutputLayer.scores { workspace.outputLayer = layer }
        }
    }

    /// Throws for a language model (`isLanguageModel`), which cannot do `use` (such as "encode sentences").
    package func requireLatent(for use: String) throws {
        guard isLanguageModel else { return }
        throw TextVAEError.modelLacks(
            "\(path) is a language model without a latent (trained with --baseline lm): it can sample, "
                + "score and evaluate sentences but not \(use); give a model trained without --baseline")
    }

    /// Loads OpenBLAS and the model file at `path`; errors name the file and say what to do.
    package static func load(_ path: String, threads: Int = Workspace.defaultThreads) throws -> TrainedModel {
        try BLAS.load()
        return try TrainedModel(file: ModelFile.load(path), path: path, threads: threads)
    }

    /// The sentence's tokens as the model sees them: ids, cut to the reading limit (`ModelInput.longest`).
    package func tokens(_ sentence: String) throws -> [Int32] {
        Array(vocabulary.ids(try tokenizer.tokenize(sentence)).prefix(ModelInput.longest))
    }

    /// The sentence's tokens that are not in the vocabulary (they become `<unk>`).
    package func unknownWords(_ sentence: String) throws -> [String] {
        try tokenizer.tokenize(sentence).filter { !vocabulary.knows($0) }
    }

    /// A note for the user when `sentence` has words the model does not know (other than those
    /// `except` accepts, such as the blanks of `impute`), else nil.
    package func unknownWordsNote(_ sentence: String, except: (String) -> Bool = { _ in false }) throws -> String? {
        let unknown = try unknownWords(sentence).filter { !except($0) }
        return unknown.isEmpty ? nil : "note: not in the model's vocabulary, read as <unk>: \(unknown.joined(separator: " "))"
    }

    /// The tokens of `sentence`, or an error that says what is wrong with it.
    package func requireTokens(_ sentence: String, what: String = "the sentence") throws -> [Int32] {
        let ids = try tokens(sentence)
        if ids.isEmpty { throw TextVAEError.invalidInput("\(what) '\(sentence)' has no words; give a sentence with at least one word") }
        return ids
    }

    /// Sentences given one per element (`name` is what they are called in messages), as `ModelInput` reads them.
    package func input(lines: [String], name: String) throws -> ModelInput {
        try ModelInput(lines: lines, name: name, tokenizer: tokenizer, vocabulary: vocabulary)
    }

    /// The sentences of a file (or standard input for "-"), with one warning per kind of problem in `input.warnings`.
    package func readInput(_ path: String, paragraphs: Bool = false) throws -> ModelInput {
        try ModelInput.read(path, tokenizer: tokenizer, vocabulary: vocabulary, paragraphs: paragraphs)
    }

    /// Posterior means μ (N × Z) of non-empty token sequences, from the encoder alone.
    package func means(_ sentences: [[Int32]]) -> [Float] {
        encode(sentences).mu
    }

    /// μ and log σ² of each sentence.
    package func encode(_ sentences: [[Int32]]) -> Posteriors {
        model.encode(sentences, workspace: workspace)
    }

    /// A sentence decoded from each z (N × Z; see `SentenceVAE.decode`, which says what `rowSeeds` and `stop` do);
    /// in a model with classes, with the class vectors `classes` (N × K; nil: the average class, see `codes`).
    package func decode(
        _ z: [Float], classes: [Float]? = nil, options: DecodingOptions = DecodingOptions(), rowSeeds: [UInt64]? = nil,
        stop: (() -> Bool)? = nil
    ) -> [[Hypothesis]] {
        model.decode(codes(z, classes: classes), options: options, rowSeeds: rowSeeds, workspace: decoderWorkspace, stop: stop)
    }

    /// Ids back to display text.
    package func text(_ ids: [Int32]) -> String {
        vocabulary.text(ids)
    }

    /// An input sentence as the model sees it: unknown words (with subwords, unknown characters) shown as <unk>.
    package func text(_ sentence: ModelInput.Sentence) -> String {
        if vocabulary.subwords != nil { return vocabulary.text(sentence.ids) }
        return Detokenizer.join(zip(sentence.tokens, sentence.ids).map { $1 == Int32(Vocabulary.unk) ? "<unk>" : $0 })
    }
}
