import Foundation
import Testing

@testable import TextVAE

/// Training end to end, in-process. Serialized: each test trains, and they would only slow one another.
@Suite(.serialized) struct TrainingTests {
    static func grammarSet(_ count: Int) throws -> TrainingSet {
        let tokenizer = try Tokenizer(TokenizerSettings(name: .whitespace))
        let corpus = try Corpus(lines: GrammarCorpus.sentences(count: count, seed: 1), tokenizer: tokenizer)
        return try TrainingSet(
            corpus: corpus, validCorpus: nil, validFraction: 0.1, vocabulary: nil,
            minCount: 1, maxSize: 1000, maxLength: 60, corpusName: "grammar")
    }

    static func trainer(
        _ set: TrainingSet, folder: URL, epochs: Int, checkpointSteps: Int = 0, seed: UInt64 = 3,
        adjust: (inout TrainingOptions, inout TrainingState) -> Void = { _, _ in }
    ) -> Trainer {
        let config = ModelConfig(vocabulary: set.vocabulary.count, embedding: 32, hidden: 64, latent: 8)
        let model = SentenceVAE(config: config, seed: seed)
        var options = TrainingOptions()
        options.epochs = epochs
        options.schedule = .logistic(k: 0.02, x0: 250)
        options.patience = 0
        options.checkpointMinutes = 0
        options.checkpointSteps = checkpointSteps
        options.seed = seed
        var state = TrainingState(seed: seed)
        adjust(&options, &state)
        let cp = Checkpoint(
            file: ModelFile(model: model, vocabulary: set.vocabulary, tokenizer: TokenizerSettings(name: .whitespace)),
            adam: Adam(parameterCount: model.layout.total), state: state, options: options,
            data: TrainingData(
                corpus: "grammar", valid: nil, trainSentences: set.train.count, validSentences: set.valid.count,
                fingerprint: TrainingData.fingerprint(train: set.train, valid: set.valid)),
            output: folder.appendingPathComponent("m.safetensors").path)
        return Trainer(checkpoint: cp, train: set.train, valid: set.valid)
    }

    /// A time limit that passes just as an epoch ends: that epoch's validation stands, and no second, empty
    /// epoch row follows it in the log.
    @Test func aTimeLimitAtAnEpochsEndAddsNoEmptyEpoch() throws {
        try loadBLAS()
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let set = try Self.grammarSet(300)
        let trainer = Self.trainer(set, folder: folder, epochs: 1)
        #expect(try trainer.run { _ in } == .finished)
        #expect(trainer.checkpoint.state.batchInEpoch == 0 && trainer.checkpoint.state.epoch == 1)
        var notes: [String] = []
        try trainer.finishEarly(log: MetricsLog(path: trainer.metricsPath)) { if case .note(let n) = $0 { notes.append(n) } }
        let rows = try epochRows(trainer.metricsPath)
        #expect(rows.count == 1, "\(rows)")
        #expect(notes.contains { $0.contains("time limit") } && FileManager.default.fileExists(atPath: trainer.checkpointPath))
    }

    @Test func learnsTheGrammarToWithinAFewNatsOfItsEntropy() throws {
        try loadBLAS()
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let set = try Self.grammarSet(4000)
        let trainer = Self.trainer(set, folder: folder, epochs: 6)
        var epochs: [TrainingEvent.Epoch] = []
        let outcome = try trainer.run { if case .epoch(let e) = $0 { epochs.append(e) } }
        #expect(outcome == .finished)
        let entropy = GrammarCorpus.entropyPerSentence  // 14.73 nats
        let best = try ModelFile.load(trainer.modelPath)
        var rng = Random(seed: 42)
        let scores = best.model.score(set.valid, rng: &rng)
        // −ELBO ≥ H in expectation: far below it would mean a broken loss; within 3 nats means it learned.
        #expect(scores.meanNELBO > entropy - 0.5, "validation −ELBO \(scores.meanNELBO) is below the entropy \(entropy)")
        #expect(scores.meanNELBO < entropy + 3, "validation −ELBO \(scores.meanNELBO) is not within 3 nats of \(entropy)")
        #expect(epochs.first!.valid.meanRec > epochs.last!.valid.meanRec, "validation rec did not fall")
        // The metrics log has step rows and one row per epoch.
        let rows = try MetricsLog.read(trainer.metricsPath)
        #expect(rows.filter { $0["kind"] as? String == "epoch" }.count == 6)
        #expect(rows.contains { $0["kind"] as? String == "step" })
    }

    /// With a KL target the controller's state is part of the checkpoint, so the resumed run steers as the
    /// uninterrupted one did; input noise is drawn from each sentence's own generator, so it repeats too; an
    /// adversarial prior's discriminator and its optimiser are in the checkpoint.
    @Test(arguments: [
        (nil, nil, LatentRegulariser.kl), (3.0, nil, .kl), (nil, InputNoise(drop: 0.2, blank: 0.1, shuffle: 2), .kl),
        (nil, nil, .adversarial),
    ])
    func interruptedAndResumedRunEndsWithTheSameModelBitForBit(
        klTarget: Double?, inputNoise: InputNoise?, regulariser: LatentRegulariser
    ) throws {
        try loadBLAS()
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let set = try Self.grammarSet(1200)
        let straightFolder = folder.appendingPathComponent("straight"), resumedFolder = folder.appendingPathComponent("resumed")
        for f in [straightFolder, resumedFolder] { try FileManager.default.createDirectory(at: f, withIntermediateDirectories: true) }
        let target: (inout TrainingOptions, inout TrainingState) -> Void = { options, _ in
            options.klTarget = klTarget
            options.inputNoise = inputNoise
            options.regulariser = regulariser
            if regulariser == .adversarial { options.freeBits = 0 }
        }

        let straight = Self.trainer(set, folder: straightFolder, epochs: 2, adjust: target)
        _ = try straight.run { _ in }

        // Interrupt mid-epoch (as Ctrl-C would), then resume from the checkpoint it saved.
        let first = Self.trainer(set, folder: resumedFolder, epochs: 2, adjust: target)
        // A flag of this trainer's own, not the process-wide one that other tests' trainers read.
        let stop = StopFlag()
        first.isInterrupted = { stop.raised }
        #expect(throws: TrainingInterrupted.self) {
            try first.run { event in if case .step(let s) = event, s.step == 23 { stop.raised = true } }
        }
        let saved = try Checkpoint.load(first.checkpointPath)
        #expect(saved.state.step == 23)
        let resumed = Trainer(checkpoint: saved, train: set.train, valid: set.valid)
        var firstResumedStep = -1
        _ = try resumed.run { event in if case .step(let s) = event, firstResumedStep < 0 { firstResumedStep = s.step } }
        #expect(firstResumedStep == 24, "resumed training must continue with step 24, began with \(firstResumedStep)")
        #expect(
            resumed.checkpoint.file.model.parameters == straight.checkpoint.file.model.parameters,
            "parameters after resuming differ from an uninterrupted run")
        #expect(resumed.checkpoint.adam == straight.checkpoint.adam)
        #expect(resumed.checkpoint.adversary == straight.checkpoint.adversary)
        #expect((straight.checkpoint.adversary != nil) == (regulariser == .adversarial))
        if let adversary = straight.checkpoint.adversary {
            #expect(adversary.discriminator != LatentDiscriminator(latent: 8, seed: 3 &+ 0xAD5E), "the discriminator trained")
        }
        let a = try Data(contentsOf: URL(fileURLWithPath: straight.modelPath))
        let b = try Data(contentsOf: URL(fileURLWithPath: resumed.modelPath))
        #expect(a == b, "the best model files differ")
    }

    /// `--regulariser adversarial`: with the discriminator in the KL's place, the codes the encoder gives (z drawn
    /// from q, pooled over the validation sentences) come out much nearer N(0, I) than with no regulariser at all
    /// (β = 0), by the distance Σ_j (mean_j² + (var_j − 1)²).
    @Test func anAdversarialPriorPullsTheCodesTowardsThePrior() throws {
        try loadBLAS()
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let set = try Self.grammarSet(1200)
        var distances: [LatentRegulariser: Double] = [:]
        for regulariser in [LatentRegulariser.adversarial, .kl] {
            let trainer = Self.trainer(set, folder: folder, epochs: 4) { options, _ in
                options.regulariser = regulariser
                options.freeBits = 0
                options.schedule = regulariser == .kl ? .constant(beta: 0) : .constant(beta: 1)
            }
            _ = try trainer.run { _ in }
            var rng = Random(seed: 9)
            let eps = (0..<set.valid.count * 8).map { _ in rng.normal() }
            let z = trainer.checkpoint.file.model.run(Batch(set.valid), latent: .sample(eps), workspace: Workspace()).z
            var distance = 0.0
            for j in 0..<8 {
                let values = stride(from: j, to: z.count, by: 8).map { Double(z[$0]) }
                let mean = values.reduce(0, +) / Double(values.count)
                let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
                distance += mean * mean + (variance - 1) * (variance - 1)
            }
            distances[regulariser] = distance
        }
        print("distance to N(0, I): adversarial \(distances[.adversarial]!), none \(distances[.kl]!)")
        #expect(distances[.adversarial]! < 0.25 * distances[.kl]!, "\(distances)")
    }

    /// `--kl-target`: the controller holds the training KL near each target (measured: 2.12 nats over the last
    /// quarter for 2, 5.57 for 6), and the higher target's model keeps more in z (validation KL 7.1 against 1.9).
    @Test func aKLTargetHoldsTheKLNearIt() throws {
        try loadBLAS()
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let set = try Self.grammarSet(1200)
        var finals: [(target: Double, valid: SentenceScores)] = []
        for target in [2.0, 6.0] {
            let trainer = Self.trainer(set, folder: folder, epochs: 8) { options, _ in
                options.klTarget = target
                options.freeBits = 0
            }
            var kls: [Double] = [], betas: [Float] = [], last: TrainingEvent.Epoch?
            _ = try trainer.run { event in
                switch event {
                case .step(let s): (kls, betas) = (kls + [s.kl], betas + [s.beta])
                case .epoch(let e): last = e
                default: break
                }
            }
            let settled = kls.suffix(kls.count / 4), mean = settled.reduce(0, +) / Double(settled.count)
            #expect(abs(mean - target) < 1, "target \(target): the last quarter's mean KL is \(mean)")
            #expect(betas.first == 0 && betas.contains { $0 > 0 }, "β is steered from 0")
            #expect(trainer.checkpoint.state.klController?.target == target)
            finals.append((target, try #require(last).valid))
        }
        #expect(finals[1].valid.meanKL > finals[0].valid.meanKL + 2, "\(finals)")
    }

    /// Autoencoder pretraining: β is 0 and z = μ in the first epoch, then, inside the run, the decoder takes fresh
    /// weights while the encoder keeps what it learned, Adam starts again, the best model is chosen afresh, and β
    /// follows the schedule counted from the reset.
    @Test func pretrainingTrainsAnAutoencoderThenStartsTheDecoderAgain() throws {
        try loadBLAS()
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let set = try Self.grammarSet(600)
        let trainer = Self.trainer(set, folder: folder, epochs: 2) { options, _ in options.pretrainEpochs = 1 }
        var betas: [Int: [Float]] = [:], pretrained: [Float] = [], reset: Checkpoint?
        _ = try trainer.run { event in
            switch event {
            case .step(let s): betas[s.epoch, default: []].append(s.beta)
            case .epoch(let e) where e.epoch == 1: pretrained = trainer.checkpoint.file.model.parameters  // before the reset
            case .note(let n) where n.contains("pretraining done"): reset = trainer.checkpoint  // just after it
            default: break
            }
        }
        #expect(betas[1]!.allSatisfy { $0 == 0 } && betas[2]!.allSatisfy { $0 > 0 })
        #expect(betas[2]!.first == trainer.options.schedule.beta(step: 0), "the schedule starts again at the reset")
        let after = try #require(reset, "no note of the reset")
        let layout = after.file.model.layout, fresh = layout.initialParameters(seed: trainer.options.seed &+ 0xDEC0DE)
        #expect(pretrained != layout.initialParameters(seed: 3), "pretraining trained")
        for t in ParameterTensor.allCases {
            let range = layout.range(t)
            let decoderSide = t.rawValue >= ParameterTensor.latentWeight.rawValue
            #expect(Array(after.file.model.parameters[range]) == Array(decoderSide ? fresh[range] : pretrained[range]), "\(t.name)")
        }
        #expect(after.adam.steps == 0 && after.adam.m.allSatisfy { $0 == 0 })
        #expect(after.state.bestValidNELBO == nil)
    }

    /// With a best −ELBO no epoch can beat, every epoch halves the learning rate; the rate is in the checkpoint.
    @Test func theLearningRateDecaysWhenValidationDoesNotImprove() throws {
        try loadBLAS()
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let set = try Self.grammarSet(300)
        let trainer = Self.trainer(set, folder: folder, epochs: 3) { options, state in
            options.learningRateDecay = 0.5
            options.schedule = .constant(beta: 1)  // at the final β from the start: every epoch counts
            state.bestValidNELBO = -1
        }
        var notes: [String] = []
        _ = try trainer.run { if case .note(let n) = $0 { notes.append(n) } }
        let rate = trainer.options.learningRate * 0.125
        #expect(trainer.checkpoint.adam.learningRate == rate && trainer.checkpoint.state.learningRate == rate)
        #expect(notes.filter { $0.contains("learning rate now") }.count == 3, "\(notes)")
        let saved = try Checkpoint.load(trainer.checkpointPath)
        #expect(saved.adam.learningRate == rate, "a resumed run continues with the decayed rate")
    }

    /// Dropout masks are drawn from each sentence's own generator: a sentence gets the same masks in any batch.
    @Test func decoderDropoutMasksBelongToTheSentence() {
        let sentences: [[Int32]] = [[4, 5, 6], [7, 8], [9, 4, 5, 6, 7]]
        func masks(_ indices: [Int]) -> Batch {
            var batch = Batch(indices.map { sentences[$0] })
            var generators = indices.map { SentenceNoise.generator(seed: 1, epoch: 0, sentence: $0) }
            batch.applyWordDropout(0.25, &generators)
            batch.applyDecoderDropout(embedding: 0.5, output: 0.3, embeddingWidth: 4, hidden: 3, &generators)
            return batch
        }
        let all = masks([0, 1, 2]), alone = masks([2])
        // Sentence 2 is the longest: packed row 0 in both batches.
        for t in 0...5 {
            let k = all.decoder.index(step: t, row: 0), j = alone.decoder.index(step: t, row: 0)
            #expect(all.decoderInputMask![k * 4..<k * 4 + 4] == alone.decoderInputMask![j * 4..<j * 4 + 4])
            #expect(all.decoderOutputMask![k * 3..<k * 3 + 3] == alone.decoderOutputMask![j * 3..<j * 3 + 3])
        }
        let values = Set(all.decoderInputMask!)
        #expect(values == [0, 2], "zeros and 1 / (1 − p)")
    }

    /// Rank 0 of two whose first sum fails (the free-bits sum inside the forward pass) and whose later sums return
    /// the values as they are, as if the other rank added zeros.
    final class FirstSumFails: Collective {
        let rank = 0, size = 2
        var calls = 0
        func sum(_ values: UnsafeMutableBufferPointer<Float>) throws {
            calls += 1
            if calls == 1 { throw TextVAEError.system("MPI_Allreduce failed (error 15) on rank 0") }
        }
        func barrier() {}
        func sum(_ values: UnsafeMutableBufferPointer<Float>, keeping shares: [Range<Int>]) {
            Issue.record("the update went on after its first sum failed")
        }
        func gather(_ values: UnsafeMutableBufferPointer<Float>, shares: [Range<Int>]) {
            Issue.record("the update went on after its first sum failed")
        }
        func gather(_ values: UnsafeMutableBufferPointer<Double>, shares: [Range<Int>]) {
            Issue.record("the update went on after its first sum failed")
        }
    }

    /// A sum across ranks that fails inside the forward pass stops the update with its error; it must not pass
    /// for a sum (the update would go on with this rank's numbers alone).
    @Test func aSumThatFailsInsideTheForwardPassStopsTheUpdate() throws {
        try loadBLAS()
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let set = try Self.grammarSet(300)
        let cp = Self.trainer(set, folder: folder, epochs: 1) { options, _ in options.freeBits = 0.5 }.checkpoint
        let collective = FirstSumFails()
        let trainer = Trainer(checkpoint: cp, train: set.train, valid: set.valid, collective: collective)
        let error = #expect(throws: TextVAEError.self) { _ = try trainer.update(Array(0..<8)) }
        #expect(
            error?.isCase(TextVAEError.system("")) == true && error?.description.contains("MPI_Allreduce") == true,
            "\(String(describing: error))")
        #expect(collective.calls == 1, "the gradient's all-reduce ran after a failed sum")
    }

    @Test func divergingLossStopsWithAClearMessage() throws {
        try loadBLAS()
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let set = try Self.grammarSet(300)
        let trainer = Self.trainer(set, folder: folder, epochs: 1)
        var poisoned = trainer.checkpoint.file.model.parameters
        poisoned[trainer.checkpoint.file.model.layout.range(.outputBias).lowerBound + 4] = .nan  // every logit row reads it
        let cp = trainer.checkpoint
        let broken = Trainer(
            checkpoint: Checkpoint(
                file: ModelFile(
                    model: SentenceVAE(config: cp.file.model.config, parameters: poisoned),
                    vocabulary: cp.file.vocabulary, tokenizer: cp.file.tokenizer),
                adam: cp.adam, state: cp.state, options: cp.options, data: cp.data, output: cp.output),
            train: set.train, valid: set.valid)
        do {
            _ = try broken.run { _ in }
            Issue.record("training on NaN weights did not stop")
        } catch let e as TextVAEError {
            #expect(e.isCase(.diverged("")), "\(e)")
            #expect(e.description.contains("--lr"), "\(e)")
        }
        #expect(!FileManager.default.fileExists(atPath: broken.modelPath), "no model may be written from a diverged run")
    }

    @Test func klSchedulesFollowTheirFormulas() {
        let logistic = KLSchedule.logistic(k: 0.0025, x0: 2500)
        #expect(abs(logistic.beta(step: 2500) - 0.5) < 1e-6)
        #expect(logistic.beta(step: 0) < 0.002)
        #expect(KLSchedule.linear(x0: 100).beta(step: 50) == 0.5)
        #expect(KLSchedule.linear(x0: 100).beta(step: 500) == 1)
        let cyc = KLSchedule.cyclical(cycles: 4, ratio: 0.5, totalSteps: 400)  // period 100, rising over 50
        #expect(cyc.beta(step: 25) == 0.5 && cyc.beta(step: 75) == 1 && cyc.beta(step: 125) == 0.5)
        #expect(KLSchedule.constant(beta: 0.3).beta(step: 9999) == 0.3)
    }

    @Test func adamMatchesTheUpdateByHand() {
        var adam = Adam(parameterCount: 2, learningRate: 0.1)
        var p: [Float] = [1, -2]
        adam.update(&p, gradient: [0.5, -4])
        // First step: m̂ = g, v̂ = g², update = lr · g / (|g| + ε) = ±lr.
        #expect(abs(p[0] - 0.9) < 1e-6 && abs(p[1] + 1.9) < 1e-6)
        var g: [Float] = [3, 4]
        let norm = clipGradientNorm(&g, maxNorm: 1)
        #expect(abs(norm - 5) < 1e-6 && abs(g[0] - 0.6) < 1e-5 && abs(g[1] - 0.8) < 1e-5)
        // Clipping folded into the update (as training does it) equals clipping first.
        var rng = Random(seed: 1)
        let raw = randomArray(100_000, &rng, scale: 3)
        var clipped = raw
        clipGradientNorm(&clipped, maxNorm: 5)
        var a = Adam(parameterCount: raw.count), b = a
        var pa = randomArray(raw.count, &rng), pb = pa
        a.update(&pa, gradient: clipped)
        b.update(&pb, gradient: raw, gradientScale: clipScale(norm: gradientNorm(raw), maxNorm: 5))
        #expect(firstMismatch(pa, pb, rtol: 1e-6, atol: 1e-7) == nil)
    }

    /// The SIMD update runs the scalar formula's operations in the same order,
    /// so three steps over 100,003 parameters (two threads, odd tails) must give
    /// the very same bits as the plain loop.
    @Test func adamSIMDEqualsTheScalarFormulaBitForBit() {
        var rng = Random(seed: 7)
        let n = 100_003
        var adam = Adam(parameterCount: n, learningRate: 3e-3)
        var p = randomArray(n, &rng)
        var (pr, mr, vr) = (p, [Float](repeating: 0, count: n), [Float](repeating: 0, count: n))
        for step in 1...3 {
            let g = randomArray(n, &rng, scale: 2), scale: Float = step == 2 ? 0.25 : 1
            adam.update(&p, gradient: g, gradientScale: scale)
            let stepSize = adam.learningRate / (1 - pow(adam.beta1, Float(step)))
            let correction2 = (1 - pow(adam.beta2, Float(step))).squareRoot()
            for i in 0..<n {
                let gi = g[i] * scale
                mr[i] = adam.beta1 * mr[i] + (1 - adam.beta1) * gi
                vr[i] = adam.beta2 * vr[i] + (1 - adam.beta2) * gi * gi
                pr[i] -= stepSize * mr[i] / (vr[i].squareRoot() / correction2 + adam.epsilon)
            }
        }
        #expect(p == pr && adam.m == mr && adam.v == vr)
    }
}
