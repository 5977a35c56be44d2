import Foundation

/// What a trainer tells whoever watches it (the CLI draws progress from these).
public enum TrainingEvent {
    public struct Step {
        public var epoch: Int, batch: Int, batches: Int, step: Int
        public var rec: Double, kl: Double, beta: Float
        public var tokensPerSecond: Double
    }

    public struct Epoch {
        public var epoch: Int, step: Int
        public var trainRec: Double, trainKL: Double
        public var valid: SentenceScores
        /// With labels: the share of labelled validation sentences whose most likely class under q(c|x) is theirs.
        public var validAccuracy: Double?
        public var seconds: Double, tokensPerSecond: Double
        /// At the final β, the best validation −ELBO so far: the model was saved as the run's best.
        public var improved: Bool
        public var beta: Float
        /// β was still rising: the model was saved as the latest, to be replaced by the epochs at the final β.
        public var savedWhileWarmingUp = false
    }

    case step(Step)
    case epoch(Epoch)
    case note(String)
    case warning(String)
}
