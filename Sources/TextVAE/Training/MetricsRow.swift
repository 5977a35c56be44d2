/// The rows of the metrics log (`MetricsLog`), typed: what each row holds is written here once, with the
/// names (snake case) that `textvae plot`, pandas and the Training article read.
package enum MetricsRow {
    /// One row per `--log-steps` updates: the update's own figures.
    package struct Step: Codable, Equatable, Sendable {
        package var kind = "step"
        package var step: Int
        /// Epochs done, and the share of the current one.
        package var epoch: Double
        /// The update's mean reconstruction and KL terms per sentence, its β, loss and gradient norm (before clipping).
        package var rec: Double, kl: Double, beta: Double, loss: Double
        package var gradNorm: Double
        /// Target tokens per second of training time in the current epoch.
        package var tokensPerSecond: Double

        enum CodingKeys: String, CodingKey {
            case kind, step, epoch, rec, kl, beta, loss, gradNorm = "grad_norm", tokensPerSecond = "tokens_per_s"
        }
    }

    /// One row per epoch: the epoch's training means, the validation figures, and what became of the model.
    package struct Epoch: Codable, Equatable, Sendable {
        package var kind = "epoch"
        package var step: Int
        package var epoch: Int
        package var beta: Double
        /// Whether β had reached its final value (only then does an epoch compete to be kept).
        package var annealed: Bool
        /// Whether this epoch's model is the one kept so far.
        package var kept: Bool
        package var trainRec: Double, trainKL: Double, trainNELBO: Double
        package var validRec: Double, validKL: Double, validNELBO: Double, validPPL: Double
        package var seconds: Double, tokensPerSecond: Double
        /// The class KL, in a model with classes; the label accuracy of q(c|x), in a run with labels.
        package var validClassKL: Double?
        package var validAccuracy: Double?

        enum CodingKeys: String, CodingKey {
            case kind, step, epoch, beta, annealed, kept, seconds
            case trainRec = "train_rec", trainKL = "train_kl", trainNELBO = "train_nelbo"
            case validRec = "valid_rec", validKL = "valid_kl", validNELBO = "valid_nelbo", validPPL = "valid_ppl"
            case tokensPerSecond = "tokens_per_s", validClassKL = "valid_class_kl", validAccuracy = "valid_accuracy"
        }
    }
}
