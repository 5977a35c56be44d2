import Foundation

/// The figures of `textvae bench`, measured as the PyTorch reference's `bench`
/// measures them (Tests/Reference/README.md, "Benchmark"), so the two
/// can be compared as a ratio: default sizes, the first 220 batches of 32 of
/// the shuffled training file, 20 untimed updates, then 200 timed ones.
package struct Benchmark {
    package var warmupSteps = 20
    package var timedSteps = 200
    package var batchSize = 32
    package var seed: UInt64 = 0
    /// Also time each phase of the timed updates (`Result.profile`).
    package var profile = false

    package init() {}

    package struct Result: Codable {
        package var trainTokensPerSecond: Double
        package var trainSentencesPerSecond: Double
        package var encodeSentencesPerSecond: Double
        package var sampleSentencesPerSecond: Double
        /// Words and `<eos>` the greedy sampling emitted: how much work its figure stands for.
        package var sampleTokens: Int
        package var threads: Int
        package var blas: String
        /// Which element-wise kernels ran (`VectorKernels`).
        package var kernels: String
        package var peakRSSMegabytes: Double
        package var parameters: Int
        /// With `--profile`: wall milliseconds per timed update, by phase (`PhaseProfile`).
        package var profile: [String: Double]?
        /// With `--profile`: the phases that make matrix products, with their work and its share of the probe.
        package var products: [PhaseProducts]?
        /// The CPU it ran on (`CPUDescription`).
        package var cpu: String

        enum CodingKeys: String, CodingKey {
            case trainTokensPerSecond = "train_tokens_per_s", trainSentencesPerSecond = "train_sentences_per_s"
            case encodeSentencesPerSecond = "encode_sentences_per_s", sampleSentencesPerSecond = "sample_sentences_per_s"
            case sampleTokens = "sample_tokens", threads, blas, kernels
            case peakRSSMegabytes = "peak_rss_mb", parameters, profile = "profile_ms_per_update", products = "profile_products", cpu
        }
    }

    /// One phase's matrix products per timed update: their floating-point work as it ran (`ProductLog`), the rate
    /// the phase achieved over its whole wall time, and the rate its heaviest product shape reaches alone
    /// (`ProductProbe`, measured in the same process). `shareOfProbe` = achieved / probe: how close the phase
    /// comes to what this machine's products allow (the rest of its time is element-wise work, memory and waiting).
    package struct PhaseProducts: Codable, Equatable {
        package var phase: String
        package var millisecondsPerUpdate: Double
        package var gigaflopsPerUpdate: Double
        package var achievedGFLOPS: Double
        package var probeShape: String
        package var probeGFLOPS: Double
        package var shareOfProbe: Double
        /// For the output layer's forward product on a CPU with AVX-512 BF16: the same shape through textvae's
        /// bfloat16 kernel (`ProductProbe.bf16GFLOPS`), which scoring and training use on AMD.
        package var bf16ProbeGFLOPS: Double?

        enum CodingKeys: String, CodingKey {
            case phase, millisecondsPerUpdate = "ms_per_update", gigaflopsPerUpdate = "gflop_per_update"
            case achievedGFLOPS = "achieved_gflops", probeShape = "probe_shape", probeGFLOPS = "probe_gflops"
            case shareOfProbe = "share_of_probe", bf16ProbeGFLOPS = "bf16_probe_gflops"
        }
    }

    /// Trains, encodes and samples as the reference's bench does, timing each.
    /// - Parameters:
    ///   - train: the training file, whitespace-tokenised (the Penn Treebank's).
    ///   - valid: the validation file, for the encoding figure.
    ///   - threads: threads for products and loops, as `--threads`.
    ///   - note: receives one line about the model, for the user.
    package func run(train: String, valid: String, threads: Int, note: (String) -> Void) throws -> (Result, Trainer) {
        try BLAS.load()
        var plan = TrainingPlan(corpus: train)
        plan.tokenizer = TokenizerSettings(name: .whitespace)
        plan.data.valid = valid
        plan.options = .reference  // the workload the reference's bench times, its schedule fixed in updates
        plan.annealing = nil
        plan.autoEpochs = false
        plan.options.seed = seed
        // The route every run takes: a token file (a scratch one, gone once read), so that the bench times the
        // data a `train` would have.
        let tokenFile = NSTemporaryDirectory() + "/textvae-bench-\(getpid())-\(UUID().uuidString).tokens"
        defer { unlink(tokenFile) }
        let set = try TrainingRun.readCorpus(
            train, &plan.data, tokenizer: &plan.tokenizer, maxLength: plan.model.maxLength, tokenFile: tokenFile,
            threads: threads, collective: SingleProcess(), progress: { _ in }
        ).set
        var order = Array(set.train.indices)
        var shuffle = Random(seed: seed)
        shuffle.shuffle(&order)
        let steps = warmupSteps + timedSteps
        // A file of fewer than steps × batch sentences is gone through again (PTB's 29,727 are not).
        let batches = (0..<steps).map { b in (b * batchSize..<(b + 1) * batchSize).map { order[$0 % order.count] } }

        let trainer = try TrainingRun.newTrainer(set, plan, output: "/dev/null", threads: threads)
        let model = trainer.checkpoint.file.model, config = model.config, cell = config.cell
        note(
            "vocabulary \(set.vocabulary.count), \(model.layout.total) parameters, \(BLAS.description(threads: threads)), on \(CPUDescription.current)"
        )
        for b in 0..<warmupSteps { _ = try trainer.update(batches[b]) }
        var tokens = 0, sentences = 0
        PhaseProfile.reset()
        PhaseProfile.enabled = profile
        ProductLog.enabled = profile
        defer { PhaseProfile.enabled = false; ProductLog.enabled = false }
        let start = Date()
        for b in warmupSteps..<steps {
            tokens += try trainer.update(batches[b]).targets
            sentences += batches[b].count
        }
        let trainSeconds = Date().timeIntervalSince(start)
        PhaseProfile.enabled = false
        ProductLog.enabled = false
        let phases =
            profile
            ? Dictionary(
                uniqueKeysWithValues: PhaseProfile.Phase.allCases.map {
                    ($0.name(cell: cell), 1000 * PhaseProfile.seconds[$0.rawValue] / Double(timedSteps))
                })
            : nil
        let products = profile ? Self.phaseProducts(updates: timedSteps, threads: threads, cell: cell) : nil

        // Encoding: posterior means of the validation file, as `textvae encode` computes them
        // (SentenceVAE.encode: batches of sentences of about the same length).
        let trained = trainer.checkpoint.file.model
        let encodeStart = Date()
        _ = trained.encode(set.valid, workspace: Workspace(threads: threads))
        let encodeSeconds = Date().timeIntervalSince(encodeStart)

        // Sampling: greedy decoding of 1,000 z ~ N(0, I), in `decode`'s batches, as `textvae sample`.
        // The reference's bench caps sentences at 60 tokens with <eos>; textvae at 60 words, then <eos>.
        var prior = Random(seed: seed)
        let z = (0..<1000 * config.latent).map { _ in prior.normal() }
        let sampleStart = Date()
        let decoded = trained.decode(z, workspace: DecoderWorkspace(threads: threads))
        let sampleSeconds = Date().timeIntervalSince(sampleStart)
        let samplePositions = decoded.reduce(0) { $0 + $1[0].tokens.count + 1 }

        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let result = Result(
            trainTokensPerSecond: Double(tokens) / trainSeconds, trainSentencesPerSecond: Double(sentences) / trainSeconds,
            encodeSentencesPerSecond: Double(set.valid.count) / encodeSeconds,
            sampleSentencesPerSecond: 1000 / sampleSeconds, sampleTokens: samplePositions, threads: threads,
            blas: BLAS.description(threads: threads), kernels: VectorKernels.description, peakRSSMegabytes: Double(usage.ru_maxrss) / 1024,
            parameters: model.layout.total,
            profile: phases, products: products, cpu: CPUDescription.current)
        return (result, trainer)
    }

    /// The profiled phases' products, each against a probe of its heaviest shape (by work).
    static func phaseProducts(updates: Int, threads: Int, cell: RecurrentCell) -> [PhaseProducts] {
        PhaseProfile.Phase.allCases.compactMap { phase in
            let counts = PhaseProfile.products[phase.rawValue]
            guard let heaviest = counts.max(by: { Double($0.value) * $0.key.flops < Double($1.value) * $1.key.flops })?.key else {
                return nil
            }
            let seconds = PhaseProfile.seconds[phase.rawValue] / Double(updates)
            let flops = counts.reduce(0) { $0 + Double($1.value) * $1.key.flops } / Double(updates)
            let achieved = flops / max(seconds, 1e-12) / 1e9
            let probe = ProductProbe.gflops(heaviest, threads: threads)
            return PhaseProducts(
                phase: phase.name(cell: cell), millisecondsPerUpdate: 1000 * seconds, gigaflopsPerUpdate: flops / 1e9,
                achievedGFLOPS: achieved, probeShape: heaviest.description, probeGFLOPS: probe, shareOfProbe: achieved / probe,
                bf16ProbeGFLOPS: phase == .outputForward ? ProductProbe.bf16GFLOPS(heaviest, threads: threads) : nil)
        }
    }
}
