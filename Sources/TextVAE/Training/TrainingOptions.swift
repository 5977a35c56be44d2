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
    public var schedule: KLSchedule = .logistic(k: KLSchedule.defaultK, x0: KLSchedule.defaultX0)
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

    /// The options with a cyclical schedule's length set to `epochs` epochs of `batchesPerEpoch` updates
    /// (the other schedules do not depend on the run's length).
    public func withScheduleLength(batchesPerEpoch: Int) -> TrainingOptions {
        guard case .cyclical(let cycles, let ratio, _) = schedule else { return self }
        var o = self
        o.schedule = .cyclical(cycles: cycles, ratio: ratio, totalSteps: epochs * batchesPerEpoch)
        return o
    }
}

extension TrainingOptions {
    /// What makes these options unusable (read from a damaged or hand-edited checkpoint), or nil.
    public var problem: String? {
        if epochs < 1 { return "epochs \(epochs) (at least 1)" }
        if batchSize < 1 || batchSize > 4096 { return "batch size \(batchSize) (1 to 4096)" }
        if !(learningRate > 0 && learningRate < 10) { return "learning rate \(learningRate)" }
        if !(clip > 0 && clip.isFinite) { return "gradient clip \(clip)" }
        if !(wordDropout >= 0 && wordDropout <= 1) { return "word dropout \(wordDropout) (0 to 1)" }
        if !(freeBits >= 0 && freeBits.isFinite) { return "free bits \(freeBits)" }
        if patience < 0 || checkpointSteps < 0 || logSteps < 1 { return "patience, checkpoint steps or log steps out of range" }
        if !(checkpointMinutes >= 0 && checkpointMinutes.isFinite && timeLimitMinutes >= 0 && timeLimitMinutes.isFinite) {
            return "checkpoint minutes \(checkpointMinutes) or time limit \(timeLimitMinutes)"
        }
        return schedule.problem
    }
}
