/// Everything that shapes a training run besides the data and model sizes.
/// Stored in checkpoints so that `--resume` continues the same run.
package struct TrainingOptions: Codable, Equatable, Sendable {
    package var epochs = 10
    package var batchSize = 32
    package var learningRate: Float = 1e-3
    /// Global gradient-norm clip.
    package var clip: Float = 5
    /// Probability of replacing a decoder input word by `<unk>`.
    package var wordDropout: Float = 0.25
    /// The KL schedule in updates (counted after any pretraining). A new run places it in its plan from
    /// `annealing` (`placed(batchesPerEpoch:plannedUpdates:)`); a run without a request keeps it as set here.
    package var schedule: KLSchedule = .logistic(k: KLSchedule.defaultK, x0: KLSchedule.defaultX0)
    /// The schedule as asked for, placed in the run's plan once its length is known; nil: `schedule` as set.
    package var annealing: AnnealingRequest?
    /// The updates after any pretraining that the schedule was placed in: the epochs' updates, or fewer
    /// when a time limit allows fewer (measured in the run's first updates). nil: not placed.
    package var plannedUpdates: Int?
    /// Hold the KL at this many nats per sentence by steering β with a feedback controller (`KLController`)
    /// instead of following `schedule`; nil: off. The schedule still says from which update epochs compete.
    package var klTarget: Double?
    /// The KL term, or an adversarial prior in its place (its weight then follows the same schedule).
    package var regulariser = LatentRegulariser.kl
    /// Free bits λ per latent dimension (0 = off). This default and the learning-rate decay's are the Penn
    /// Treebank measurements' best (the Results article's table); `reference` turns them off.
    package var freeBits: Float = 0.25
    /// Noise on what the encoder reads (`InputNoise`, a denoising autoencoder's); nil: none.
    package var inputNoise: InputNoise?
    /// Dropout on the decoder's input embeddings, per element, in training only (0 = off: within 10 epochs
    /// on the Penn Treebank it slowed learning more than it curbed overfitting).
    package var embeddingDropout: Float = 0
    /// Dropout on the decoder's states before the output layer, per element, in training only (0 = off).
    package var outputDropout: Float = 0
    /// When an epoch does not improve the validation −ELBO, the learning rate is multiplied by this
    /// (1 = never changed); `patience` such epochs in a row stop the run.
    package var learningRateDecay: Float = 0.5
    /// Autoencoder pretraining (Li et al. 2019): the first this many of the epochs train with z = μ and no KL
    /// term; then the decoder (W_zh, its GRU and the output layer) starts again from fresh weights, the KL
    /// schedule starts from 0, and the best model is chosen from the epochs after (0 = off).
    package var pretrainEpochs = 0
    /// Models with classes (`ClassLatent`): α, the weight of −log q(y|x) for labelled sentences; γ and C, the
    /// weight and capacity (nats) of the class KL of unlabelled ones (C = 0: γ · KL; Dupont 2018's γ |KL − C|
    /// otherwise); the Gumbel-softmax temperature, annealed linearly from `temperature` to `finalTemperature`
    /// over the run's updates.
    package var labelWeight: Float = 1
    package var classWeight: Float = 1
    package var classCapacity: Float = 0
    package var temperature: Float = 1
    package var finalTemperature: Float = 0.5
    package var seed: UInt64 = 0
    /// Stop after this many epochs without a better validation −ELBO (0 = never).
    package var patience = 3
    /// Checkpoint every this many updates (0 = only at epoch ends) ...
    package var checkpointSteps = 0
    /// ... and at least every this many minutes (0 = off).
    package var checkpointMinutes: Double = 5
    /// Stop cleanly, with a checkpoint and the best model, after this many minutes (0 = no limit).
    package var timeLimitMinutes: Double = 0
    /// A metrics-log row every this many updates.
    package var logSteps = 50

    package init() {}

    /// The largest `klTarget`: far above any sentence's information, far below overflow.
    package static let largestKLTarget = 10_000.0

    /// The PyTorch reference's settings (and textvae 0.3's defaults): no free bits, no decoder dropout, no
    /// learning-rate decay, no pretraining. The benchmarks against the reference train with these.
    package static var reference: TrainingOptions {
        var o = TrainingOptions()
        o.freeBits = 0
        o.embeddingDropout = 0
        o.outputDropout = 0
        o.learningRateDecay = 1
        o.pretrainEpochs = 0
        return o
    }

    /// Options saved by a textvae without some of today's settings read as that textvae ran: those settings off.
    package init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func value<T: Decodable>(_ key: CodingKeys, or fallback: T) throws -> T { try c.decodeIfPresent(T.self, forKey: key) ?? fallback }
        epochs = try c.decode(Int.self, forKey: .epochs)
        batchSize = try c.decode(Int.self, forKey: .batchSize)
        learningRate = try c.decode(Float.self, forKey: .learningRate)
        clip = try c.decode(Float.self, forKey: .clip)
        wordDropout = try c.decode(Float.self, forKey: .wordDropout)
        schedule = try c.decode(KLSchedule.self, forKey: .schedule)
        annealing = try value(.annealing, or: nil)
        plannedUpdates = try value(.plannedUpdates, or: nil)
        klTarget = try value(.klTarget, or: nil)
        regulariser = try value(.regulariser, or: .kl)
        freeBits = try c.decode(Float.self, forKey: .freeBits)
        inputNoise = try value(.inputNoise, or: nil)
        embeddingDropout = try value(.embeddingDropout, or: 0)
        outputDropout = try value(.outputDropout, or: 0)
        learningRateDecay = try value(.learningRateDecay, or: 1)
        pretrainEpochs = try value(.pretrainEpochs, or: 0)
        labelWeight = try value(.labelWeight, or: 1)
        classWeight = try value(.classWeight, or: 1)
        classCapacity = try value(.classCapacity, or: 0)
        temperature = try value(.temperature, or: 1)
        finalTemperature = try value(.finalTemperature, or: 0.5)
        seed = try c.decode(UInt64.self, forKey: .seed)
        patience = try c.decode(Int.self, forKey: .patience)
        checkpointSteps = try c.decode(Int.self, forKey: .checkpointSteps)
        checkpointMinutes = try c.decode(Double.self, forKey: .checkpointMinutes)
        timeLimitMinutes = try c.decode(Double.self, forKey: .timeLimitMinutes)
        logSteps = try c.decode(Int.self, forKey: .logSteps)
    }

    /// The options with the schedule placed in a run of `plannedUpdates` updates after pretraining (the
    /// epochs' updates when nil): from `annealing` when there is a request, else a cyclical schedule's length
    /// set to match (the others are fixed in updates).
    package func placed(batchesPerEpoch: Int, plannedUpdates: Int? = nil) -> TrainingOptions {
        let planned = plannedUpdates ?? epochUpdates(batchesPerEpoch: batchesPerEpoch)
        guard let annealing else { return withScheduleLength(batchesPerEpoch: batchesPerEpoch) }
        var o = self
        o.schedule = annealing.schedule(plannedUpdates: planned)
        o.plannedUpdates = planned
        return o
    }

    /// The updates of the epochs after any pretraining, `batchesPerEpoch` an epoch.
    package func epochUpdates(batchesPerEpoch: Int) -> Int { (epochs - pretrainEpochs) * batchesPerEpoch }

    /// The number of updates after which the last one made was at the final β; the epochs that end there or
    /// later are the ones compared for the best model, and counted by patience and learning-rate decay.
    package func annealedStep(batchesPerEpoch: Int) -> Int {
        pretrainEpochs * batchesPerEpoch + schedule.annealedStep + 1
    }

    /// The options with a cyclical schedule's length set to the epochs after any pretraining, of
    /// `batchesPerEpoch` updates (the other schedules do not depend on the run's length).
    package func withScheduleLength(batchesPerEpoch: Int) -> TrainingOptions {
        guard case .cyclical(let cycles, let ratio, _) = schedule else { return self }
        var o = self
        o.schedule = .cyclical(cycles: cycles, ratio: ratio, totalSteps: (epochs - pretrainEpochs) * batchesPerEpoch)
        return o
    }

    /// The Gumbel-softmax temperature for the update made after `step` of `totalSteps` updates.
    package func gumbelTemperature(step: Int, totalSteps: Int) -> Float {
        let progress = Float(min(step, max(1, totalSteps))) / Float(max(1, totalSteps))
        return temperature + (finalTemperature - temperature) * progress
    }

    /// Whether `epoch` (counted from 0) is one of the autoencoder pretraining epochs.
    package func isPretraining(epoch: Int) -> Bool { epoch < pretrainEpochs }

    /// β for the update made after `step` updates: 0 while pretraining, then the schedule counted from the
    /// end of pretraining (`batchesPerEpoch` updates an epoch).
    package func beta(step: Int, epoch: Int, batchesPerEpoch: Int) -> Float {
        isPretraining(epoch: epoch) ? 0 : schedule.beta(step: max(0, step - pretrainEpochs * batchesPerEpoch))
    }
}

extension TrainingOptions {
    /// What makes these options unusable (read from a damaged or hand-edited checkpoint), or nil. The ranges of
    /// the settings with a flag are those of `settings`; the rest are relations between settings.
    package var problem: String? {
        if let bad = invalidSetting { return "\(bad.name) \(bad.value(self)) (\(bad.requirement))" }
        if pretrainEpochs >= epochs { return "pretraining epochs \(pretrainEpochs) (fewer than the \(epochs) epochs)" }
        if logSteps < 1 { return "log steps \(logSteps) (at least 1)" }
        if let plannedUpdates, plannedUpdates < 0 { return "planned updates \(plannedUpdates)" }
        return annealing?.problem ?? schedule.problem
    }
}
