import Foundation

/// Holds the KL term at a set point during training by steering β with feedback, as ControlVAE (Shao et al.
/// 2020) does: after each update, with e = target − KL (the batch's mean KL per sentence),
///
///     I ← I − Ki · e,    β = clamp(Kp / (1 + exp(e)) + I, 0, 1).
///
/// When the KL is above the target (e < 0) the integral I raises β, which pushes the KL down; below it, β
/// falls and lets the KL grow. The proportional term answers within an update, the integral removes the
/// lasting error. The integral is kept within [0, 1], β's own range (anti-windup): a KL that stays below the
/// target for long does not wind it far below 0, so β rises as soon as the KL passes the target. A target the
/// model cannot reach even at β = 1 leaves β at 1. The controller is part of the run's state, so that a resumed run steers as an uninterrupted one.
package struct KLController: Codable, Equatable, Sendable {
    /// The KL to hold, nats per sentence.
    package let target: Double
    /// Ki, β per nat of error per update: 1 / the run's planned updates, so that an error of one nat held over
    /// the whole run moves β by 1 (about ControlVAE's 10⁻⁴ for the 9,000 updates `--epochs auto` plans).
    package let integralGain: Double
    /// Kp: ControlVAE's, a step of at most 0.01 in β from the proportional term.
    package static let proportionalGain = 0.01
    package private(set) var integral = 0.0
    /// β for the next update.
    package private(set) var beta: Float = 0

    package init(target: Double, plannedUpdates: Int) {
        self.target = target
        integralGain = 1 / Double(max(1, plannedUpdates))
    }

    /// Takes the mean KL per sentence of the update just made and sets β for the next.
    package mutating func observe(kl: Double) {
        guard kl.isFinite else { return }
        let error = target - kl
        integral = min(1, max(0, integral - integralGain * error))
        let proportional = Self.proportionalGain / (1 + exp(min(error, 50)))
        beta = Float(min(1, max(0, proportional + integral)))
    }

    /// What makes this state unusable (read from a damaged or hand-edited checkpoint), or nil.
    var problem: String? {
        target > 0 && target.isFinite && integralGain > 0 && integralGain.isFinite && integral >= 0 && integral <= 1 && beta >= 0
            && beta <= 1
            ? nil : "a KL controller with target \(target), gain \(integralGain), integral \(integral), β \(beta)"
    }
}
