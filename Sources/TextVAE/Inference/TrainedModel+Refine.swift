import Foundation

extension TrainedModel {
    /// Refines each sentence's code at test time (semi-amortized inference, Kim et al. 2018): the encoder's μ is
    /// a fast guess shared by all sentences, so a few gradient steps on that one sentence's objective bring z
    /// closer to a code that gives the sentence back. The objective is the ELBO's part that depends on the mean
    /// with z at the mean (the sampling noise left out, so the result does not depend on a seed):
    ///
    ///     f(z) = −log p(x | z) + ½ ‖z‖²
    ///
    /// minimised with Adam (`learningRate`, β₁ 0.9, β₂ 0.999) for `steps` steps from `z`; each sentence keeps the
    /// iterate with its lowest f (never worse than where it started). In a model with classes c stays each
    /// sentence's `classes` entry. Sentences go through in groups of `refinementBatchSize`.
    /// - Returns: the refined codes (N × Z) and each sentence's f before and after.
    package func refine(
        _ sentences: [[Int32]], from z: [Float], classes: [Int]? = nil, steps: Int, learningRate: Float = TrainedModel.refinementRate
    ) -> (z: [Float], before: [Float], after: [Float]) {
        let Z = latent, N = sentences.count
        precondition(z.count == N * Z && sentences.allSatisfy { !$0.isEmpty }, "one code per non-empty sentence")
        var best = z, before = [Float](repeating: 0, count: N), after = before
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: model.layout.total)
        defer { scratch.deallocate() }
        for start in stride(from: 0, to: N, by: Self.refinementBatchSize) {
            let rows = start..<min(N, start + Self.refinementBatchSize), B = rows.count
            let batch = Batch(Array(sentences[rows])), groupClasses = classes.map { Array($0[rows]) }
            var current = Array(z[rows.lowerBound * Z..<rows.upperBound * Z])
            var m = [Float](repeating: 0, count: B * Z), v = m, lowest = [Float](repeating: .infinity, count: B)
            for step in 0...steps {
                let (nll, dNLL) = model.codeGradient(batch, z: current, classes: groupClasses, scratch: scratch, workspace: workspace)
                for r in 0..<B {
                    let f = nll[r] + 0.5 * (0..<Z).reduce(Float(0)) { $0 + current[r * Z + $1] * current[r * Z + $1] }
                    if step == 0 { before[start + r] = f }
                    if f < lowest[r] {
                        lowest[r] = f
                        for j in 0..<Z { best[(start + r) * Z + j] = current[r * Z + j] }
                    }
                }
                guard step < steps else { break }
                // Adam on f: its gradient is d NLL / dz + z.
                let t = Float(step + 1), correction1 = 1 - pow(0.9, t), correction2 = 1 - pow(0.999, t)
                for k in 0..<B * Z {
                    let g = dNLL[k] + current[k]
                    m[k] = 0.9 * m[k] + 0.1 * g
                    v[k] = 0.999 * v[k] + 0.001 * g * g
                    current[k] -= learningRate * (m[k] / correction1) / ((v[k] / correction2).squareRoot() + 1e-8)
                }
            }
            for r in 0..<B { after[start + r] = lowest[r] }
        }
        return (best, before, after)
    }

    /// Adam's step size for `refine`: z lives on the prior's scale (about 1 a dimension), and 0.05 a step lets 20
    /// steps move a coordinate by up to 1.
    package static let refinementRate: Float = 0.05
    /// Sentences refined together: a training batch's worth, whose logits (tokens × vocabulary) stay small.
    static let refinementBatchSize = 64
}
