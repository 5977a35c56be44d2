import Foundation
import Testing

@testable import TextVAE

/// The KL controller against a simulated model whose KL follows β with a lag: KL moves a twentieth of the
/// way per update towards 30·e^(−3β) nats, so that β* = ln(30 / target) / 3 holds a reachable target.
@Suite struct KLControllerTests {
    /// One update of the simulated model: its KL after training with β.
    static func respond(kl: Double, beta: Float, equilibrium: (Double) -> Double = { 30 * exp(-3 * $0) }) -> Double {
        kl + 0.05 * (equilibrium(Double(beta)) - kl)
    }

    static func steer(_ controller: inout KLController, kl: inout Double, updates: Int, equilibrium: @escaping (Double) -> Double) {
        for _ in 0..<updates {
            kl = respond(kl: kl, beta: controller.beta, equilibrium: equilibrium)
            controller.observe(kl: kl)
        }
    }

    @Test(arguments: [5.0, 10.0, 20.0])
    func holdsAReachableTargetWithoutLastingError(target: Double) {
        var controller = KLController(target: target, plannedUpdates: 1000)
        var kl = 0.0
        Self.steer(&controller, kl: &kl, updates: 20_000) { 30 * exp(-3 * $0) }
        #expect(abs(kl - target) < 0.05, "KL \(kl), target \(target)")
        let settled = log(30 / target) / 3
        #expect(abs(Double(controller.beta) - settled) < 0.01, "β \(controller.beta), expected about \(settled)")
    }

    /// A KL that stays below the target pins β at 0 without winding the integral down, so that β rises as soon
    /// as the KL passes the target; a KL that stays above it even at β = 1 pins β and the integral at 1.
    @Test func pinnedAtABoundItDoesNotWindUp() {
        var starved = KLController(target: 10, plannedUpdates: 1000)
        var kl = 0.0
        Self.steer(&starved, kl: &kl, updates: 5000) { _ in 4 }
        #expect(starved.beta < 0.01 && starved.integral == 0, "β \(starved.beta), integral \(starved.integral)")
        // Once the model can carry more, the starved controller settles as fast as a fresh one.
        var fresh = KLController(target: 10, plannedUpdates: 1000)
        var freshKL = kl
        for _ in 0..<3000 {
            kl = Self.respond(kl: kl, beta: starved.beta)
            starved.observe(kl: kl)
            freshKL = Self.respond(kl: freshKL, beta: fresh.beta)
            fresh.observe(kl: freshKL)
        }
        #expect(abs(kl - freshKL) < 0.01 && abs(kl - 10) < 0.5, "KL \(kl) vs a fresh controller's \(freshKL)")

        var flooded = KLController(target: 1, plannedUpdates: 1000)
        kl = 0
        Self.steer(&flooded, kl: &kl, updates: 5000) { 30 * exp(-3 * $0) }  // at least 1.49 nats
        #expect(flooded.beta == 1 && flooded.integral == 1, "β \(flooded.beta), integral \(flooded.integral)")
    }

    /// A non-finite KL (a batch that overflowed) leaves β as it was.
    @Test func aNonFiniteKLChangesNothing() {
        var controller = KLController(target: 5, plannedUpdates: 100)
        controller.observe(kl: 9)
        let before = controller
        controller.observe(kl: .nan)
        controller.observe(kl: .infinity)
        #expect(controller == before && controller.problem == nil)
    }
}
