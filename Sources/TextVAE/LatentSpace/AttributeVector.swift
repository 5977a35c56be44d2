/// An attribute vector in the latent space, as in the "smile vector" of
/// image VAEs and the sentence-attribute arithmetic that followed Bowman et
/// al. 2016: the mean posterior mean of sentences that have an attribute (B)
/// minus that of sentences that lack it (A),
///
///     v = mean_{b ∈ B} μ(b) − mean_{a ∈ A} μ(a),
///
/// added, scaled, to a sentence's posterior mean, z = μ(x) + s·v, and decoded.
/// Scale 0 is the sentence's own reconstruction; 1 moves it as far as A's
/// centre is from B's.
package struct AttributeVector: Equatable {
    /// v (Z).
    package let vector: [Float]
    /// How many sentences each side's mean is over.
    package let fromCount: Int, toCount: Int

    /// - Parameters:
    ///   - from: A's posterior means, N_A × Z.
    ///   - to: B's posterior means, N_B × Z.
    package init(from: [Float], to: [Float], dimension Z: Int) {
        precondition(Z > 0 && from.count % Z == 0 && to.count % Z == 0 && !from.isEmpty && !to.isEmpty)
        func mean(_ m: [Float]) -> [Double] {
            var s = [Double](repeating: 0, count: Z)
            for (i, x) in m.enumerated() { s[i % Z] += Double(x) }
            return s.map { $0 / Double(m.count / Z) }
        }
        let a = mean(from), b = mean(to)
        vector = (0..<Z).map { Float(b[$0] - a[$0]) }
        fromCount = from.count / Z
        toCount = to.count / Z
    }

    /// ‖v‖₂.
    package var norm: Double { vector.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot() }

    /// μ + s·v for each row of `mu` (N × Z).
    package func shift(_ mu: [Float], scale: Float) -> [Float] {
        let Z = vector.count
        precondition(mu.count % Z == 0)
        return mu.enumerated().map { $1 + scale * vector[$0 % Z] }
    }
}
