import Foundation

/// The adversarial prior's discriminator (`train --regulariser adversarial`; Makhzani et al. 2016's adversarial
/// autoencoder, Shen et al. 2020's DAAE): a small network that tells codes drawn from the prior N(0, I) from codes
/// the encoder gives, D(z) = w₂ · φ(W₁ z + b₁) + b₂ with φ a smooth leaky ReLU, φ(a) = 0.2 a + 0.8 log(1 + eᵃ)
/// (slope from 0.2 to 1), a logit (positive: "from the prior"). It takes the KL
/// term's place: the encoder is pushed to make codes D takes for the prior's, −log σ(D(z)) each, while D learns
/// to tell them apart, −log σ(D(z_prior)) − log(1 − σ(D(z_posterior))). Its parameters are one flat array:
/// W₁ (width × Z, rows), b₁ (width), w₂ (width), b₂ (1). φ does not saturate: with tanh the encoder learnt to
/// send its codes far out, where every hidden unit saturates and D can no longer learn to tell them from the
/// prior's (measured: codes 40x further from N(0, I) than with no regulariser at all). It is smooth, unlike a
/// leaky ReLU, so that both losses' gradients can be checked against finite differences anywhere.
package struct LatentDiscriminator: Equatable, Sendable {
    /// Hidden units: ample for a distribution over 16-64 dimensions; its work is negligible beside the model's.
    package static let width = 64
    /// Z.
    package let latent: Int
    package var parameters: [Float]

    /// Values in the flat array: W₁, b₁, w₂, b₂.
    package static func parameterCount(latent Z: Int) -> Int { width * Z + 2 * width + 1 }

    /// PyTorch's default initialisation for its two linear layers, U(−1/√fan_in, 1/√fan_in), from `seed`.
    package init(latent Z: Int, seed: UInt64) {
        latent = Z
        var rng = Random(seed: seed)
        let first = 1 / Float(max(1, Z)).squareRoot(), second = 1 / Float(Self.width).squareRoot()
        parameters = (0..<Self.parameterCount(latent: Z)).map { i in
            (rng.uniform() * 2 - 1) * (i < Self.width * Z + Self.width ? first : second)
        }
    }

    package init(latent Z: Int, parameters: [Float]) {
        precondition(parameters.count == Self.parameterCount(latent: Z), "one value per discriminator parameter")
        latent = Z
        self.parameters = parameters
    }

    /// φ's slope far below 0.
    static let leak: Float = 0.2

    /// D(z) for each of `rows` codes (rows, Z), and the hidden units' inputs W₁ z + b₁ (rows, width).
    func logits(_ z: UnsafePointer<Float>, rows: Int) -> (logits: [Float], hidden: [Float]) {
        let (Z, W) = (latent, Self.width)
        var logits = [Float](repeating: parameters[W * Z + 2 * W], count: rows)
        var hidden = [Float](repeating: 0, count: rows * W)
        for r in 0..<rows {
            for u in 0..<W {
                var a = parameters[W * Z + u]
                for j in 0..<Z { a += parameters[u * Z + j] * z[r * Z + j] }
                hidden[r * W + u] = a
                logits[r] += parameters[W * Z + W + u] * Self.activation(a)
            }
        }
        return (logits, hidden)
    }

    /// The encoder's side: −log σ(D(z)) for each code, and d(Σ rows / `meanOver`) / dz (rows, Z) added into `dz`
    /// times `scale`.
    func encoderTerm(
        _ z: UnsafePointer<Float>, rows: Int, meanOver: Int, scale: Float, dz: UnsafeMutablePointer<Float>?
    ) -> [Float] {
        let (Z, W) = (latent, Self.width)
        let (logits, hidden) = logits(z, rows: rows)
        let perRow = logits.map { Self.softplus(-$0) }
        guard let dz else { return perRow }
        for r in 0..<rows {
            // d softplus(−D) / dD = −σ(−D); dD/dz = W₁ᵀ (w₂ ⊙ φ'(a)).
            let dLogit = -Self.sigmoid(-logits[r]) * scale / Float(meanOver)
            for u in 0..<W {
                let back = dLogit * parameters[W * Z + W + u] * Self.slope(hidden[r * W + u])
                for j in 0..<Z { dz[r * Z + j] += back * parameters[u * Z + j] }
            }
        }
        return perRow
    }

    /// The discriminator's own loss, Σ_prior softplus(−D) + Σ_posterior softplus(D), over `meanOver`, with its
    /// gradient added into `gradient` (one value per parameter). `prior` and `posterior` hold `rows` codes each.
    func loss(
        prior: UnsafePointer<Float>, posterior: UnsafePointer<Float>, rows: Int, meanOver: Int, gradient: UnsafeMutablePointer<Float>
    ) -> Float {
        let (Z, W) = (latent, Self.width)
        var total: Float = 0
        for (codes, label) in [(prior, Float(1)), (posterior, Float(0))] {
            let (logits, hidden) = logits(codes, rows: rows)
            for r in 0..<rows {
                // −log σ(D) for the prior's codes, −log(1 − σ(D)) = softplus(D) for the encoder's.
                total += label == 1 ? Self.softplus(-logits[r]) : Self.softplus(logits[r])
                let dLogit = (Self.sigmoid(logits[r]) - label) / Float(meanOver)
                gradient[W * Z + 2 * W] += dLogit
                for u in 0..<W {
                    let a = hidden[r * W + u]
                    gradient[W * Z + W + u] += dLogit * Self.activation(a)
                    let back = dLogit * parameters[W * Z + W + u] * Self.slope(a)
                    gradient[W * Z + u] += back
                    for j in 0..<Z { gradient[u * Z + j] += back * codes[r * Z + j] }
                }
            }
        }
        return total / Float(meanOver)
    }

    /// φ(a) = 0.2 a + 0.8 softplus(a).
    static func activation(_ a: Float) -> Float { leak * a + (1 - leak) * softplus(a) }

    /// φ'(a) = 0.2 + 0.8 σ(a).
    static func slope(_ a: Float) -> Float { leak + (1 - leak) * sigmoid(a) }

    /// log(1 + eˣ), without overflow.
    static func softplus(_ x: Float) -> Float { x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)) }

    static func sigmoid(_ x: Float) -> Float { x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)) }
}
