/// How far apart two points of the latent space are.
package enum DistanceMetric: String, CaseIterable, Sendable {
    /// 1 − cos(a, b), in [0, 2]: direction only. A zero vector has no direction;
    /// its distance to anything is taken as 1 (orthogonal).
    case cosine
    /// ‖a − b‖₂.
    case euclidean

    package func distance(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Double {
        precondition(a.count == b.count)
        var dot = 0.0, na = 0.0, nb = 0.0, squared = 0.0
        for (x, y) in zip(a, b) {
            let (x, y) = (Double(x), Double(y))
            dot += x * y; na += x * x; nb += y * y
            squared += (x - y) * (x - y)
        }
        switch self {
        case .euclidean: return squared.squareRoot()
        case .cosine:
            guard na > 0 && nb > 0 else { return 1 }
            // Clamped: rounding can put cos a hair above 1 for a point and itself.
            return max(0, 1 - dot / (na.squareRoot() * nb.squareRoot()))
        }
    }
}
