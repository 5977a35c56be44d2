import ArgumentParser
import Foundation
import TextVAE

enum AnnealName: String, ExpressibleByArgument, CaseIterable { case logistic, linear, cyclical, constant }

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a sentence VAE on a text file (one sentence per line).",
        discussion: """
            Tokenises the corpus, builds the vocabulary, holds out validation sentences,
            and trains; the best model (lowest validation −ELBO) is written to --output,
            with a checkpoint, a metrics log (JSON lines) and the vocabulary beside it:
              model.safetensors             the model: sample, interpolate, evaluate
              model.checkpoint.safetensors  resume with: textvae train --resume FILE
              model.metrics.jsonl           one row per 50 steps and per epoch
              model.vocab.txt               token<TAB>count

            Examples:
              textvae train corpus.txt -o model.safetensors
              textvae train ptb/train.txt --valid ptb/valid.txt --tokenizer whitespace
              textvae train corpus.txt --time-limit 3      # stop after 3 minutes
              textvae train --resume model.checkpoint.safetensors

            If the KL term collapses to zero (the decoder ignores z), try slower
            annealing (--x0 5000), more word dropout (--word-dropout 0.5) or free bits
            (--free-bits 0.5). Ctrl-C saves a checkpoint and says how to resume.
            """
    )

    @Argument(help: "Training corpus (UTF-8, one sentence per line). Not needed with --resume.")
    var corpus: String?

    @Option(name: .shortAndLong, help: "Where to write the model (default: the corpus's name with .safetensors, in the current folder).")
    var output: String?

    @Option(help: "Continue the run saved in this checkpoint.")
    var resume: String?

    @OptionGroup(title: "Data") var data: DataOptions
    @OptionGroup(title: "Model") var modelOptions: ModelOptions
    @OptionGroup(title: "Optimisation") var optimisation: OptimisationOptions
    @OptionGroup(title: "Tokenizer") var tokenization: TokenizerOptions

    @Flag(help: "Redraw the training curves to MODEL.curves.svg at the end of each epoch (see 'textvae plot').")
    var plot = false

    @Flag(name: .shortAndLong, help: "Print only errors and the final line.")
    var quiet = false

    @Flag(help: "Say which BLAS kernel is used, and more.")
    var verbose = false

    func validate() throws {
        if corpus == nil && resume == nil { throw ValidationError("give a corpus to train on, or --resume CHECKPOINT") }
        try data.check()
        try modelOptions.check()
        try optimisation.check()
    }

    func run() throws {
        BLAS.threads = optimisation.threads
        try BLAS.load()
        let display = TrainingDisplay(quiet: quiet)
        if verbose { display.line("BLAS: \(BLAS.description)") }
        Interruption.install()

        let trainer: Trainer
        if let resume {
            var cp = try Checkpoint.load(resume)
            if let epochs = optimisation.epochs { cp.options.epochs = epochs }
            if let output { cp.output = output }
            let tokenizer = try Tokenizer(cp.file.tokenizer)
            let corpusPath = corpus ?? cp.data.corpus
            let text = try Corpus.read(corpusPath, tokenizer: tokenizer, paragraphs: tokenization.paragraphs, skipInvalid: tokenization.skipInvalid)
            let validText = try cp.data.valid.map { try Corpus.read($0, tokenizer: tokenizer, skipInvalid: tokenization.skipInvalid) }
            let set = try TrainingSet(corpus: text, validCorpus: validText, validFraction: data.validFraction,
                                      vocabulary: cp.file.vocabulary, minCount: 1, maxSize: Int.max,
                                      maxLength: cp.file.model.config.maxLength, corpusName: corpusPath)
            guard TrainingData.fingerprint([set.train, set.valid]) == cp.data.fingerprint else {
                throw TextVAEError("\(corpusPath) is not the corpus this checkpoint was trained on (or it changed); "
                                   + "resume with the same corpus, or start a new run")
            }
            display.line("resuming \(resume) at epoch \(cp.state.epoch + 1), step \(cp.state.step)")
            trainer = Trainer(checkpoint: cp, train: set.train, valid: set.valid)
        } else {
            trainer = try startNewRun(corpus!, display)
        }
        let outcome = try trainer.run { event in
            display.show(event)
            if plot, case .epoch = event { CurvePlot.drawDuringTraining(trainer, warn: { display.show(.warning($0)) }) }
        }
        display.finish()
        let cp = trainer.checkpoint
        let best = cp.state.bestValidNELBO.map { String(format: "%.3f", $0) } ?? "n/a"
        print("\(outcome == .finished ? "finished" : outcome == .earlyStopped ? "stopped early" : "time limit reached"): "
              + "\(cp.state.step) steps; best validation −ELBO \(best); model \(trainer.modelPath); "
              + "metrics \(trainer.metricsPath)")
    }

    func startNewRun(_ corpus: String, _ display: TrainingDisplay) throws -> Trainer {
        let settings = tokenization.settings
        let tokenizer = try Tokenizer(settings)
        let started = Date()
        let text = try Corpus.read(corpus, tokenizer: tokenizer, paragraphs: tokenization.paragraphs, skipInvalid: tokenization.skipInvalid)
        let validText = try data.valid.map { try Corpus.read($0, tokenizer: tokenizer, paragraphs: tokenization.paragraphs, skipInvalid: tokenization.skipInvalid) }
        let vocabulary = try data.vocab.map { try Vocabulary.load($0) }
        let set = try TrainingSet(corpus: text, validCorpus: validText, validFraction: data.validFraction, vocabulary: vocabulary,
                                  minCount: data.minCount, maxSize: data.maxSize, maxLength: modelOptions.maxLength, corpusName: corpus)
        let output = self.output ?? (URL(fileURLWithPath: corpus).deletingPathExtension().lastPathComponent + ".safetensors")
        try set.vocabulary.write(to: sibling(output, ".vocab.txt"))
        let config = modelOptions.config(vocabulary: set.vocabulary.count)
        let model = SentenceVAE(config: config, seed: optimisation.seed)
        var options = optimisation.options
        if case .cyclical(let cycles, let ratio, _) = options.schedule {
            options.schedule = .cyclical(cycles: cycles, ratio: ratio, totalSteps: options.epochs * ((set.train.count + options.batchSize - 1) / options.batchSize))
        }
        display.line("corpus \(corpus): \(set.train.count) training sentences, \(set.valid.count) validation"
                     + (data.valid == nil ? " (every \(TrainingSet.holdOutStride(validFraction: data.validFraction, sentences: text.sentences.count))th held out)" : " (\(data.valid!))")
                     + ", \(set.truncated) cut to \(modelOptions.maxLength) tokens"
                     + (text.skippedInvalid > 0 ? ", \(text.skippedInvalid) invalid lines skipped" : "")
                     + "; tokenised in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        display.line("vocabulary \(set.vocabulary.count) (coverage \(String(format: "%.1f", 100 * set.vocabulary.coverage(of: text.sentences)))%); "
                     + "model E \(config.embedding) H \(config.hidden) Z \(config.latent)\(config.latentToInputs ? " +z-inputs" : ""), "
                     + "\(model.layout.total) parameters; \(BLAS.description)")
        let cp = Checkpoint(file: ModelFile(model: model, vocabulary: set.vocabulary, tokenizer: settings),
                            adam: Adam(parameterCount: model.layout.total, learningRate: options.learningRate),
                            state: TrainingState(seed: options.seed), options: options,
                            data: TrainingData(corpus: corpus, valid: data.valid, trainSentences: set.train.count,
                                               validSentences: set.valid.count, fingerprint: TrainingData.fingerprint([set.train, set.valid])),
                            output: output)
        return Trainer(checkpoint: cp, train: set.train, valid: set.valid)
    }
}

struct DataOptions: ParsableArguments {
    @Option(help: "Validation file (default: hold out a fraction of the corpus).")
    var valid: String?
    @Option(help: "Share of the corpus held out for validation when no --valid is given.")
    var validFraction = 0.05
    @Option(help: "Use this vocabulary file instead of building one.")
    var vocab: String?
    @Option(help: "Vocabulary: leave out tokens seen fewer times.")
    var minCount = 1
    @Option(help: "Vocabulary: at most this many words (plus 4 specials).")
    var maxSize = 20_000

    func check() throws {
        if !(validFraction > 0 && validFraction < 1) { throw ValidationError("--valid-fraction must be between 0 and 1, e.g. 0.05") }
        if minCount < 1 { throw ValidationError("--min-count must be at least 1") }
        if maxSize < 1 { throw ValidationError("--max-size must be at least 1") }
    }
}

struct ModelOptions: ParsableArguments {
    @Option(help: "Word embedding size E.") var embedding = 300
    @Option(help: "GRU state size H.") var hidden = 256
    @Option(help: "Latent size Z.") var latent = 16
    @Flag(help: "Also feed z to the decoder at every step.") var latentToInputs = false
    @Option(help: "Longest sentence in tokens; longer ones are cut.") var maxLength = 60

    func check() throws {
        for (name, v, limit) in [("--embedding", embedding, 8192), ("--hidden", hidden, 8192), ("--latent", latent, 4096), ("--max-length", maxLength, 10_000)]
        where v < 1 || v > limit {
            throw ValidationError("\(name) must be between 1 and \(limit), got \(v)")
        }
    }

    func config(vocabulary: Int) -> ModelConfig {
        ModelConfig(vocabulary: vocabulary, embedding: embedding, hidden: hidden, latent: latent,
                    latentToInputs: latentToInputs, maxLength: maxLength)
    }
}

struct OptimisationOptions: ParsableArguments {
    @Option(help: "Passes over the training data (default: 10; with --resume, the run's own unless given).") var epochs: Int?
    @Option(help: "Sentences per update.") var batchSize = 32
    @Option(help: "Adam learning rate.") var lr: Float = 1e-3
    @Option(help: "Clip the gradient's global norm to this.") var clip: Float = 5
    @Option(help: "Probability of replacing a decoder input word by <unk> (1 = input-less decoder).") var wordDropout: Float = 0.25
    @Option(help: "KL annealing: \(AnnealName.allCases.map(\.rawValue).joined(separator: ", ")).") var anneal: AnnealName = .logistic
    @Option(help: "Logistic annealing steepness k.") var k: Double = 0.0025
    @Option(help: "Logistic midpoint / linear length x0, in updates.") var x0: Double = 2500
    @Option(help: "Cyclical annealing: number of cycles.") var cycles = 4
    @Option(help: "Cyclical annealing: share of each cycle spent rising.") var ratio: Double = 0.5
    @Option(help: "Constant annealing: β.") var beta: Double = 1
    @Option(help: "Free bits λ per latent dimension (0 = off).") var freeBits: Float = 0
    @Option(help: "Random seed: the same seed and data give the same model.") var seed: UInt64 = 0
    @Option(help: "Stop after this many epochs without a better validation −ELBO (0 = never).") var patience = 3
    @Option(help: "Checkpoint every this many updates (0 = at epoch ends and by time only).") var checkpointSteps = 0
    @Option(help: "Checkpoint at least every this many minutes (0 = off).") var checkpointMinutes: Double = 5
    @Option(help: "Stop after this many minutes, keeping the best model (0 = no limit).") var timeLimit: Double = 0
    @Option(help: "Threads for matrix products (2 is fastest on an idle 2-core machine).") var threads = 2

    func check() throws {
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if batchSize < 1 || batchSize > 4096 { throw ValidationError("--batch-size must be between 1 and 4096") }
        if !(lr > 0 && lr < 10) { throw ValidationError("--lr must be a positive number such as 0.001") }
        if !(clip > 0) { throw ValidationError("--clip must be positive") }
        if !(wordDropout >= 0 && wordDropout <= 1) { throw ValidationError("--word-dropout must be between 0 and 1") }
        if !(freeBits >= 0 && freeBits.isFinite) { throw ValidationError("--free-bits must be 0 or more") }
        if !(k > 0) || !(x0 >= 0) { throw ValidationError("--k must be positive and --x0 not negative") }
        if cycles < 1 || !(ratio > 0 && ratio <= 1) { throw ValidationError("--cycles must be at least 1 and --ratio in (0, 1]") }
        if !(beta >= 0 && beta.isFinite) { throw ValidationError("--beta must be 0 or more") }
        if patience < 0 || checkpointSteps < 0 || !(checkpointMinutes >= 0) || !(timeLimit >= 0) {
            throw ValidationError("--patience, --checkpoint-steps, --checkpoint-minutes and --time-limit must not be negative")
        }
        if threads < 1 || threads > 256 { throw ValidationError("--threads must be between 1 and 256") }
    }

    var options: TrainingOptions {
        var o = TrainingOptions()
        o.epochs = epochs ?? 10; o.batchSize = batchSize; o.learningRate = lr; o.clip = clip; o.wordDropout = wordDropout
        switch anneal {
        case .logistic: o.schedule = .logistic(k: k, x0: x0)
        case .linear: o.schedule = .linear(x0: x0)
        case .cyclical: o.schedule = .cyclical(cycles: cycles, ratio: ratio, totalSteps: 0)
        case .constant: o.schedule = .constant(beta: beta)
        }
        o.freeBits = freeBits; o.seed = seed; o.patience = patience
        o.checkpointSteps = checkpointSteps; o.checkpointMinutes = checkpointMinutes; o.timeLimitMinutes = timeLimit
        return o
    }
}
