/// The settings of a resumed run that ask for something the run cannot change (the ``FixedSetting``s). Only
/// those given on the command line count; each is compared with the value the run was started with (a setting
/// the checkpoint has no record of, from an older textvae, is let through).
enum ResumeConflicts {
    /// One message naming every conflicting flag with both values, or nil.
    static func find(given: Set<FixedSetting>, requested: TrainingPlan, in checkpoint: Checkpoint) -> String? {
        let found = given.sorted().compactMap { setting -> String? in
            guard let (asked, run) = values(setting, requested, checkpoint), asked != run else { return nil }
            return "\(setting.flag) \(asked) (the run has \(run))"
        }
        guard !found.isEmpty else { return nil }
        return "cannot change on resume: " + found.joined(separator: "; ")
            + ". A resumed run keeps its data, tokenizer, vocabulary, model sizes and optimiser settings; "
            + "leave these flags out, or start a new run (with another -o, or --overwrite)"
    }

    /// The value asked for and the run's, as text; nil for a setting the run has no record of.
    private static func values(_ setting: FixedSetting, _ asked: TrainingPlan, _ checkpoint: Checkpoint) -> (String, String)? {
        let model = checkpoint.file.model.config, tokenizer = checkpoint.file.tokenizer
        let options = checkpoint.options, data = checkpoint.data
        func pair(_ a: some Any, _ b: (some Any)?) -> (String, String)? { b.map { ("\(a)", "\($0)") } }
        switch setting {
        case .embedding: return pair(asked.model.embedding, model.embedding)
        case .hidden: return pair(asked.model.hidden, model.hidden)
        case .cell: return pair(asked.model.cell.rawValue, model.cell.rawValue)
        case .latent: return pair(asked.model.latent, model.latent)
        case .latentToInputs: return pair(asked.model.latentToInputs, model.latentToInputs)
        case .tieEmbeddings: return pair(asked.model.tiedEmbeddings, model.tiedEmbeddings)
        case .bidirectional: return pair(asked.model.bidirectional, model.bidirectional)
        case .maxLength: return pair(asked.model.maxLength, model.maxLength)
        case .tokenizer: return pair(asked.tokenizer.name.rawValue, tokenizer.name.rawValue)
        case .locale: return pair(asked.tokenizer.locale, tokenizer.locale)
        case .keepCase: return pair(!asked.tokenizer.lowercase, !tokenizer.lowercase)
        case .learningRate, .batchSize, .clip, .wordDropout, .freeBits, .embeddingDropout, .outputDropout, .learningRateDecay,
            .pretrainEpochs, .labelWeight, .classKLWeight, .classCapacity, .gumbelTemperature, .finalTemperature, .seed, .klTarget,
            .inputNoise, .regulariser:
            // Kept in the training options, and described there once.
            guard let described = TrainingOptions.setting(setting) else { preconditionFailure("\(setting.flag) is not described") }
            return (described.value(asked.options), described.value(options))
        case .classes: return pair(asked.model.classes, model.classes)
        case .softmax: return pair(asked.softmax.name, model.softmaxCutoffs.isEmpty ? "full" : "adaptive")
        case .softmaxCutoffs:
            func list(_ c: [Int]) -> String { c.isEmpty ? "none" : c.map(String.init).joined(separator: ",") }
            guard case .adaptive(let cutoffs?) = asked.softmax else { return nil }
            return (list(cutoffs), list(model.softmaxCutoffs))
        case .baseline: return pair(asked.model.code == 0 ? "lm" : "none", model.code == 0 ? "lm" : "none")
        case .labelColumn: return pair(asked.data.labelColumns?.label ?? 0, data.labelColumns.map { $0.label ?? 0 } ?? 0)
        case .textColumn: return pair(asked.data.labelColumns?.text ?? 0, data.labelColumns.map { $0.text ?? 0 } ?? 0)
        case .labelFile: return pair(asked.data.labelsFile ?? "none", data.labelsFile ?? "none")
        case .anneal, .k, .x0, .cycles, .ratio, .beta:
            let name = String(setting.flag.dropFirst(2))
            if let run = options.annealing, let request = asked.annealing { return (request.parameter(name), run.parameter(name)) }
            return (asked.options.schedule.parameter(name), options.schedule.parameter(name))
        case .validFraction: return pair(asked.data.validFraction, data.validFraction)
        case .paragraphs: return pair(asked.data.paragraphs, data.paragraphs)
        case .skipInvalid: return pair(asked.data.skipInvalid, data.skipInvalid)
        case .vocab:  // recorded together with --min-count (an absent file is recorded as none)
            return data.minCount == nil ? nil : (asked.data.vocabularyFile ?? "none", data.vocabularyFile ?? "none")
        case .minCount: return pair(asked.data.minCount, data.minCount)
        case .maxSize: return pair(asked.data.maxSize, data.maxSize)
        case .vocabType, .subwords:  // recorded together with --min-count, as --vocab is
            guard data.minCount != nil else { return nil }
            func kind(_ n: Int?) -> String { n.map { "bpe \($0)" } ?? "word" }
            return (kind(asked.data.subwords), kind(data.subwords))
        }
    }
}

extension KLSchedule {
    /// One parameter of the schedule as text, by its flag's name ("anneal", "k", "x0", "cycles",
    /// "ratio", "beta"); "none" for a parameter this kind of schedule does not have.
    func parameter(_ name: String) -> String {
        switch (self, name) {
        case (.logistic, "anneal"): "logistic"
        case (.linear, "anneal"): "linear"
        case (.cyclical, "anneal"): "cyclical"
        case (.constant, "anneal"): "constant"
        case (.logistic(let k, _), "k"): "\(k)"
        case (.logistic(_, let x0), "x0"), (.linear(let x0), "x0"): "\(x0)"
        case (.cyclical(let cycles, _, _), "cycles"): "\(cycles)"
        case (.cyclical(_, let ratio, _), "ratio"): "\(ratio)"
        case (.constant(let beta), "beta"): "\(beta)"
        default: "none"
        }
    }
}
