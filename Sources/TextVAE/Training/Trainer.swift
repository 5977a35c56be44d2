import Foundation

/// Trains a `SentenceVAE` as the Training article of the documentation catalog describes: mini-batches of
/// similar lengths, one z sample per sentence, word dropout, KL annealing,
/// Adam with global-norm clipping; validation −ELBO each epoch, the best
/// model kept, checkpoints that resume bit for bit.
public final class Trainer {
    public private(set) var checkpoint: Checkpoint
    let train: [[Int32]]
    let valid: [[Int32]]
    let workspace: Workspace
    var gradient: [Float]

    /// The files this run writes.
    public var files: RunFiles { RunFiles(model: checkpoint.output) }
    public var modelPath: String { checkpoint.output }
    public var checkpointPath: String { files.checkpoint }
    public var metricsPath: String { files.metrics }

    /// - Parameter threads: threads for the model's products and loops, the optimiser and the gradient norm.
    public init(checkpoint: Checkpoint, train: [[Int32]], valid: [[Int32]], threads: Int = Workspace.defaultThreads) {
        precondition(!train.isEmpty && !valid.isEmpty)
        workspace = Workspace(threads: threads)
        self.checkpoint = checkpoint
        self.train = train
        self.valid = valid
        gradient = [Float](repeating: 0, count: checkpoint.file.model.layout.total)
    }

    var options: TrainingOptions { checkpoint.options }

    public var batchesPerEpoch: Int { (train.count + options.batchSize - 1) / options.batchSize }

    /// The epoch's batches (indices into `train`) and the shuffling generator after drawing them.
    /// Shuffle, sort chunks of 50 batches by length (little work wasted on
    /// steps where few rows are active), then shuffle the batches.
    func epochBatches() -> ([[Int]], Random) {
        var rng = Random(state: checkpoint.state.shuffleState)
        var order = Array(train.indices)
        rng.shuffle(&order)
        let B = options.batchSize, chunk = B * 50
        var batches: [[Int]] = []
        for start in stride(from: 0, to: order.count, by: chunk) {
            let part = order[start..<min(order.count, start + chunk)].enumerated()
                .sorted { a, b in train[a.1].count != train[b.1].count ? train[a.1].count > train[b.1].count : a.0 < b.0 }
                .map(\.1)
            for s in stride(from: 0, to: part.count, by: B) { batches.append(Array(part[s..<min(part.count, s + B)])) }
        }
        rng.shuffle(&batches)
        return (batches, rng)
    }

    /// Runs until the epochs are done, validation stops improving, the time
    /// limit passes, or an interruption (which throws after saving a checkpoint).
    public func run(_ onEvent: (TrainingEvent) -> Void) throws -> TrainingOutcome {
        try BLAS.load()
        let log = MetricsLog(path: metricsPath)
        if checkpoint.state.step > 0 { try log.truncate(afterStep: checkpoint.state.step) }
        let runStart = Date()
        var lastCheckpoint = Date()
        var noise = Random(state: checkpoint.state.noiseState)

        while checkpoint.state.epoch < options.epochs {
            let (batches, nextShuffle) = epochBatches()
            var stepTimer = Date()
            while checkpoint.state.batchInEpoch < batches.count {
                if Interruption.requested != 0 {
                    checkpoint.state.noiseState = noise.state
                    try checkpoint.save(to: checkpointPath)
                    throw TextVAEError("interrupted at step \(checkpoint.state.step); checkpoint saved to \(checkpointPath); "
                                       + "resume with: textvae train --resume \(checkpointPath)")
                }
                if options.timeLimitMinutes > 0 && Date().timeIntervalSince(runStart) > options.timeLimitMinutes * 60 {
                    checkpoint.state.noiseState = noise.state
                    try finishEarly(log: log, onEvent)
                    return .timeLimit
                }
                let indices = batches[checkpoint.state.batchInEpoch]
                let (batch, result, beta, norm) = try update(indices.map { train[$0] }, noise: &noise)
                let now = Date()
                var st = checkpoint.state
                st.step += 1
                st.batchInEpoch += 1
                st.epochSentences += indices.count
                st.epochTokens += batch.targetCount
                st.epochRec += Double(result.rec.reduce(0, +))
                st.epochKL += Double(result.kl.reduce(0, +))
                st.epochSeconds += now.timeIntervalSince(stepTimer)
                checkpoint.state = st
                let progress = TrainingEvent.Step(
                    epoch: st.epoch + 1, batch: st.batchInEpoch, batches: batches.count, step: st.step,
                    rec: Double(result.rec.reduce(0, +)) / Double(indices.count), kl: Double(result.kl.reduce(0, +)) / Double(indices.count),
                    beta: beta, tokensPerSecond: Double(st.epochTokens) / max(st.epochSeconds, 1e-9))
                onEvent(.step(progress))
                if st.step % max(1, options.logSteps) == 0 {
                    try log.append(["kind": "step", "step": st.step, "epoch": Double(st.epoch) + Double(st.batchInEpoch) / Double(batches.count),
                                "rec": progress.rec, "kl": progress.kl, "beta": Double(beta), "loss": Double(result.loss),
                                "grad_norm": Double(norm), "tokens_per_s": progress.tokensPerSecond])
                }
                let dueBySteps = options.checkpointSteps > 0 && st.step % options.checkpointSteps == 0
                let dueByTime = options.checkpointMinutes > 0 && now.timeIntervalSince(lastCheckpoint) > options.checkpointMinutes * 60
                if dueBySteps || dueByTime {
                    checkpoint.state.noiseState = noise.state
                    try checkpoint.save(to: checkpointPath)
                    lastCheckpoint = Date()
                }
                stepTimer = Date()  // checkpoint writing is not training time
            }

            // End of epoch: validate, keep the best model, checkpoint.
            let improved = try validate(log: log, onEvent)
            checkpoint.state.epoch += 1
            checkpoint.state.batchInEpoch = 0
            checkpoint.state.shuffleState = nextShuffle.state
            checkpoint.state.noiseState = noise.state
            checkpoint.state.epochSentences = 0; checkpoint.state.epochTokens = 0
            checkpoint.state.epochRec = 0; checkpoint.state.epochKL = 0; checkpoint.state.epochSeconds = 0
            checkpoint.state.epochsWithoutImprovement = improved ? 0 : checkpoint.state.epochsWithoutImprovement + 1
            try checkpoint.save(to: checkpointPath)
            lastCheckpoint = Date()
            if options.patience > 0 && checkpoint.state.epochsWithoutImprovement >= options.patience
                && checkpoint.state.epoch < options.epochs {
                onEvent(.note("validation −ELBO has not improved for \(options.patience) epochs: stopping early"))
                return .earlyStopped
            }
        }
        return .finished
    }

    /// One optimiser update on `sentences`: draw ε and word dropout from
    /// `noise`, forward and backward, clip, Adam. Throws if the loss is not finite.
    public func update(_ sentences: [[Int32]], noise: inout Random) throws -> (Batch, BatchResult, beta: Float, norm: Float) {
        PhaseProfile.start()
        let Z = checkpoint.file.model.config.latent
        var batch = Batch(sentences)
        let eps = (0..<sentences.count * Z).map { _ in noise.normal() }
        batch.applyWordDropout(options.wordDropout, &noise)
        let beta = options.schedule.beta(step: checkpoint.state.step)
        let settings = LossSettings(beta: beta, freeBits: options.freeBits)

        gradient.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        PhaseProfile.lap(.batchAndNoise)
        let result = gradient.withUnsafeMutableBufferPointer { g in
            checkpoint.file.model.run(batch, latent: .sample(eps), loss: settings, gradient: g.baseAddress!, workspace: workspace)
        }
        let norm = gradientNorm(gradient, threads: workspace.threads)
        PhaseProfile.lap(.gradientNorm)
        guard result.loss.isFinite, norm.isFinite else {
            let saved = FileManager.default.fileExists(atPath: checkpointPath)
                ? "the last good checkpoint is \(checkpointPath) (resume with --resume)" : "no checkpoint was written yet"
            throw TextVAEError("training diverged at step \(checkpoint.state.step): the loss is \(result.loss); "
                               + "\(saved); try a lower --lr (now \(options.learningRate)) or a smaller --clip")
        }
        // Move the parameters out while Adam updates them: two inout accesses to
        // `checkpoint` at once would conflict. Swapping arrays copies nothing.
        var parameters: [Float] = []
        swap(&parameters, &checkpoint.file.model.parameters)
        checkpoint.adam.update(&parameters, gradient: gradient, gradientScale: clipScale(norm: norm, maxNorm: options.clip),
                                 threads: workspace.threads)
        swap(&parameters, &checkpoint.file.model.parameters)
        PhaseProfile.lap(.adam)
        return (batch, result, beta, norm)
    }

    /// The time limit hit mid-epoch: validate what we have, keep it if best, checkpoint.
    func finishEarly(log: MetricsLog, _ onEvent: (TrainingEvent) -> Void) throws {
        _ = try validate(log: log, onEvent)
        try checkpoint.save(to: checkpointPath)
        onEvent(.note("time limit of \(options.timeLimitMinutes) minutes reached at step \(checkpoint.state.step)"))
    }

    /// Validation −ELBO on the held-out sentences; writes the model when it is the best so far.
    func validate(log: MetricsLog, _ onEvent: (TrainingEvent) -> Void) throws -> Bool {
        var rng = Random(seed: options.seed &+ 0xA11D)  // the same ε every epoch: epochs compare fairly
        let scores = checkpoint.file.model.score(valid, batchSize: 64, rng: &rng, workspace: workspace)
        let st = checkpoint.state
        let nelbo = scores.meanNELBO
        let improved = nelbo.isFinite && nelbo < (st.bestValidNELBO ?? .infinity)
        let beta = options.schedule.beta(step: max(0, st.step - 1))
        if improved {
            checkpoint.state.bestValidNELBO = nelbo
            var file = checkpoint.file
            file.extraMetadata["producer"] = TextVAEVersion.producer
            file.extraMetadata["train_options"] = ModelFile.json(options)
            file.extraMetadata["step"] = String(st.step)
            file.extraMetadata["epoch"] = String(st.epoch + (st.batchInEpoch > 0 ? 1 : 0))
            file.extraMetadata["valid_nelbo"] = String(nelbo)
            try file.save(to: checkpoint.output)
        }
        let sentences = Double(max(1, st.epochSentences))
        let summary = TrainingEvent.Epoch(
            epoch: st.epoch + 1, step: st.step, trainRec: st.epochRec / sentences, trainKL: st.epochKL / sentences,
            valid: scores, seconds: st.epochSeconds, tokensPerSecond: Double(st.epochTokens) / max(st.epochSeconds, 1e-9),
            improved: improved, beta: beta)
        try log.append(["kind": "epoch", "step": st.step, "epoch": st.epoch + 1, "beta": Double(beta),
                    "train_rec": summary.trainRec, "train_kl": summary.trainKL, "train_nelbo": summary.trainRec + summary.trainKL,
                    "valid_rec": scores.meanRec, "valid_kl": scores.meanKL, "valid_nelbo": nelbo,
                    "valid_ppl": scores.elboPerplexity, "seconds": summary.seconds, "tokens_per_s": summary.tokensPerSecond])
        onEvent(.epoch(summary))
        if beta >= 0.5 && scores.meanKL < 0.5 && !checkpoint.state.collapseWarned {
            checkpoint.state.collapseWarned = true
            onEvent(.warning("the KL term is \(String(format: "%.3f", scores.meanKL)) nats: the posterior has collapsed (the decoder ignores z). "
                             + "Try slower annealing (--x0 larger), more word dropout (--word-dropout 0.5), or free bits (--free-bits 0.5)"))
        }
        return improved
    }
}
