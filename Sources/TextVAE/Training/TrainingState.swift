/// Where a run is, saved in checkpoints: enough to draw exactly the numbers
/// an uninterrupted run would have drawn.
package struct TrainingState: Codable, Equatable, Sendable {
    package var step = 0
    /// Epochs finished.
    package var epoch = 0
    /// Batches of the current epoch already done.
    package var batchInEpoch = 0
    /// The shuffling generator as it was when the current epoch began (its batches are re-derived from it).
    package var shuffleState: [UInt64]
    /// The generator for ε and word dropout in checkpoints written before textvae 0.3, which drew them
    /// in sequence; they now come from `SentenceNoise`, keyed by the run's seed, the epoch and the sentence,
    /// so there is no state to keep (an older checkpoint resumes with the new numbers).
    package var noiseState: [UInt64]?
    /// The kept epoch's figure among those at the final β: validation −ELBO (reconstruction for an adversarial
    /// prior, whose epochs compete on it; the name is older than that rule).
    package var bestValidNELBO: Double?
    package var epochsWithoutImprovement = 0
    /// Sums over the current epoch so far: sentences, tokens, rec, kl, seconds.
    package var epochSentences = 0, epochTokens = 0
    package var epochRec = 0.0, epochKL = 0.0, epochSeconds = 0.0
    package var collapseWarned = false
    /// The epoch whose model is at the run's output (nil: none yet, or a checkpoint from before textvae 0.6).
    package var kept: KeptEpoch?
    /// Adam's learning rate now, after any decays on plateau (nil: the options' rate, as in checkpoints
    /// from before textvae 0.4, which had no decay).
    package var learningRate: Float?
    /// With a KL target: the controller that steers β (nil before the first update of the VAE's training).
    package var klController: KLController?

    package init(seed: UInt64) {
        shuffleState = Random(seed: seed).state
    }
}

extension TrainingState {
    /// What makes this state unusable (read from a damaged or hand-edited checkpoint), or nil.
    package var problem: String? {
        func usable(_ generator: [UInt64]) -> Bool { generator.count == 4 && generator.contains { $0 != 0 } }
        let limit = 1 << 40  // far beyond any run, far below overflow
        if !(0..<limit).contains(step) || !(0..<limit).contains(epoch) || !(0..<limit).contains(batchInEpoch) {
            return "a step, epoch or batch out of range (\(step), \(epoch), \(batchInEpoch))"
        }
        if !usable(shuffleState) || !(noiseState.map(usable) ?? true) {
            return "a random generator state that is not four numbers, not all zero"
        }
        if !(0..<limit).contains(epochsWithoutImprovement) || !(0..<limit).contains(epochSentences) || !(0..<limit).contains(epochTokens) {
            return "epoch counts out of range"
        }
        if !(epochRec.isFinite && epochKL.isFinite && epochSeconds.isFinite && epochSeconds >= 0) {
            return "epoch sums that are not finite"
        }
        if let best = bestValidNELBO, !best.isFinite { return "a best validation −ELBO of \(best)" }
        if let rate = learningRate, !(rate > 0 && rate.isFinite) { return "a learning rate of \(rate)" }
        if let problem = klController?.problem { return problem }
        return nil
    }
}
