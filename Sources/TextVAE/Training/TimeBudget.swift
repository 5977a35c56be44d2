/// How many updates a time limit leaves room for, from the pace measured so far: what places the KL schedule
/// of a run with `--time-limit` so that β reaches its final value well before the limit.
package struct TimeBudget: Sendable {
    /// The run's time limit, in seconds from its start (or its resume).
    package let limitSeconds: Double

    /// The share of the measured pace the plan counts on: validation, checkpoints and a machine that gets
    /// a little busier take the rest.
    static let margin = 0.9

    package init(limitMinutes: Double) { limitSeconds = limitMinutes * 60 }

    /// The updates after any pretraining that fit: those already made (`made`, counted from the run's first,
    /// even before a resume), plus the time left at `margin` of the pace of the last `timed` updates, which
    /// took `seconds` since the clock started.
    package func affordableUpdates(made: Int, timed: Int, seconds: Double, pretrainUpdates: Int) -> Int {
        let pace = seconds / Double(max(1, timed)), left = max(0, limitSeconds - seconds)
        return max(1, made + Int(Self.margin * left / max(pace, 1e-9)) - pretrainUpdates)
    }

    /// Whether a plan of `planned` updates should shrink to `affordable`. At the first placement, whenever
    /// fewer fit; later, while β still rises, only when more than a tenth of the plan no longer fits: each
    /// placement lifts β at once (the same step sits later in a shorter curve), so small drifts of the pace
    /// are left alone, and a plan never grows back.
    package static func shouldShrink(planned: Int, to affordable: Int, firstPlacement: Bool) -> Bool {
        firstPlacement ? affordable < planned : Double(affordable) < 0.9 * Double(planned)
    }
}
