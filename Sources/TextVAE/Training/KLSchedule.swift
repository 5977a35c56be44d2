import Foundation

/// How the KL weight β grows during training (the Training article of the documentation catalog), as a
/// function of `step`, the number of optimiser updates before this one.
/// Starting near 0 lets the decoder learn to use z before the KL term pushes
/// the posterior to the prior (Bowman et al. 2016).
package enum KLSchedule: Codable, Equatable, Sendable {
    /// β = 1 / (1 + exp(−k (step − x0))).
    case logistic(k: Double, x0: Double)
    /// β = min(1, step / x0).
    case linear(x0: Double)
    /// Fu et al. 2019: `cycles` cycles over `totalSteps`; in each, β rises from
    /// 0 to 1 over the first `ratio` of the cycle, then stays 1.
    case cyclical(cycles: Int, ratio: Double, totalSteps: Int)
    /// β fixed.
    case constant(beta: Double)

    /// The default logistic schedule's steepness and midpoint (in updates): β reaches ½ after 2,500 updates.
    package static let defaultK = 0.0025, defaultX0 = 2500.0
    /// Defaults of the other schedules' parameters (Fu et al. 2019 use 4 cycles, half of each rising).
    package static let defaultCycles = 4, defaultRatio = 0.5, defaultBeta = 1.0

    package func beta(step: Int) -> Float {
        let s = Double(step)
        switch self {
        case .logistic(let k, let x0): return Float(1 / (1 + exp(-k * (s - x0))))
        case .linear(let x0): return x0 <= 0 ? 1 : Float(min(1, s / x0))
        case .cyclical(let cycles, let ratio, let total):
            let period = max(1, Double(total) / Double(max(1, cycles)))
            return Float(min(1, s.truncatingRemainder(dividingBy: period) / period / ratio))
        case .constant(let beta): return Float(beta)
        }
    }
}

extension KLSchedule {
    /// The first update (as `beta(step:)` counts them) whose β is at its final value (99% of it for the logistic curve, which only
    /// approaches 1): from there on, epochs train the objective they are compared by. For a cyclical
    /// schedule, the start of the last cycle's plateau.
    package var annealedStep: Int {
        switch self {
        case .logistic(let k, let x0): Int(max(0, (x0 + log(99) / k).rounded(.up)))
        case .linear(let x0): Int(max(0, x0.rounded(.up)))
        case .cyclical(let cycles, let ratio, let total):
            Int((Double(total) / Double(max(1, cycles)) * (Double(max(1, cycles) - 1) + ratio)).rounded(.up))
        case .constant: 0
        }
    }

    /// What makes this schedule unusable, or nil.
    var problem: String? {
        switch self {
        case .logistic(let k, let x0): k > 0 && k.isFinite && x0 >= 0 && x0.isFinite ? nil : "logistic schedule k \(k), x0 \(x0)"
        case .linear(let x0): x0 >= 0 && x0.isFinite ? nil : "linear schedule x0 \(x0)"
        case .cyclical(let cycles, let ratio, let total):
            cycles >= 1 && ratio > 0 && ratio <= 1 && total >= 0
                ? nil : "cyclical schedule \(cycles) cycles, ratio \(ratio), \(total) steps"
        case .constant(let beta): beta >= 0 && beta.isFinite ? nil : "constant β \(beta)"
        }
    }
}
