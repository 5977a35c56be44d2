import Foundation

/// Points on a path between two latent codes, for Bowman et al.'s homotopy.
package enum Interpolation {
    /// The points `textvae interpolate` decodes unless told otherwise, the two ends included.
    package static let defaultSteps = 5

    /// K evenly spaced t in [0, 1]: 0, 1/(K−1), ..., 1 (exactly 0 and 1 at the ends).
    package static func steps(_ k: Int) -> [Double] {
        precondition(k >= 2, "an interpolation needs at least 2 steps")
        return (0..<k).map { $0 == k - 1 ? 1 : Double($0) / Double(k - 1) }
    }

    /// (1 − t) a + t b. At t = 0 and t = 1 the result is exactly a and b.
    package static func linear(_ a: [Float], _ b: [Float], _ t: Double) -> [Float] {
        precondition(a.count == b.count)
        return zip(a, b).map { Float((1 - t) * Double($0) + t * Double($1)) }
    }

    /// Spherical interpolation (Shoemake 1985; White 2016 for generative models):
    ///
    ///     slerp(a, b, t) = sin((1 − t) θ) / sin θ · a + sin(t θ) / sin θ · b,  cos θ = a·b / (|a| |b|)
    ///
    /// It keeps the path away from the origin, where a Gaussian prior has
    /// little mass in many dimensions. Falls back to `linear` when a and b are
    /// (anti)parallel or one is zero, where θ does not define a unique arc.
    package static func spherical(_ a: [Float], _ b: [Float], _ t: Double) -> [Float] {
        precondition(a.count == b.count)
        var dot = 0.0, na = 0.0, nb = 0.0
        for (x, y) in zip(a, b) { dot += Double(x) * Double(y); na += Double(x) * Double(x); nb += Double(y) * Double(y) }
        guard na > 0, nb > 0 else { return linear(a, b, t) }
        let theta = acos(min(1, max(-1, dot / (na * nb).squareRoot())))
        let s = sin(theta)
        guard s > 1e-6 else { return linear(a, b, t) }
        if t == 0 { return a }
        if t == 1 { return b }
        let wa = sin((1 - t) * theta) / s, wb = sin(t * theta) / s
        return zip(a, b).map { Float(wa * Double($0) + wb * Double($1)) }
    }
}
