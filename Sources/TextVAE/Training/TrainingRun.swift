import Foundation

/// The one way to start or resume a training run: read and tokenise the data,
/// build the vocabulary and the model (or load them from a checkpoint), and
/// hand back a `Trainer` ready to run. `textvae train` and `textvae bench` use it.
package enum TrainingRun {
    /// What a resumed run is told: what may change (how long and how often), and the rest of
    /// the command line, to refuse what may not (data, tokenizer, sizes, optimiser settings).
    package struct Changes: Sendable {
        /// Train until this many epochs in all (a cyclical KL schedule is stretched to match).
        package var epochs: Int?
        package var patience: Int?
        package var timeLimitMinutes: Double?
        package var checkpointSteps: Int?
        package var checkpointMinutes: Double?
        /// Write the best model here instead.
        package var output: String?
        /// Read the corpus from here (the same text, moved).
        package var corpus: String?
        /// Where the run's validation file is now, if it moved (the data's fingerprint must still match).
        package var valid: String?
        /// Start even where another run left its files at `output` (they are replaced).
        package var overwrite = false
        /// The rest of the command line: the flags given and the plan they make (defaults where not given).
        /// A given flag whose value differs from the run's is refused.
        package var given: Set<FixedSetting> = []
        package var requested: TrainingPlan?

        package init() {}
    }

    /// Reads the plan's corpus through its token file (prepared next to the model, or reused when it is
    /// fresh; or the corpus is itself a token file), writes the vocabulary next to the model, and makes a new model.
    /// Refuses to start where an earlier run left its files, unless `plan.overwrite`.
    /// - Parameters:
    ///   - collective: the ranks training together; the leader prepares the token file and writes files.
    ///   - note: one line each about the data and the model, for the user.
    ///   - progress: how far the token file's preparation has read, when it is made.
    package static func start(
        _ plan: TrainingPlan, threads: Int, collective: any Collective = SingleProcess(),
        progress: (CorpusPreparation.Progress) -> Void = { _ in }, note: (String) -> Void
    ) throws -> Trainer {
        let started = Date()
        var plan = plan
        let files = RunFiles(model: plan.outputPath)
        try files.checkWritable()
        try files.refuseInputs(inputs(corpus: plan.corpus, plan.data), tokenFileCorpus: TokenFile.isTokenFile(plan.corpus))
        if !plan.overwrite { try refuseEarlierRun(files) }
        let read = try readCorpus(
            plan.corpus, &plan.data, tokenizer: &plan.tokenizer, maxLength: plan.model.maxLength,
            tokenFile: files.tokens, threads: threads, collective: collective, progress: progress)
        let set = read.set
        if let labels = set.labels, plan.model.classes > 0, plan.model.classes != labels.names.count {
            throw TextVAEError.conflict(
                "--classes \(plan.model.classes) is for training without labels; with labels, the classes are the "
                    + "\(labels.names.count) distinct labels (\(labels.names.prefix(10).joined(separator: ", "))): leave out --classes")
        }
        let freeBitsOff = !plan.freeBitsGiven && plan.options.freeBits > 0 && set.labels.map { $0.labelledTrain == $0.train.count } ?? false
        if freeBitsOff { plan.options.freeBits = 0 }
        try checkMemory(set, batchSize: plan.options.batchSize, vocabulary: set.vocabulary.count, resuming: false)
        if collective.isLeader {
            if plan.overwrite { files.removeEarlierRun() }
            try set.vocabulary.write(to: files.vocabulary)
        }
        let trainer = try newTrainer(set, plan, output: files.model, threads: threads, collective: collective)
        let config = trainer.checkpoint.file.model.config, data = plan.data
        let sentences = read.tokenFile.header.sentences, skipped = read.tokenFile.header.skippedInvalid
        note(
            "corpus \(plan.corpus): \(set.train.count) training sentences, \(set.valid.count) validation"
                + (data.valid.map { " (\($0))" }
                    ?? " (every \(HoldOut(fraction: data.validFraction, sentences: sentences).every)th held out)")
                + ", \(set.truncated) cut to \(config.maxLength) tokens"
                + (skipped > 0 ? ", \(skipped) invalid lines skipped" : "")
                + "; \(read.how) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        if let labels = set.labels {
            note(
                "labels: \(labels.names.count) classes (\(labels.names.prefix(12).joined(separator: ", "))\(labels.names.count > 12 ? ", …" : "")); "
                    + "\(labels.labelledTrain) of \(labels.train.count) training sentences labelled"
                    + (labels.labelledTrain < labels.train.count ? " (the others train semi-supervised, Kingma et al.'s M2)" : "")
                    + "; \(labels.valid.filter { $0 != nil }.count) of \(labels.valid.count) validation sentences labelled"
                    + (labels.unknownValid > 0 ? " (\(labels.unknownValid) with labels unseen in training, read as unlabelled)" : "")
                    + (freeBitsOff ? "; free bits off, as every training sentence is labelled (--free-bits sets them)" : ""))
        } else if config.classes > 0 {
            note("no labels: \(config.classes) classes learned unsupervised beside z (JointVAE)")
        }
        if plan.mayAdvisePreset, let advised = TrainingPreset.advised(trainingSentences: set.train.count) {
            note(
                "tip: for a corpus of this size, --preset \(advised.rawValue) (\(advised.flags)) trains a better model than these "
                    + "defaults: on the Penn Treebank's 29,727 sentences, 2.5 nats lower NLL in 10 epochs")
        }
        let coverage = read.tokenFile.header.coverage
        let kind = set.vocabulary.subwords.map { " subword pieces and \($0.merges.count) merges" } ?? ""
        let unknown = Vocabulary.unknownShare(set.valid)
        note(
            "vocabulary \(set.vocabulary.count)\(kind) (coverage \(String(format: "%.1f", 100 * coverage))%, "
                + "validation <unk> \(String(format: "%.1f", 100 * unknown))%); "
                + "model \(config.cell.displayName) E \(config.embedding) H \(config.hidden) Z \(config.latent)"
                + "\(config.classes > 0 ? " K \(config.classes)" : "")\(config.latentToInputs ? " +z-inputs" : "")\(config.tiedEmbeddings ? " tied" : "")\(config.bidirectional ? " bidirectional encoder" : "")"
                + "\(config.adaptiveSoftmax.map { " adaptive softmax (cutoffs \($0.cutoffs.map(String.init).joined(separator: ",")))" } ?? ""), "
                + "\(trainer.checkpoint.file.model.layout.total) parameters; \(BLAS.description(threads: threads))"
                + (trainer.workspace.trainingProducts != nil ? "; \(BF16OutputLayer.trainingDescription)" : "")
                + (collective.size > 1 ? "; \(collective.size) ranks" : ""))
        note(
            planLine(
                trainer.checkpoint.options, batchesPerEpoch: trainer.batchesPerEpoch, autoEpochs: plan.autoEpochs,
                hasLatent: trainer.checkpoint.file.model.config.code > 0))
        return trainer
    }

    /// The run's plan in one line: updates, epochs, and when β reaches its final value (for a model with a latent).
    static func planLine(_ options: TrainingOptions, batchesPerEpoch B: Int, autoEpochs: Bool, hasLatent: Bool = true) -> String {
        let annealed = options.annealedStep(batchesPerEpoch: B), total = options.epochs * B
        let pretraining = options.pretrainEpochs > 0 ? ", the first \(options.pretrainEpochs) pretraining the autoencoder" : ""
        let when =
            !hasLatent
            ? "a language model (no latent, so no KL term to anneal): the epoch with the lowest validation NLL is kept"
            : options.klTarget.map { target in
                "β steered to hold the KL at \(String(format: "%g", target)) nats (a feedback controller); "
                    + (annealed < total
                        ? "the best epoch from update \(annealed) (\(100 * annealed / max(1, total))%, epoch \(annealed / max(1, B) + 1)) on is kept"
                        : "the model kept is the last one (--x0 sets when epochs start to compete)")
            }
                ?? (annealed < total
                    ? "β reaches its final value at update \(annealed) (\(100 * annealed / max(1, total))%, epoch \(annealed / max(1, B) + 1)); "
                        + "the best epoch from there on is kept"
                    : "β reaches its final value only at update \(annealed), after the run: the model kept is the last one; "
                        + "train longer (--epochs) or anneal sooner (--x0 30%)")
        return "plan: \(total) updates, \(options.epochs) epochs of \(B)\(autoEpochs ? " (--epochs auto)" : "")\(pretraining); " + when
            + (options.timeLimitMinutes > 0 ? "; within the time limit of \(options.timeLimitMinutes) minutes" : "")
    }

    /// What `readCorpus` read, and how ("tokenised", "read from its token file").
    struct ReadCorpus {
        var set: TrainingSet
        var tokenFile: TokenFile
        var how: String
    }

    /// The run's sentences from the token file `tokenFile` (prepared from the text when missing or stale,
    /// by the leader first; another machine's rank without a shared folder prepares its own), or from the
    /// corpus itself when it is a token file, whose tokenizer and hold-out then become the run's.
    static func readCorpus(
        _ corpus: String, _ data: inout DataSettings, tokenizer: inout TokenizerSettings, maxLength: Int,
        tokenFile tokensPath: String, threads: Int, collective: any Collective,
        progress: (CorpusPreparation.Progress) -> Void
    ) throws -> ReadCorpus {
        if data.hasLabels && data.paragraphs {
            throw TextVAEError.conflict("labels belong to lines: leave out --paragraphs when training with labels")
        }
        var validLabels: [String]?
        /// The validation file, read as the corpus was: with labels when the corpus has them (in its columns;
        /// plain sentences when the corpus's labels are in a file of their own, which is the corpus's alone).
        func readValid(labels reading: TokenFile.LabelReading?) throws -> Corpus? {
            guard let path = data.valid else { return nil }
            guard let reading else {
                return try Corpus.read(
                    path, tokenizer: Tokenizer(tokenizer), paragraphs: data.paragraphs, skipInvalid: data.skipInvalid, threads: threads)
            }
            let valid = try LabelledCorpus.read(
                path, tokenizer: Tokenizer(tokenizer), columns: reading.labelsFile == nil ? reading.columns : LabelledLines.Columns(),
                labelsFile: nil, skipInvalid: data.skipInvalid)
            validLabels = valid.labels
            return Corpus(sentences: valid.sentences)
        }
        var file: TokenFile, how = "read from its token file", valid: Corpus?
        if TokenFile.isTokenFile(corpus) {
            if data.hasLabels {
                throw TextVAEError.conflict(
                    "\(corpus) is a token file, whose labels were fixed when it was prepared: leave out --label-column and "
                        + "--label-file (prepare it again with them to change its labels)")
            }
            file = try TokenFile.open(corpus)
            let recipe = file.header.recipe
            tokenizer = recipe.tokenizer
            data.paragraphs = recipe.paragraphs
            data.skipInvalid = recipe.skipInvalid
            if data.valid == nil, let fraction = recipe.heldOutFraction { data.validFraction = fraction }
            data.minCount = recipe.minCount
            data.maxSize = recipe.maxSize
            data.subwords = recipe.subwords
            valid = try readValid(labels: recipe.labels)  // as the token file's text was read
        } else {
            let labels =
                try data.hasLabels
                ? TokenFile.LabelReading(
                    columns: data.labelColumns ?? LabelledLines.Columns(),
                    labelsFile: data.labelsFile.map { try TokenFile.Source(path: $0) })
                : nil
            valid = try readValid(labels: labels)  // first: a mistake in it shows before minutes of tokenising
            let given = try data.vocabularyFile.map { try Vocabulary.load($0) }
            let recipe = TokenFile.Recipe(
                tokenizer: tokenizer, paragraphs: data.paragraphs, skipInvalid: data.skipInvalid,
                heldOutFraction: data.valid == nil ? data.validFraction : nil, minCount: data.minCount, maxSize: data.maxSize,
                subwords: data.subwords, vocabularyFile: given.map { TokenFile.fingerprint($0.fileText) }, labels: labels)
            var stale: String?  // why an earlier token file was not used, for the user
            func fresh() throws -> TokenFile? {
                guard let existing = try? TokenFile.open(tokensPath) else { return nil }
                stale = existing.staleness(source: try TokenFile.Source(path: corpus), recipe: recipe)
                return stale == nil ? existing : nil
            }
            func prepare() throws -> TokenFile {
                how = "tokenised once into \(tokensPath)" + (stale.map { " (the earlier one was stale: \($0))" } ?? "")
                return try CorpusPreparation.prepare(
                    corpus, to: tokensPath, recipe: recipe, vocabulary: given, threads: threads,
                    progress: progress)
            }
            if collective.isLeader {
                file = try fresh() ?? prepare()
                try collective.barrier()
            } else {
                try collective.barrier()
                file = try fresh() ?? prepare()
            }
        }
        let set = try TrainingSet(tokenFile: file, validCorpus: valid, validLabels: validLabels, maxLength: maxLength)
        return ReadCorpus(set: set, tokenFile: file, how: how)
    }

    /// A new model of the plan's sizes over `set`'s vocabulary, with a fresh optimiser, at step 0. Throws when
    /// the plan's adaptive softmax does not fit the vocabulary, or its tied embeddings the sizes.
    package static func newTrainer(
        _ set: TrainingSet, _ plan: TrainingPlan, output: String, threads: Int,
        collective: any Collective = SingleProcess()
    ) throws -> Trainer {
        var config = plan.model
        config.vocabulary = set.vocabulary.count
        config.softmaxCutoffs = try plan.softmax.cutoffs(vocabulary: config.vocabulary)
        if let problem = config.tyingProblem { throw TextVAEError.invalidInput(problem) }
        if let labels = set.labels { config.classes = labels.names.count }
        let model = SentenceVAE(config: config, seed: plan.options.seed)
        let batchesPerEpoch = (set.train.count + plan.options.batchSize - 1) / plan.options.batchSize
        var options = plan.options
        if plan.autoEpochs {
            options.epochs = options.pretrainEpochs + RunLength.planned(for: options.regulariser).epochs(batchesPerEpoch: batchesPerEpoch)
        }
        if let annealing = plan.annealing { options.annealing = annealing }
        options = options.placed(batchesPerEpoch: batchesPerEpoch)
        let data = TrainingData(corpus: plan.corpus, reading: plan.data, train: set.train, valid: set.valid, labels: set.labels)
        let file = ModelFile(model: model, vocabulary: set.vocabulary, tokenizer: plan.tokenizer, classNames: set.labels?.names)
        let checkpoint = Checkpoint(
            file: file, adam: Adam(parameterCount: model.layout.total, learningRate: options.learningRate),
            state: TrainingState(seed: options.seed), options: options, data: data, output: output)
        return Trainer(
            checkpoint: checkpoint, train: set.train, valid: set.valid, labels: set.labels, threads: threads,
            collective: collective)
    }

    /// Loads a checkpoint and re-reads its data exactly as the run first read it; refuses data that differ
    /// and flags that would change what may not change, applies the rest and says so in one line.
    package static func resume(
        _ path: String, changes: Changes, threads: Int, collective: any Collective = SingleProcess(),
        progress: (CorpusPreparation.Progress) -> Void = { _ in }, note: (String) -> Void
    ) throws -> Trainer {
        var checkpoint = try Checkpoint.load(path)
        if let requested = changes.requested,
            let refusal = ResumeConflicts.find(given: changes.given, requested: requested, in: checkpoint)
        {
            throw TextVAEError.conflict(refusal)
        }
        // Where the checkpoint lives, not where the stored path points from another folder: resuming
        // ../a/m.checkpoint.safetensors from run b's folder must not write over run b's files.
        checkpoint.output = changes.output ?? RunFiles.model(besideCheckpoint: path, stored: checkpoint.output)
        let files = RunFiles(model: checkpoint.output)
        let moved = !isSameFile(files.checkpoint, path)
        try files.checkWritable()
        let stored = checkpoint.data
        try files.refuseInputs(
            inputs(corpus: changes.corpus ?? stored.corpus, stored.reading(fallback: DataSettings())),
            tokenFileCorpus: TokenFile.isTokenFile(changes.corpus ?? stored.corpus))
        if moved && !changes.overwrite { try refuseEarlierRun(files) }
        let (set, batchesPerEpoch) = try readData(
            of: checkpoint, path, changes, tokenFile: files.tokens, threads: threads,
            collective: collective, progress: progress)
        try checkMemory(set, batchSize: checkpoint.options.batchSize, vocabulary: set.vocabulary.count, resuming: true)
        let applied = apply(changes, to: &checkpoint.options, batchesPerEpoch: batchesPerEpoch)
        if moved && changes.overwrite && collective.isLeader { files.removeEarlierRun(keeping: path) }
        note(
            "resuming \(path) at epoch \(checkpoint.state.epoch + 1), step \(checkpoint.state.step)"
                + (applied.isEmpty ? "" : "; changed: " + applied.joined(separator: ", ")))
        return Trainer(
            checkpoint: checkpoint, train: set.train, valid: set.valid, labels: set.labels, threads: threads,
            collective: collective)
    }

    /// The run's sentences, read as it first read them (from where they are now, if they moved), checked
    /// against the checkpoint's fingerprint; and the number of batches in an epoch.
    static func readData(
        of checkpoint: Checkpoint, _ path: String, _ changes: Changes, tokenFile: String, threads: Int,
        collective: any Collective, progress: (CorpusPreparation.Progress) -> Void
    ) throws -> (TrainingSet, Int) {
        let stored = checkpoint.data
        var data = stored.reading(fallback: changes.requested?.data ?? DataSettings())
        if let moved = changes.valid { data.valid = moved }
        let corpusPath = changes.corpus ?? stored.corpus
        for (file, flag) in [(corpusPath, "CORPUS"), (data.valid, "--valid FILE")] {
            if let file, !FileManager.default.fileExists(atPath: file) {
                throw TextVAEError.file(
                    file, "is where the run read its data, and it is not there any more",
                    fix: "if it moved, give its new place: textvae train --resume \(path) \(flag)")
            }
        }
        // The same recipe as at the start: the token file is reused when fresh, or made again (the same ids).
        var tokenizer = checkpoint.file.tokenizer
        let set = try readCorpus(
            corpusPath, &data, tokenizer: &tokenizer, maxLength: checkpoint.file.model.config.maxLength,
            tokenFile: tokenFile, threads: threads, collective: collective, progress: progress
        ).set
        let sameClasses = set.labels.map { $0.names == checkpoint.file.classNames } ?? true
        guard set.vocabulary == checkpoint.file.vocabulary, sameClasses,
            TrainingData.fingerprint(train: set.train, valid: set.valid, labels: set.labels) == stored.fingerprint
        else {
            throw TextVAEError.conflict(
                "\(corpusPath)\(data.valid.map { " with " + $0 } ?? "") is not the data this checkpoint was trained on "
                    + "(or it changed); resume with the same files, or start a new run")
        }
        let batchesPerEpoch = (set.train.count + checkpoint.options.batchSize - 1) / checkpoint.options.batchSize
        guard checkpoint.state.batchInEpoch <= batchesPerEpoch else {
            throw TextVAEError.file(
                path, "says batch \(checkpoint.state.batchInEpoch) of an epoch of \(batchesPerEpoch)",
                fix: "resume from an undamaged checkpoint written by 'textvae train', or start a new run")
        }
        return (set, batchesPerEpoch)
    }

    /// The files a run reads, as `RunFiles.refuseInputs` names them.
    static func inputs(corpus: String, _ data: DataSettings) -> [(path: String, role: String)] {
        [(corpus, "the corpus")]
            + [
                data.valid.map { ($0, "the --valid file") }, data.vocabularyFile.map { ($0, "the --vocab file") },
                data.labelsFile.map { ($0, "the --label-file file") },
            ].compactMap { $0 }
    }

    /// Refuses to write a run's files where an earlier run left its own, saying how to go on.
    static func refuseEarlierRun(_ files: RunFiles) throws {
        let earlier = files.earlierRun
        guard !earlier.isEmpty else { return }
        let resume =
            FileManager.default.fileExists(atPath: files.checkpoint)
            ? "continue it with 'textvae train --resume \(files.checkpoint)', " : ""
        throw TextVAEError.file(
            "\(earlier.joined(separator: ", ")) \(earlier.count == 1 ? "holds" : "hold") an earlier run; "
                + resume + "start over with --overwrite, or choose another -o")
    }

    /// Applies what a resumed run may change; describes each change ("epochs 4 → 6").
    static func apply(_ changes: Changes, to options: inout TrainingOptions, batchesPerEpoch: Int) -> [String] {
        var applied: [String] = []
        func set<T: Equatable>(_ name: String, _ keyPath: WritableKeyPath<TrainingOptions, T>, _ value: T?) {
            guard let value, options[keyPath: keyPath] != value else { return }
            applied.append("\(name) \(options[keyPath: keyPath]) → \(value)")
            options[keyPath: keyPath] = value
        }
        let schedule = options.schedule
        set("epochs", \.epochs, changes.epochs)
        options = options.withScheduleLength(batchesPerEpoch: batchesPerEpoch)
        if options.schedule != schedule, !applied.isEmpty { applied[applied.count - 1] += " (cyclical KL schedule stretched to match)" }
        set("patience", \.patience, changes.patience)
        set("time limit (minutes)", \.timeLimitMinutes, changes.timeLimitMinutes)
        set("checkpoint steps", \.checkpointSteps, changes.checkpointSteps)
        set("checkpoint minutes", \.checkpointMinutes, changes.checkpointMinutes)
        return applied
    }

    /// Refuses a run whose output layer alone would take more than half of the memory this process
    /// may use: the logits of the batch of the longest training sentences, or of a validation batch
    /// (validation scores 64 sentences at a time).
    static func checkMemory(_ set: TrainingSet, batchSize: Int, vocabulary V: Int, resuming: Bool) throws {
        // Targets (tokens + <eos>) of the `batch` longest of `count` sentences: a count of each length in one
        // pass, not a sort of millions.
        func targets(_ count: Int, _ length: (Int) -> Int, _ batch: Int) -> Int {
            var byLength: [Int] = []
            for i in 0..<count {
                let l = length(i)
                if l >= byLength.count { byLength += repeatElement(0, count: l + 1 - byLength.count) }
                byLength[l] += 1
            }
            var left = batch, total = 0
            for l in byLength.indices.reversed() where left > 0 {
                let taken = min(byLength[l], left)
                total += taken * (l + 1)
                left -= taken
            }
            return total
        }
        let positions = max(targets(set.train.count, set.train.length, batchSize), targets(set.valid.count, { set.valid[$0].count }, 64))
        let bytes = Double(positions) * Double(V) * 4 * 1.25  // float logits, in a buffer grown by a quarter
        let memory = MemoryLimit.bytes
        guard bytes > memory / 2 else { return }
        let fits = max(1, Int(Double(batchSize) * memory / 2 / bytes))
        let fix =
            resuming
            ? "this machine cannot resume the run; start a new one with --batch-size \(fits) or less, or a smaller --max-length"
            : "use --batch-size \(fits) or less, or a smaller --max-length"
        throw TextVAEError.invalidInput(
            String(
                format: "batches of %d sentences need about %.1f GB for the output layer's logits "
                    + "(%d target words × %d vocabulary entries), more than half of the %.1f GB this process may use; ",
                batchSize, bytes / 1e9, positions, V, memory / 1e9) + fix)
    }

    /// The corpus (and validation file) read, tokenised and turned into ids; the same for new and resumed runs.
    /// - Parameter vocabulary: the vocabulary to use, or nil to build one from the training sentences.
    package static func read(
        _ corpusPath: String, _ data: DataSettings, tokenizer: Tokenizer, vocabulary: Vocabulary?,
        maxLength: Int, threads: Int = Workspace.defaultThreads
    ) throws -> (TrainingSet, Corpus) {
        let corpus = try Corpus.read(
            corpusPath, tokenizer: tokenizer, paragraphs: data.paragraphs, skipInvalid: data.skipInvalid,
            threads: threads)
        let valid = try data.valid.map {
            try Corpus.read($0, tokenizer: tokenizer, paragraphs: data.paragraphs, skipInvalid: data.skipInvalid, threads: threads)
        }
        let set = try TrainingSet(
            corpus: corpus, validCorpus: valid, validFraction: data.validFraction, vocabulary: vocabulary,
            minCount: data.minCount, maxSize: data.maxSize, subwords: data.subwords, maxLength: maxLength,
            corpusName: corpusPath)
        return (set, corpus)
    }
}
