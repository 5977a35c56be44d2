import Foundation

/// The one way to start or resume a training run: read and tokenise the data,
/// build the vocabulary and the model (or load them from a checkpoint), and
/// hand back a `Trainer` ready to run. `textvae train` and `textvae bench` use it.
public enum TrainingRun {
    /// What a resumed run may be told anew.
    public struct Changes: Sendable {
        /// Train until this many epochs in all.
        public var epochs: Int?
        /// Write the best model here instead.
        public var output: String?
        /// Read the corpus from here (the same text, moved).
        public var corpus: String?
        /// How to read the files, for checkpoints that did not store it.
        public var fallbackData = DataSettings()

        public init() {}
    }

    /// Reads the plan's corpus, builds the vocabulary (written next to the model) and a new model.
    /// - Parameter note: one line each about the data and the model, for the user.
    public static func start(_ plan: TrainingPlan, threads: Int, note: (String) -> Void) throws -> Trainer {
        let started = Date()
        let tokenizer = try Tokenizer(plan.tokenizer)
        let vocabulary = try plan.data.vocabularyFile.map { try Vocabulary.load($0) }
        let (set, corpus) = try read(plan.corpus, plan.data, tokenizer: tokenizer, vocabulary: vocabulary,
                                     maxLength: plan.model.maxLength)
        let output = plan.output ?? (URL(fileURLWithPath: plan.corpus).deletingPathExtension().lastPathComponent + ".safetensors")
        try set.vocabulary.write(to: sibling(output, ".vocab.txt"))
        let trainer = newTrainer(set, plan, output: output, threads: threads)
        let config = trainer.checkpoint.file.model.config, data = plan.data
        note("corpus \(plan.corpus): \(set.train.count) training sentences, \(set.valid.count) validation"
             + (data.valid.map { " (\($0))" }
                ?? " (every \(TrainingSet.holdOutStride(validFraction: data.validFraction, sentences: corpus.sentences.count))th held out)")
             + ", \(set.truncated) cut to \(config.maxLength) tokens"
             + (corpus.skippedInvalid > 0 ? ", \(corpus.skippedInvalid) invalid lines skipped" : "")
             + "; tokenised in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        note("vocabulary \(set.vocabulary.count) (coverage \(String(format: "%.1f", 100 * set.vocabulary.coverage(of: corpus.sentences)))%); "
             + "model E \(config.embedding) H \(config.hidden) Z \(config.latent)\(config.latentToInputs ? " +z-inputs" : ""), "
             + "\(trainer.checkpoint.file.model.layout.total) parameters; \(BLAS.description(threads: threads))")
        return trainer
    }

    /// A new model of the plan's sizes over `set`'s vocabulary, with a fresh optimiser, at step 0.
    public static func newTrainer(_ set: TrainingSet, _ plan: TrainingPlan, output: String, threads: Int) -> Trainer {
        var config = plan.model
        config.vocabulary = set.vocabulary.count
        let model = SentenceVAE(config: config, seed: plan.options.seed)
        let batchesPerEpoch = (set.train.count + plan.options.batchSize - 1) / plan.options.batchSize
        let options = plan.options.withScheduleLength(batchesPerEpoch: batchesPerEpoch)
        var data = TrainingData(corpus: plan.corpus, valid: plan.data.valid, trainSentences: set.train.count,
                                validSentences: set.valid.count, fingerprint: TrainingData.fingerprint([set.train, set.valid]))
        data.paragraphs = plan.data.paragraphs
        data.skipInvalid = plan.data.skipInvalid
        data.validFraction = plan.data.validFraction
        let checkpoint = Checkpoint(file: ModelFile(model: model, vocabulary: set.vocabulary, tokenizer: plan.tokenizer),
                                    adam: Adam(parameterCount: model.layout.total, learningRate: options.learningRate),
                                    state: TrainingState(seed: options.seed), options: options, data: data, output: output)
        return Trainer(checkpoint: checkpoint, train: set.train, valid: set.valid, threads: threads)
    }

    /// Loads a checkpoint and re-reads its data exactly as the run first read it; refuses data that differ.
    public static func resume(_ path: String, changes: Changes, threads: Int, note: (String) -> Void) throws -> Trainer {
        var checkpoint = try Checkpoint.load(path)
        if let epochs = changes.epochs { checkpoint.options.epochs = epochs }
        if let output = changes.output { checkpoint.output = output }
        let stored = checkpoint.data
        var data = changes.fallbackData
        data.valid = stored.valid
        data.paragraphs = stored.paragraphs ?? data.paragraphs
        data.skipInvalid = stored.skipInvalid ?? data.skipInvalid
        data.validFraction = stored.validFraction ?? data.validFraction
        let corpusPath = changes.corpus ?? stored.corpus
        let (set, _) = try read(corpusPath, data, tokenizer: try Tokenizer(checkpoint.file.tokenizer),
                                vocabulary: checkpoint.file.vocabulary, maxLength: checkpoint.file.model.config.maxLength)
        guard TrainingData.fingerprint([set.train, set.valid]) == stored.fingerprint else {
            throw TextVAEError("\(corpusPath) is not the corpus this checkpoint was trained on (or it changed); "
                               + "resume with the same corpus, or start a new run")
        }
        note("resuming \(path) at epoch \(checkpoint.state.epoch + 1), step \(checkpoint.state.step)")
        return Trainer(checkpoint: checkpoint, train: set.train, valid: set.valid, threads: threads)
    }

    /// The corpus (and validation file) read, tokenised and turned into ids; the same for new and resumed runs.
    /// - Parameter vocabulary: the vocabulary to use, or nil to build one from the training sentences.
    public static func read(_ corpusPath: String, _ data: DataSettings, tokenizer: Tokenizer, vocabulary: Vocabulary?,
                            maxLength: Int) throws -> (TrainingSet, Corpus) {
        let corpus = try Corpus.read(corpusPath, tokenizer: tokenizer, paragraphs: data.paragraphs, skipInvalid: data.skipInvalid)
        let valid = try data.valid.map {
            try Corpus.read($0, tokenizer: tokenizer, paragraphs: data.paragraphs, skipInvalid: data.skipInvalid)
        }
        let set = try TrainingSet(corpus: corpus, validCorpus: valid, validFraction: data.validFraction, vocabulary: vocabulary,
                                  minCount: data.minCount, maxSize: data.maxSize, maxLength: maxLength, corpusName: corpusPath)
        return (set, corpus)
    }
}
