/// Everything that shapes a training run besides the data and model sizes.
/// Stored in checkpoints so that `--resume` continues the same run.
public struct TrainingOptions: Codable, Equatable, Sendable {
    public var epochs = 10
    public var batchSize = 32
    public var learningRate: Float = 1e-3
    /// Global gradient-norm clip.
    public var clip: Float = 5
    /// Probability of replacing a decoder input word by `<unk>`.
    public var wordDropout: Float = 0.25
    public var schedule: KLSchedule = .logistic(k: 0.0025, x0: 2500)
    /// Free bits λ per latent dimension (0 = off).
    public var freeBits: Float = 0
    public var seed: UInt64 = 0
    /// Stop after this many epochs without a better validation −ELBO (0 = never).
    public var patience = 3
    /// Checkpoint every this many updates (0 = only at epoch ends) ...
    public var checkpointSteps = 0
    /// ... and at least every this many minutes (0 = off).
    public var checkpointMinutes: Double = 5
    /// Stop cleanly, with a checkpoint and the best model, after this many minutes (0 = no limit).
    public var timeLimitMinutes: Double = 0
    /// A metrics-log row every this many updates.
    public var logSteps = 50

    public init() {}
}

/// Where a run is, saved in checkpoints: enough to draw exactly the numbers
/// an uninterrupted run would have drawn.
public struct TrainingState: Codable, Equatable, Sendable {
    public var step = 0
    /// Epochs finished.
    public var epoch = 0
    /// Batches of the current epoch already done.
    public var batchInEpoch = 0
    /// The shuffling generator as it was when the current epoch began (its batches are re-derived from it).
    public var shuffleState: [UInt64]
    /// The generator for ε and word dropout, now.
    public var noiseState: [UInt64]
    public var bestValidNELBO: Double?
    public var epochsWithoutImprovement = 0
    /// Sums over the current epoch so far: sentences, tokens, rec, kl, seconds.
    public var epochSentences = 0, epochTokens = 0
    public var epochRec = 0.0, epochKL = 0.0, epochSeconds = 0.0
    public var collapseWarned = false

    public init(seed: UInt64) {
        shuffleState = Random(seed: seed).state
        noiseState = Random(seed: seed &+ 0x5EED).state
    }
}
