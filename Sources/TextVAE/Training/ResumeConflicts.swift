/// The flags of a resumed run that ask for something the run cannot change: its
/// data and how it is read, its tokenizer, its model's sizes and its optimiser
/// settings. A flag counts as given when it differs from its default.
enum ResumeConflicts {
    /// One message naming every conflicting flag, or nil.
    static func find(_ requested: TrainingPlan, in checkpoint: Checkpoint) -> String? {
        let defaults = TrainingPlan(corpus: requested.corpus)
        var found: [String] = []
        func check<T: Equatable>(_ flag: String, _ keyPath: KeyPath<TrainingPlan, T>, run: T) {
            let given = requested[keyPath: keyPath]
            if given != defaults[keyPath: keyPath] && given != run { found.append("\(flag) \(shown(given)) (the run has \(shown(run)))") }
        }
        let model = checkpoint.file.model.config, tokenizer = checkpoint.file.tokenizer
        let options = checkpoint.options, data = checkpoint.data
        check("--embedding", \.model.embedding, run: model.embedding)
        check("--hidden", \.model.hidden, run: model.hidden)
        check("--latent", \.model.latent, run: model.latent)
        check("--latent-to-inputs", \.model.latentToInputs, run: model.latentToInputs)
        check("--max-length", \.model.maxLength, run: model.maxLength)
        check("--tokenizer", \.tokenizer.name, run: tokenizer.name)
        check("--locale", \.tokenizer.locale, run: tokenizer.locale)
        check("--keep-case", \.tokenizer.lowercase, run: tokenizer.lowercase)
        check("--lr", \.options.learningRate, run: options.learningRate)
        check("--batch-size", \.options.batchSize, run: options.batchSize)
        check("--clip", \.options.clip, run: options.clip)
        check("--word-dropout", \.options.wordDropout, run: options.wordDropout)
        check("--free-bits", \.options.freeBits, run: options.freeBits)
        check("--seed", \.options.seed, run: options.seed)
        check("--anneal, --k, --x0, --cycles, --ratio or --beta", \.options.schedule.shape, run: options.schedule.shape)
        check("--valid", \.data.valid, run: data.valid)
        check("--valid-fraction", \.data.validFraction, run: data.validFraction ?? requested.data.validFraction)
        check("--paragraphs", \.data.paragraphs, run: data.paragraphs ?? requested.data.paragraphs)
        check("--skip-invalid", \.data.skipInvalid, run: data.skipInvalid ?? requested.data.skipInvalid)
        check("--vocab", \.data.vocabularyFile, run: nil)
        check("--min-count", \.data.minCount, run: defaults.data.minCount)
        check("--max-size", \.data.maxSize, run: defaults.data.maxSize)
        guard !found.isEmpty else { return nil }
        return "cannot change on resume: " + found.joined(separator: "; ")
            + ". A resumed run keeps its data, tokenizer, vocabulary, model sizes and optimiser settings; "
            + "leave these flags out, or start a new run (with another -o, or --overwrite)"
    }

    private static func shown<T>(_ value: T) -> String {
        if let optional = value as? String? { return optional.map { "'\($0)'" } ?? "none" }
        return "\(value)"
    }
}

extension KLSchedule {
    /// The schedule without the run length a cyclical one is stretched over (which `--epochs` may change).
    var shape: KLSchedule {
        if case .cyclical(let cycles, let ratio, _) = self { return .cyclical(cycles: cycles, ratio: ratio, totalSteps: 0) }
        return self
    }
}
