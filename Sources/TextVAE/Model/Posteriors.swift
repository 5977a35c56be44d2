import Foundation

/// The posterior q(z|x) = N(μ, diag σ²) of each sentence of a list: the
/// encoder alone (`encode(_:workspace:)`), without the decoder pass of `run`.
package struct Posteriors: Equatable {
    package var mu: [Float]  // (N, Z)
    package var logv: [Float]  // (N, Z)
    /// q(c|x) of each sentence in a model with K classes, (N, K); empty without classes.
    package var classProbabilities: [Float] = []

    package var count: Int { latent == 0 ? 0 : mu.count / latent }
    package let latent: Int

    package init(latent: Int, mu: [Float] = [], logv: [Float] = []) {
        self.latent = latent
        self.mu = mu
        self.logv = logv
    }

    package func mu(_ i: Int) -> ArraySlice<Float> { mu[i * latent..<(i + 1) * latent] }
    package func logv(_ i: Int) -> ArraySlice<Float> { logv[i * latent..<(i + 1) * latent] }

    /// q(c|x) of sentence i (K values; empty without classes).
    package func classProbabilities(_ i: Int) -> ArraySlice<Float> {
        let K = classProbabilities.count / max(1, count)
        return classProbabilities[i * K..<(i + 1) * K]
    }

    /// The most likely class of each sentence under q(c|x) (empty without classes).
    package var mostLikelyClasses: [Int] { ClassChoice.mostLikely(classProbabilities, classes: classProbabilities.count / max(1, count)) }

    /// One z ~ q(z|x) per sentence, (N, Z): μ + σ ⊙ ε with ε from `rng` (σ computed in Double).
    package func draw(_ rng: inout Random) -> [Float] {
        var z = mu
        for k in z.indices { z[k] += Float(exp(0.5 * Double(logv[k]))) * rng.normal() }
        return z
    }
}
