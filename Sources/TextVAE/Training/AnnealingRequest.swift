import Foundation

/// The KL schedule as asked for before the run's length is known. Once the corpus is read, the run knows
/// its updates per epoch and how many updates it plans (`RunLength`), and `schedule(plannedUpdates:)`
/// places the schedule in that plan. Placing it as a share of the run is what lets one default serve a
/// file of 1,000 lines (30 updates an epoch) and one of 300,000 (9,400): a schedule fixed in updates
/// would still be warming up when the small run ends, and be over in the large run's first epoch.
package struct AnnealingRequest: Codable, Equatable, Sendable {
    package enum Kind: String, Codable, Sendable, CaseIterable { case logistic, linear, cyclical, constant }

    /// A point in the run: a number of updates, or a share of the planned updates after any pretraining.
    package enum Point: Codable, Equatable, Sendable, CustomStringConvertible {
        case updates(Double)
        case share(Double)

        package func updates(of planned: Int) -> Double {
            switch self {
            case .updates(let n): n
            case .share(let s): s * Double(planned)
            }
        }

        package var description: String {
            switch self {
            case .updates(let n): n == n.rounded() ? "\(Int(n))" : "\(n)"
            case .share(let s): String(format: "%g%%", 100 * s)
            }
        }

        /// "2500" (updates) or "30%" (a share of the planned updates); nil for anything else.
        package init?(_ text: String) {
            let t = text.trimmingCharacters(in: .whitespaces)
            if t.hasSuffix("%") {
                guard let p = Double(t.dropLast()), p >= 0, p <= 100 else { return nil }
                self = .share(p / 100)
            } else {
                guard let n = Double(t), n >= 0, n.isFinite else { return nil }
                self = .updates(n)
            }
        }
    }

    package var kind: Kind = .logistic
    /// The logistic schedule's midpoint (β = ½), or the linear schedule's length.
    package var x0: Point = .share(AnnealingRequest.defaultMidpointShare)
    /// The logistic schedule's steepness; nil: `steepness(x0:)`, so that β climbs from 1% to 99% between
    /// 0.26·x0 and 1.74·x0, whatever x0 is.
    package var k: Double?
    package var cycles = KLSchedule.defaultCycles
    package var ratio = KLSchedule.defaultRatio
    package var beta = KLSchedule.defaultBeta

    /// The default midpoint: β is ½ after 27% of the planned updates and reaches 99% after 47%, so that
    /// about half of the run trains at the final β, where epochs are compared and the best one kept. On the
    /// Penn Treebank's 929 updates an epoch and 10 epochs this is the midpoint of 2,500 updates and the
    /// steepness of 0.0025 that textvae used before runs were planned.
    package static let defaultMidpointShare = 0.27
    /// How wide the logistic climb is, relative to its midpoint (1% to 99% over x0 · (1 ± this)).
    static let climbWidth = 0.74

    package init() {}

    /// The steepness that takes β from 1% to 99% over x0 · (1 ± 0.74).
    package static func steepness(x0: Double) -> Double { log(99) / (climbWidth * max(x0, 1)) }

    /// The schedule placed in a run of `plannedUpdates` updates (after any pretraining).
    package func schedule(plannedUpdates: Int) -> KLSchedule {
        let planned = max(1, plannedUpdates), x0 = self.x0.updates(of: planned)
        switch kind {
        case .logistic: return .logistic(k: k ?? Self.steepness(x0: x0), x0: x0)
        case .linear: return .linear(x0: x0)
        case .cyclical: return .cyclical(cycles: cycles, ratio: ratio, totalSteps: planned)
        case .constant: return .constant(beta: beta)
        }
    }

    /// One parameter as text, by its flag's name ("anneal", "k", "x0", "cycles", "ratio", "beta"), as
    /// `KLSchedule.parameter` names them; "none" for one this kind of schedule does not have, "auto" for a
    /// steepness derived from x0.
    package func parameter(_ name: String) -> String {
        switch (kind, name) {
        case (_, "anneal"): kind.rawValue
        case (.logistic, "k"): k.map { "\($0)" } ?? "auto"
        case (.logistic, "x0"), (.linear, "x0"): x0.description
        case (.cyclical, "cycles"): "\(cycles)"
        case (.cyclical, "ratio"): "\(ratio)"
        case (.constant, "beta"): "\(beta)"
        default: "none"
        }
    }

    /// What makes this request unusable, or nil.
    var problem: String? {
        switch x0 {
        case .updates(let n) where !(n >= 0 && n.isFinite): return "x0 \(n)"
        case .share(let s) where !(s >= 0 && s <= 1): return "x0 \(s) of the run"
        default: break
        }
        if let k, !(k > 0 && k.isFinite) { return "logistic schedule k \(k)" }
        return schedule(plannedUpdates: 1000).problem
    }
}
