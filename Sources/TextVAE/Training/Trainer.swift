import Foundation

/// Trains a `SentenceVAE` as the Training article of the documentation catalog describes: mini-batches of
/// similar lengths, one z sample per sentence, word dropout, KL annealing,
/// Adam with global-norm clipping; validation −ELBO each epoch, the best
/// model kept, checkpoints that resume bit for bit.
package final class Trainer {
    package private(set) var checkpoint: Checkpoint
    let train: SentenceIDs
    let valid: [[Int32]]
    /// The sentences' classes, for a model trained with labels.
    let labels: SentenceLabels?
    let workspace: Workspace
    /// The ranks training this model together (one process: `SingleProcess`).
    package let collective: any Collective
    /// The gradient (one value per parameter), then the figures the ranks sum with it in the same call, then an
    /// adversarial prior's discriminator's gradient (`discriminatorGradientOffset`).
    var gradient: [Float]

    /// Seconds this rank spent in the gradient's sum over the ranks (and, with `parameterShares`, in gathering the
    /// norm's blocks and the parameters; waiting for the slowest included), and in updates in all: their ratio is
    /// what distribution costs.
    package private(set) var sumSeconds = 0.0, updateSeconds = 0.0, updateCount = 0
    /// How the ranks split the optimiser's step, or nil where every rank makes all of it (one process).
    package let parameterShares: ParameterShares?

    /// Where the figures summed with the gradient sit after it. `checkpointDue`: the leader's clock says a
    /// checkpoint is due, which every rank must know when each holds only its share of Adam's moments.
    enum Summed: Int, CaseIterable { case rec, kl, targets, loss, interrupted, timeLimit, checkpointDue }

    /// The files this run writes.
    package var files: RunFiles { RunFiles(model: checkpoint.output) }
    package var modelPath: String { checkpoint.output }
    package var checkpointPath: String { files.checkpoint }
    package var metricsPath: String { files.metrics }

    /// - Parameters:
    ///   - threads: threads for the model's products and loops, the optimiser and the gradient norm.
    ///   - collective: the ranks this one trains with: each computes its share of every batch; rank 0
    ///     alone writes the model, checkpoints and metrics, and reports events.
    ///   - labels: each training and validation sentence's class (nil where unknown), for a model with classes.
    package init(
        checkpoint: Checkpoint, train: SentenceIDs, valid: [[Int32]], labels: SentenceLabels? = nil,
        threads: Int = Workspace.defaultThreads, collective: any Collective = SingleProcess()
    ) {
        precondition(!train.isEmpty && !valid.isEmpty)
        precondition(labels == nil || labels!.train.count == train.count && labels!.valid.count == valid.count, "one label per sentence")
        precondition(labels == nil || checkpoint.file.model.config.classes == labels!.names.count, "one class per label")
        workspace = Workspace(threads: threads)
        if BF16OutputLayer.trains && checkpoint.file.model.config.adaptiveSoftmax == nil {
            workspace.trainingProducts = BF16OutputProducts()
        }
        self.checkpoint = checkpoint
        self.train = train
        self.valid = valid
        self.labels = labels
        self.collective = collective
        if checkpoint.options.regulariser == .adversarial && checkpoint.adversary == nil {
            precondition(checkpoint.file.model.config.latent > 0, "an adversarial prior needs a latent")
            self.checkpoint.adversary = AdversaryState(
                latent: checkpoint.file.model.config.latent, seed: checkpoint.options.seed &+ 0xAD5E,
                learningRate: checkpoint.options.learningRate)
        }
        gradient = [Float](
            repeating: 0,
            count: checkpoint.file.model.layout.total + Summed.allCases.count
                + (self.checkpoint.adversary?.discriminator.parameters.count ?? 0))
        parameterShares = ParameterShares.forRun(ranks: collective.size, parameters: checkpoint.file.model.layout.total)
    }

    /// Where the discriminator's gradient starts in `gradient`.
    var discriminatorGradientOffset: Int { checkpoint.file.model.layout.total + Summed.allCases.count }

    package convenience init(checkpoint: Checkpoint, train: [[Int32]], valid: [[Int32]], threads: Int = Workspace.defaultThreads) {
        self.init(checkpoint: checkpoint, train: SentenceIDs(train), valid: valid, threads: threads)
    }

    var options: TrainingOptions { checkpoint.options }

    /// Whether this rank has been asked to stop (Ctrl-C or SIGTERM: `Interruption`, process-wide). Tests give
    /// each trainer a flag of its own, so that trainers running side by side do not stop one another.
    package var isInterrupted: () -> Bool = { Interruption.requested != 0 }

    /// What every rank must hold the same before the first update: the sentences, the vocabulary, the model's
    /// shape, the options and where in the run it starts.
    func agreement() throws -> UInt64 {
        let c = checkpoint
        return fingerprint64([
            c.data.fingerprint, c.file.vocabulary.fileText, try ModelFile.json(c.file.model.config),
            try ModelFile.json(c.options), "\(c.state.step) \(c.state.epoch) \(c.state.batchInEpoch)",
        ])
    }

    package var batchesPerEpoch: Int { (train.count + options.batchSize - 1) / options.batchSize }

    /// The updates the run plans in all, pretraining included (fewer than the epochs' when a time limit allows fewer).
    package var plannedSteps: Int {
        options.pretrainEpochs * batchesPerEpoch + (options.plannedUpdates ?? options.epochUpdates(batchesPerEpoch: batchesPerEpoch))
    }

    /// The epoch's batches: ranges of `order` (indices into `train`), and the shuffling generator after drawing
    /// them. Shuffle, sort chunks of 50 batches by length (little work wasted on steps where few rows are
    /// active), then shuffle the batches. Int32 indices: 4 bytes a sentence for corpora of millions.
    func epochBatches() -> (order: [Int32], batches: [Range<Int>], next: Random) {
        var rng = Random(state: checkpoint.state.shuffleState)
        precondition(train.count < Int(Int32.max), "more than 2³¹ training sentences")
        var order = (0..<Int32(train.count)).map { $0 }
        rng.shuffle(&order)
        let B = options.batchSize, chunk = B * 50
        var batches: [Range<Int>] = []
        for start in stride(from: 0, to: order.count, by: chunk) {
            let end = min(order.count, start + chunk)
            let lengths = order[start..<end].map { train.length(Int($0)) }
            let sorted = lengths.indices.sorted { a, b in lengths[a] != lengths[b] ? lengths[a] > lengths[b] : a < b }
                .map { order[start + $0] }
            order.replaceSubrange(start..<end, with: sorted)
            for s in stride(from: start, to: end, by: B) { batches.append(s..<min(end, s + B)) }
        }
        rng.shuffle(&batches)
        return (order, batches, rng)
    }

    /// Why a run stops before its epochs are done: asked to (Ctrl-C), or out of time.
    package enum Halt: Sendable { case interrupted, timeLimit }

    /// Runs until the epochs are done, validation stops improving, the time
    /// limit passes, or an interruption (which throws after saving a checkpoint).
    /// In phases: each epoch's updates (`trainEpoch`), its validation verdict (`validate`), and what the verdict
    /// makes of the run (`endEpoch`: patience, learning-rate decay, the end of pretraining, the checkpoint).
    package func run(_ report: (TrainingEvent) -> Void) throws -> TrainingOutcome {
        try BLAS.load()
        try collective.agree(on: try agreement(), what: "the data, vocabulary, model, settings and step")
        let lead = collective.isLeader
        func onEvent(_ event: TrainingEvent) { if lead { report(event) } }
        let log = MetricsLog(path: metricsPath)
        if lead && checkpoint.state.step > 0 { try log.truncate(afterStep: checkpoint.state.step) }
        var clock = RunClock(start: Date(), firstStep: checkpoint.state.step, lastCheckpoint: Date())
        while checkpoint.state.epoch < options.epochs {
            let (order, batches, nextShuffle) = epochBatches()
            if let halted = try trainEpoch(order: order, batches: batches, clock: &clock, log: log, onEvent) { return halted }
            let verdict = try validate(log: log, onEvent)
            let stopping = try endEpoch(verdict, nextShuffle: nextShuffle, onEvent)
            clock.lastCheckpoint = Date()
            if stopping {
                onEvent(.note("\(options.regulariser.competingFigureName) has not improved for \(options.patience) epochs: stopping early"))
                return .earlyStopped
            }
            if checkpoint.state.epoch < options.epochs {
                try placeInTimeBudget(seconds: Date().timeIntervalSince(clock.start), clock: clock, firstPlacement: false, onEvent)
            }
        }
        return .finished
    }

    /// When the run started, at which step, and when it last wrote a checkpoint.
    struct RunClock {
        let start: Date, firstStep: Int
        var lastCheckpoint: Date
    }

    /// The rest of the epoch's updates. Returns `.timeLimit` when the time limit stopped the run (after its
    /// checkpoint and best model), nil when the epoch's updates are done; throws after saving a checkpoint when
    /// interrupted.
    func trainEpoch(
        order: [Int32], batches: [Range<Int>], clock: inout RunClock, log: MetricsLog, _ onEvent: (TrainingEvent) -> Void
    ) throws -> TrainingOutcome? {
        var stepTimer = Date()
        while checkpoint.state.batchInEpoch < batches.count {
            // Every rank says whether it must stop; the ranks decide together, in the gradient's sum.
            var halt: Halt?
            if isInterrupted() {
                halt = .interrupted
            } else if options.timeLimitMinutes > 0 && Date().timeIntervalSince(clock.start) > options.timeLimitMinutes * 60 {
                halt = .timeLimit
            }
            let members = order[batches[checkpoint.state.batchInEpoch]].map(Int.init)
            let dueByTime =
                collective.isLeader && options.checkpointMinutes > 0
                && Date().timeIntervalSince(clock.lastCheckpoint) > options.checkpointMinutes * 60
            let update = try self.update(members, halt: halt, checkpointDue: dueByTime)
            switch update.halted {
            case .interrupted?:
                try saveCheckpoint()
                throw TrainingInterrupted(
                    description: "interrupted at step \(checkpoint.state.step); checkpoint saved to \(checkpointPath); "
                        + "resume with: textvae train --resume \(checkpointPath)")
            case .timeLimit?:
                try finishEarly(log: log, onEvent)
                return .timeLimit
            case nil:
                break
            }
            try record(
                update, sentences: members.count, batches: batches.count, seconds: Date().timeIntervalSince(stepTimer), log: log, onEvent)
            if clock.firstStep == 0 && checkpoint.state.step == Self.timingUpdates {
                try placeInTimeBudget(seconds: Date().timeIntervalSince(clock.start), clock: clock, firstPlacement: true, onEvent)
            }
            let dueBySteps = options.checkpointSteps > 0 && checkpoint.state.step % options.checkpointSteps == 0
            if dueBySteps || update.checkpointDue {
                try saveCheckpoint()
                clock.lastCheckpoint = Date()
            }
            stepTimer = Date()  // checkpoint writing is not training time
        }
        return nil
    }

    /// Counts an update into the run's state and the epoch's sums, reports it, and every `logSteps` updates
    /// writes a metrics row.
    func record(
        _ update: Update, sentences: Int, batches: Int, seconds: Double, log: MetricsLog, _ onEvent: (TrainingEvent) -> Void
    ) throws {
        var st = checkpoint.state
        st.step += 1
        st.batchInEpoch += 1
        st.epochSentences += sentences
        st.epochTokens += update.targets
        st.epochRec += update.rec
        st.epochKL += update.kl
        st.epochSeconds += seconds
        checkpoint.state = st
        let progress = TrainingEvent.Step(
            epoch: st.epoch + 1, batch: st.batchInEpoch, batches: batches, step: st.step,
            rec: update.rec / Double(sentences), kl: update.kl / Double(sentences),
            beta: update.beta, tokensPerSecond: Double(st.epochTokens) / max(st.epochSeconds, 1e-9))
        onEvent(.step(progress))
        if collective.isLeader && st.step % max(1, options.logSteps) == 0 {
            try log.append(
                MetricsRow.Step(
                    step: st.step, epoch: Double(st.epoch) + Double(st.batchInEpoch) / Double(batches),
                    rec: progress.rec, kl: progress.kl, beta: Double(update.beta), loss: Double(update.loss),
                    gradNorm: Double(update.norm), tokensPerSecond: progress.tokensPerSecond))
        }
    }

    /// The end-of-epoch policy, from the validation verdict: the next epoch's state, patience, the end of
    /// pretraining or else learning-rate decay, and the checkpoint. Patience and learning-rate decay count only
    /// the epochs at the final β: while β rises, the −ELBO rises with the KL it weighs, and an epoch that "does
    /// not improve" says nothing. Returns whether the run stops early.
    func endEpoch(_ verdict: Verdict, nextShuffle: Random, _ onEvent: (TrainingEvent) -> Void) throws -> Bool {
        var st = checkpoint.state
        st.epoch += 1
        st.batchInEpoch = 0
        st.shuffleState = nextShuffle.state
        st.epochSentences = 0; st.epochTokens = 0
        st.epochRec = 0; st.epochKL = 0; st.epochSeconds = 0
        if verdict != .warmingUp { st.epochsWithoutImprovement = verdict == .best ? 0 : st.epochsWithoutImprovement + 1 }
        checkpoint.state = st
        let stopping =
            options.patience > 0 && st.epochsWithoutImprovement >= options.patience && st.epoch < options.epochs && verdict == .notBetter
        if options.pretrainEpochs > 0 && st.epoch == options.pretrainEpochs {
            resetDecoder()
            onEvent(
                .note(
                    "autoencoder pretraining done after \(options.pretrainEpochs) epoch\(options.pretrainEpochs == 1 ? "" : "s"): "
                        + "the decoder starts again from fresh weights, and the KL schedule from 0; the model kept so far "
                        + "(the autoencoder's) will be replaced by the VAE's epochs"))
        } else if verdict == .notBetter && !stopping && options.learningRateDecay < 1 {
            let rate = checkpoint.adam.learningRate * options.learningRateDecay
            checkpoint.adam.learningRate = rate
            checkpoint.state.learningRate = rate
            onEvent(.note("\(options.regulariser.competingFigureName) did not improve: learning rate now \(rate)"))
        }
        try saveCheckpoint()
        return stopping
    }

    /// The end of autoencoder pretraining (Li et al. 2019): the decoder's tensors (W_zh, its GRU, the output
    /// layer) take fresh initial weights, so that the VAE's decoder learns alongside an encoder that already
    /// tells sentences apart, instead of a language model that has learned to ignore z. The embedding, shared
    /// with the encoder, is kept. Adam starts again (its moments belong to the discarded weights), and the best
    /// model is chosen among the epochs that follow.
    func resetDecoder() {
        let model = checkpoint.file.model
        let fresh = model.layout.initialParameters(seed: options.seed &+ 0xDEC0DE)
        let decoderSide: [ParameterTensor] = [
            .latentWeight, .latentBias, .decoderWeightIH, .decoderWeightHH, .decoderBiasIH,
            .decoderBiasHH, .outputWeight, .outputBias, .tail0Projection, .tail0Weight, .tail1Projection, .tail1Weight,
            .tail2Projection, .tail2Weight,
        ]
        for tensor in decoderSide {
            let range = model.layout.range(tensor)
            checkpoint.file.model.parameters.replaceSubrange(range, with: fresh[range])
        }
        checkpoint.adam = Adam(parameterCount: model.layout.total, learningRate: checkpoint.adam.learningRate)
        checkpoint.state.bestValidNELBO = nil
        checkpoint.state.epochsWithoutImprovement = 0
    }

    /// What one update did: the batch's figures summed over the ranks, or why it was not made.
    package struct Update: Sendable {
        /// The update was not made: a rank asked to stop (the parameters are as they were).
        package var halted: Halt?
        /// Target tokens (tokens + `<eos>`), and the sums of the sentences' reconstruction and KL terms.
        package var targets = 0
        package var rec = 0.0, kl = 0.0
        package var loss: Float = 0, beta: Float = 0, norm: Float = 0
        /// A rank (the leader, by its clock) asked for a checkpoint after this update.
        package var checkpointDue = false
    }

    /// Writes the checkpoint (the leader does), after gathering Adam's moments where each rank keeps only its share
    /// of them current. Every rank calls it at the same point of the run.
    func saveCheckpoint() throws {
        if let shares = parameterShares {
            try checkpoint.adam.m.withUnsafeMutableBufferPointer { try collective.gather($0, shares: shares.ranges) }
            try checkpoint.adam.v.withUnsafeMutableBufferPointer { try collective.gather($0, shares: shares.ranges) }
        }
        if collective.isLeader { try checkpoint.save(to: checkpointPath) }
    }

    /// One optimiser update on the training sentences `members` (the whole batch; this rank computes its
    /// share): each sentence's ε and word dropout from `SentenceNoise`, forward and backward, the gradient
    /// summed over the ranks, clip, Adam. `halt`: this rank asks to stop; if any rank does, nothing changes.
    /// `checkpointDue`: this rank asks for a checkpoint after the update (`Update.checkpointDue`).
    /// Throws if the loss is not finite.
    package func update(_ members: [Int], halt: Halt? = nil, checkpointDue: Bool = false) throws -> Update {
        if collective.size == 1, let halt { return Update(halted: halt) }
        let started = DispatchTime.now().uptimeNanoseconds
        defer {
            updateSeconds += Double(DispatchTime.now().uptimeNanoseconds - started) * 1e-9
            updateCount += 1
        }
        PhaseProfile.start()
        let model = checkpoint.file.model, Z = model.config.latent, K = model.config.classes, P = model.layout.total
        let mine = Array(members[collective.share(of: members.count)])
        let pretraining = options.isPretraining(epoch: checkpoint.state.epoch)
        let beta = nextBeta()
        // An adversarial prior takes the KL term's place after any pretraining (which has no regulariser at all).
        let adversary = pretraining ? nil : checkpoint.adversary?.discriminator
        var settings = LossSettings(
            beta: beta, freeBits: pretraining || adversary != nil ? 0 : options.freeBits,
            wholeBatch: collective.size == 1 ? nil : members.count,
            labelWeight: options.labelWeight, classWeight: options.classWeight, classCapacity: options.classCapacity)
        settings.adversary = adversary
        // Free bits and a class capacity need the whole batch's KL sums: each rank's forward pass returns its own,
        // they are added up here in one all-reduce (every rank makes it, the empty ones with zeros), and the
        // backward pass follows. An MPI error stops the update.
        let reduce: BatchSumsReduction = { [collective] sums in BatchSums(values: try collective.sum(sums.values)) }

        gradient.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        if mine.isEmpty {
            // A batch smaller than the ranks: this rank adds nothing, but joins the sums the others make.
            if settings.needsWholeBatchSums(classes: K) { _ = try reduce(.zero(latent: Z)) }
        } else {
            var generators = mine.map { SentenceNoise.generator(seed: options.seed, epoch: checkpoint.state.epoch, sentence: $0) }
            var eps = [Float](repeating: 0, count: mine.count * Z)
            for k in mine.indices { for j in 0..<Z { eps[k * Z + j] = generators[k].normal() } }
            var batch = Batch(mine.map { train[$0] })
            batch.applyWordDropout(options.wordDropout, &generators)
            batch.applyDecoderDropout(
                embedding: options.embeddingDropout, output: options.outputDropout,
                embeddingWidth: model.config.embedding, hidden: model.config.hidden, &generators)
            // Classes: each sentence's label, or for an unlabelled one a Gumbel-softmax c from its own noise (drawn last).
            var classes: ClassChoice?
            if K > 0 {
                let gumbel = generators.indices.flatMap { ClassChoice.gumbel(K, &generators[$0]) }
                let tau = options.gumbelTemperature(step: checkpoint.state.step, totalSteps: plannedSteps)
                classes = ClassChoice(labels: mine.map { labels?.train[$0] ?? nil }, unlabelled: .relaxed(gumbel: gumbel, temperature: tau))
            }
            if let noise = options.inputNoise {  // after every other draw, so that runs without it draw as before
                batch.applyInputNoise(noise, vocabulary: model.config.vocabulary, &generators)
            }
            PhaseProfile.lap(.batchAndNoise)
            // An autoencoder while pretraining: z = μ (ε is still drawn, so later draws do not move).
            let latent: LatentChoice = pretraining ? .mean : .sample(eps)
            let result = try gradient.withUnsafeMutableBufferPointer { g in
                try model.run(
                    batch, latent: latent, classes: classes, loss: settings, gradient: g.baseAddress!, workspace: workspace,
                    reduce: reduce)
            }
            if let adversary {
                // The discriminator's step, on this batch's codes and as many drawn from the prior (each sentence's
                // own noise, drawn last, so that runs without it draw as before).
                let prior = generators.indices.flatMap { k in (0..<Z).map { _ in generators[k].normal() } }
                let offset = discriminatorGradientOffset
                gradient.withUnsafeMutableBufferPointer { g in
                    _ = adversary.loss(
                        prior: prior, posterior: result.z, rows: mine.count, meanOver: members.count, gradient: g.baseAddress! + offset)
                }
            }
            gradient[P + Summed.rec.rawValue] = result.rec.reduce(0, +)
            gradient[P + Summed.kl.rawValue] = result.kl.reduce(0, +)
            gradient[P + Summed.targets.rawValue] = Float(batch.targetCount)
            gradient[P + Summed.loss.rawValue] = result.loss
        }
        gradient[P + Summed.interrupted.rawValue] = halt == .interrupted ? 1 : 0
        gradient[P + Summed.timeLimit.rawValue] = halt == .timeLimit ? 1 : 0
        gradient[P + Summed.checkpointDue.rawValue] = checkpointDue ? 1 : 0
        var summing = DispatchTime.now().uptimeNanoseconds
        if parameterShares != nil {
            // The figures and the discriminator's gradient: every rank needs all of them. The model's gradient follows.
            try gradient.withUnsafeMutableBufferPointer { try collective.sum(UnsafeMutableBufferPointer(rebasing: $0[P...])) }
        } else {
            try gradient.withUnsafeMutableBufferPointer { try collective.sum($0) }
        }
        sumSeconds += Double(DispatchTime.now().uptimeNanoseconds - summing) * 1e-9
        func summed(_ figure: Summed) -> Float { gradient[P + figure.rawValue] }
        if summed(.interrupted) > 0 { return Update(halted: .interrupted) }
        if summed(.timeLimit) > 0 { return Update(halted: .timeLimit) }

        let norm: Float
        if let shares = parameterShares {
            summing = DispatchTime.now().uptimeNanoseconds
            try gradient.withUnsafeMutableBufferPointer { g in
                try collective.sum(UnsafeMutableBufferPointer(rebasing: g[0..<P]), keeping: shares.ranges)
            }
            sumSeconds += Double(DispatchTime.now().uptimeNanoseconds - summing) * 1e-9
            PhaseProfile.lap(.allReduce)
            // This rank's blocks of the norm, then every rank's, added in order as one process adds them.
            var blockSums = [Double](repeating: 0, count: GradientBlocks.count(P))
            gradient.withUnsafeBufferPointer { g in
                blockSums.withUnsafeMutableBufferPointer { sums in
                    GradientBlocks.sumSquares(
                        UnsafeBufferPointer(rebasing: g[shares.ranges[collective.rank]]),
                        into: UnsafeMutableBufferPointer(rebasing: sums[shares.blocks[collective.rank]]), threads: workspace.threads)
                }
            }
            summing = DispatchTime.now().uptimeNanoseconds
            try blockSums.withUnsafeMutableBufferPointer { try collective.gather($0, shares: shares.blocks) }
            sumSeconds += Double(DispatchTime.now().uptimeNanoseconds - summing) * 1e-9
            norm = GradientBlocks.norm(blockSums)
        } else {
            PhaseProfile.lap(.allReduce)
            norm = gradient.withUnsafeBufferPointer { gradientNorm(UnsafeBufferPointer(rebasing: $0[0..<P]), threads: workspace.threads) }
        }
        PhaseProfile.lap(.gradientNorm)
        let loss = summed(.loss)
        guard loss.isFinite, norm.isFinite else {
            let saved =
                FileManager.default.fileExists(atPath: checkpointPath)
                ? "the last good checkpoint is \(checkpointPath) (resume with --resume)" : "no checkpoint was written yet"
            throw TextVAEError.diverged(
                "training diverged at step \(checkpoint.state.step): the loss is \(loss); "
                    + "\(saved); try a lower --lr (now \(options.learningRate)) or a smaller --clip")
        }
        // Move the parameters out while Adam updates them: two inout accesses to
        // `checkpoint` at once would conflict. Swapping arrays copies nothing.
        var parameters: [Float] = []
        swap(&parameters, &checkpoint.file.model.parameters)
        let scale = clipScale(norm: norm, maxNorm: options.clip)
        if let shares = parameterShares {
            let mine = shares.ranges[collective.rank]
            gradient.withUnsafeBufferPointer { g in
                checkpoint.adam.update(
                    &parameters, range: mine, gradient: g.baseAddress! + mine.lowerBound, gradientScale: scale, threads: workspace.threads)
            }
        } else {
            checkpoint.adam.update(&parameters, gradient: gradient, gradientScale: scale, threads: workspace.threads)
        }
        swap(&parameters, &checkpoint.file.model.parameters)
        if let shares = parameterShares {
            PhaseProfile.lap(.adam)
            summing = DispatchTime.now().uptimeNanoseconds
            try checkpoint.file.model.parameters.withUnsafeMutableBufferPointer { try collective.gather($0, shares: shares.ranges) }
            sumSeconds += Double(DispatchTime.now().uptimeNanoseconds - summing) * 1e-9
            PhaseProfile.lap(.allReduce)
        }
        if adversary != nil, var state = checkpoint.adversary {
            let discriminatorGradient = Array(gradient[discriminatorGradientOffset...])
            let discriminatorNorm = discriminatorGradient.reduce(0) { $0 + $1 * $1 }.squareRoot()
            state.adam.update(
                &state.discriminator.parameters, gradient: discriminatorGradient,
                gradientScale: clipScale(norm: discriminatorNorm, maxNorm: options.clip), threads: 1)
            checkpoint.adversary = state
        }
        PhaseProfile.lap(.adam)
        if let target = options.klTarget, !pretraining {
            // Every rank sees the same summed KL, so every rank's controller takes the same β.
            var controller = checkpoint.state.klController ?? KLController(target: target, plannedUpdates: plannedSteps)
            controller.observe(kl: Double(summed(.kl)) / Double(members.count))
            checkpoint.state.klController = controller
        }
        return Update(
            targets: Int(summed(.targets)), rec: Double(summed(.rec)), kl: Double(summed(.kl)),
            loss: loss, beta: beta, norm: norm, checkpointDue: summed(.checkpointDue) > 0)
    }

    /// β for the next update: 0 while pretraining, then the KL controller's with a KL target (0 before its
    /// first update), else the schedule's.
    func nextBeta() -> Float {
        let st = checkpoint.state
        if options.klTarget != nil && !options.isPretraining(epoch: st.epoch) { return st.klController?.beta ?? 0 }
        return options.beta(step: st.step, epoch: st.epoch, batchesPerEpoch: batchesPerEpoch)
    }

    /// Updates timed before a run with a time limit places its KL schedule within the time.
    static let timingUpdates = 20

    /// With a time limit: when the time left allows fewer updates than the plan, the schedule is placed in the
    /// updates the time allows (`TimeBudget`), so that β reaches its final value well before the limit. First
    /// after the run's first `timingUpdates` updates, then after each epoch while β still rises, from the pace
    /// of every update since the clock started (validation included): a machine that gets busier after the
    /// first updates would otherwise leave β rising until the limit. The leader's measurement is every rank's.
    /// - Parameters:
    ///   - seconds: since the clock started, at `clock.firstStep`.
    ///   - firstPlacement: the placement after the first updates, which only a new run makes.
    func placeInTimeBudget(seconds: Double, clock: RunClock, firstPlacement: Bool, _ onEvent: (TrainingEvent) -> Void) throws {
        let st = checkpoint.state, B = batchesPerEpoch
        guard options.timeLimitMinutes > 0, options.annealing != nil, st.step < options.annealedStep(batchesPerEpoch: B) else { return }
        let timed = st.step - clock.firstStep
        var affordable = TimeBudget(limitMinutes: options.timeLimitMinutes).affordableUpdates(
            made: st.step, timed: timed, seconds: seconds, pretrainUpdates: options.pretrainEpochs * B)
        if collective.size > 1 { affordable = Int(try collective.sum([collective.isLeader ? Float(affordable) : 0])[0]) }
        let planned = options.plannedUpdates ?? options.epochUpdates(batchesPerEpoch: B)
        guard TimeBudget.shouldShrink(planned: planned, to: affordable, firstPlacement: firstPlacement) else { return }
        checkpoint.options = options.placed(batchesPerEpoch: B, plannedUpdates: affordable)
        let annealed = options.annealedStep(batchesPerEpoch: B), pace = String(format: "%.0f", 1000 * seconds / Double(max(1, timed)))
        let total = options.pretrainEpochs * B + affordable
        onEvent(
            .note(
                firstPlacement
                    ? "the time limit of \(options.timeLimitMinutes) minutes allows about \(total) updates (\(pace) ms each), "
                        + "not the \(options.epochs * B) of \(options.epochs) epochs: β now reaches its final value at update \(annealed) "
                        + "(epoch \(annealed / max(1, B) + 1))"
                    : "training is slower than planned (\(pace) ms an update, validation included): the time limit of "
                        + "\(options.timeLimitMinutes) minutes now allows about \(total) updates, so β reaches its final value "
                        + "sooner, at update \(annealed) (epoch \(annealed / max(1, B) + 1))"))
    }

    /// The time limit hit mid-epoch: validate what we have, keep it if best, checkpoint. At the very start of a later
    /// epoch nothing has changed since the last epoch's validation, so no second, empty epoch row is written.
    func finishEarly(log: MetricsLog, _ onEvent: (TrainingEvent) -> Void) throws {
        if checkpoint.state.batchInEpoch > 0 || checkpoint.state.epoch == 0 { _ = try validate(log: log, onEvent) }
        try saveCheckpoint()
        onEvent(.note("time limit of \(options.timeLimitMinutes) minutes reached at step \(checkpoint.state.step)"))
    }

    /// What a validation made of an epoch.
    package enum Verdict: Sendable {
        /// β was still rising (or the epoch pretrained): the model is kept as the latest, not compared.
        case warmingUp
        /// At the final β, the lowest validation −ELBO so far (reconstruction, for an adversarial prior): kept.
        case best
        /// At the final β, not better than the kept model.
        case notBetter
    }

    /// Validation −ELBO on the held-out sentences; writes the model while β is still rising (the latest)
    /// and, once it is at its final value, when it is the best so far.
    /// Every rank scores all validation sentences (the same parameters give the same figures), and the
    /// leader's verdict is every rank's, so that they stop at the same epoch even on machines whose
    /// kernels round differently.
    func validate(log: MetricsLog, _ onEvent: (TrainingEvent) -> Void) throws -> Verdict {
        var rng = Random(seed: options.seed &+ 0xA11D)  // the same ε every epoch: epochs compare fairly
        let scores = checkpoint.file.model.score(valid, labels: labels?.valid, batchSize: 64, rng: &rng, workspace: workspace)
        let accuracy = labels.flatMap { scores.labelAccuracy($0.valid) }
        let st = checkpoint.state
        let nelbo = scores.meanNELBO
        let lead = collective.isLeader
        // A model without a latent (the language-model baseline) has no KL for β to weigh: every epoch competes.
        let annealed = checkpoint.file.model.config.code == 0 || st.step >= options.annealedStep(batchesPerEpoch: batchesPerEpoch)
        let figure = options.regulariser.competingFigure(rec: scores.meanRec, nelbo: nelbo)
        var kept = figure.isFinite && (!annealed || figure < (st.bestValidNELBO ?? .infinity))
        if collective.size > 1 { kept = try collective.sum([lead && kept ? 1 : 0])[0] > 0 }
        let verdict: Verdict = !annealed ? .warmingUp : kept ? .best : .notBetter
        let improved = verdict == .best
        let beta =
            options.klTarget != nil
            ? nextBeta() : options.beta(step: max(0, st.step - 1), epoch: st.epoch, batchesPerEpoch: batchesPerEpoch)
        if kept {
            if annealed { checkpoint.state.bestValidNELBO = figure }
            checkpoint.state.kept = KeptEpoch(
                epoch: st.epoch + 1, step: st.step, beta: beta, kl: scores.meanKL, nelbo: nelbo,
                annealed: annealed, rec: scores.meanRec)
        }
        if kept && lead {
            var file = checkpoint.file
            file.extraMetadata["producer"] = TextVAEVersion.producer
            file.extraMetadata["train_options"] = try ModelFile.json(options)
            file.extraMetadata["step"] = String(st.step)
            file.extraMetadata["epoch"] = String(st.epoch + (st.batchInEpoch > 0 ? 1 : 0))
            file.extraMetadata["valid_nelbo"] = String(nelbo)
            try file.save(to: checkpoint.output)
        }
        let sentences = Double(max(1, st.epochSentences))
        let summary = TrainingEvent.Epoch(
            epoch: st.epoch + 1, step: st.step, trainRec: st.epochRec / sentences, trainKL: st.epochKL / sentences,
            valid: scores, validAccuracy: accuracy, seconds: st.epochSeconds,
            tokensPerSecond: Double(st.epochTokens) / max(st.epochSeconds, 1e-9), improved: improved, beta: beta,
            savedWhileWarmingUp: kept && !annealed, klTrained: checkpoint.options.regulariser != .adversarial)
        if lead {
            try log.append(
                MetricsRow.Epoch(
                    step: st.step, epoch: st.epoch + 1, beta: Double(beta), annealed: annealed, kept: kept,
                    trainRec: summary.trainRec, trainKL: summary.trainKL, trainNELBO: summary.trainRec + summary.trainKL,
                    validRec: scores.meanRec, validKL: scores.meanKL, validNELBO: nelbo, validPPL: scores.elboPerplexity,
                    seconds: summary.seconds, tokensPerSecond: summary.tokensPerSecond,
                    validClassKL: checkpoint.file.model.config.classes > 0 ? scores.meanClassKL : nil, validAccuracy: accuracy))
        }
        onEvent(.epoch(summary))
        if beta >= 0.5 && scores.meanKL < 0.5 && !checkpoint.state.collapseWarned
            && checkpoint.file.model.config.code > 0
        {
            checkpoint.state.collapseWarned = true
            onEvent(
                .warning(
                    "the KL term is \(String(format: "%.3f", scores.meanKL)) nats: the posterior has collapsed (the decoder ignores z). "
                        + "Try free bits (--free-bits 0.5), more word dropout (--word-dropout 0.5), or annealing over a larger "
                        + "share of the run (--x0 40%)"))
        }
        return verdict
    }
}
