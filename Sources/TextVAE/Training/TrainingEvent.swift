import Foundation

/// What a trainer tells whoever watches it (the CLI draws progress from these).
package enum TrainingEvent {
    package struct Step {
        package var epoch: Int, batch: Int, batches: Int, step: Int
        package var rec: Double, kl: Double, beta: Float
        package var tokensPerSecond: Double
    }

    package struct Epoch {
        package var epoch: Int, step: Int
        package var trainRec: Double, trainKL: Double
        package var valid: SentenceScores
        /// With labels: the share of labelled validation sentences whose most likely class under q(c|x) is theirs.
        package var validAccuracy: Double?
        package var seconds: Double, tokensPerSecond: Double
        /// At the final β, the best validation −ELBO so far: the model was saved as the run's best.
        package var improved: Bool
        package var beta: Float
        /// β was still rising: the model was saved as the latest, to be replaced by the epochs at the final β.
        package var savedWhileWarmingUp = false
        /// Whether training weighed the KL term. Not with an adversarial prior: its posteriors grow narrow, and
        /// the validation −ELBO and its perplexity bound, though still computed, are too loose to read.
        package var klTrained = true
    }

    case step(Step)
    case epoch(Epoch)
    case note(String)
    case warning(String)
}
