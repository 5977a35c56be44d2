import Foundation

/// The discrete latent c of a model with K classes (Kingma et al. 2014's M2; Dupont 2018's JointVAE), forward
/// and backward, packed row order:
///
///     q(c|x) = softmax(l),  l = W_c h_T + b_c      (from the encoder's last state, beside μ and log σ²)
///     the decoder starts from h0 = W_zh [z; c] + b_zh
///
/// Each sentence's c and loss term (sums over the batch divided by `meanOver`, as the reconstruction term):
/// - labelled (class y): c = one-hot(y), and α · (−log q(y|x)), which trains q(c|x) as a classifier;
/// - unlabelled: c as `ClassChoice.Unlabelled` says, and the batch term γ · |KL̄ − C|, where
///   KL(q(c|x) ‖ uniform) = Σ_k q_k log q_k + log K, KL̄ is its sum over the unlabelled sentences ÷ `meanOver`,
///   and C the capacity; with C = 0 this is γ · KL̄, which for γ = 1 is the ELBO's own term.
///
/// The Gumbel-softmax c = softmax((l + g) / τ) passes d loss / dc back into l:
/// dl = (1/τ) c ⊙ (dc − ⟨c, dc⟩).
struct ClassLatent {
    let classes: Int
    /// (B, K): q's logits and probabilities.
    let logits: UnsafeMutablePointer<Float>, probabilities: UnsafeMutablePointer<Float>
    /// Per packed row: its label, or nil.
    let labels: [Int?]
    /// Per packed row: log Σ_k exp l_k, so that log q = l − it.
    let logNormalisers: [Float]
    /// Per packed row: −log q(y|x) (labelled rows; 0 otherwise) and KL(q(c|x) ‖ uniform) (unlabelled rows; 0 otherwise).
    let labelNLL: [Float], kl: [Float]
    /// What the loss adds: α Σ labelNLL / n + γ |KL̄ − C| (this rank's share, when the batch is shared); set by
    /// `settle`.
    private(set) var term: Float = 0
    /// d term / d KL̄: γ · sign(KL̄ − C); set by `settle`.
    private(set) var klSlope: Float = 0
    /// The Gumbel-softmax temperature when unlabelled rows' c is relaxed (and so passes a gradient back).
    let temperature: Float?

    /// q(c|x) and each row's c, written into columns `column ..< column + K` of `code` (rows `stride` apart).
    static func forward(
        _ batch: Batch, _ choice: ClassChoice, hT: UnsafePointer<Float>, hidden H: Int, _ p: ParameterPointers,
        settings: LossSettings, code: UnsafeMutablePointer<Float>, stride: Int, column: Int, classes K: Int,
        ws: Workspace
    ) -> ClassLatent {
        let B = batch.count
        precondition(choice.labels.count == B, "one label (or nil) per sentence")
        let logits = ws.classLogits.reserve(B * K), q = ws.classProbabilities.reserve(B * K)
        Linear.forward(hT, rows: B, input: H, output: K, weight: p[.classWeight], bias: p[.classBias], into: logits, threads: 1)
        var labels = [Int?](repeating: nil, count: B), labelNLL = [Float](repeating: 0, count: B), kl = labelNLL
        var logNormalisers = labelNLL
        var temperature: Float?
        for (row, s) in batch.order.enumerated() {
            let l = logits + row * K, qRow = q + row * K, c = code + row * stride + column
            let logNormaliser = Self.softmax(l, count: K, into: qRow)
            logNormalisers[row] = logNormaliser
            if let y = choice.labels[s] {
                precondition(y >= 0 && y < K, "label out of range")
                labels[row] = y
                labelNLL[row] = logNormaliser - l[y]
                for k in 0..<K { c[k] = k == y ? 1 : 0 }
                continue
            }
            var entropyTerm: Float = 0  // Σ q log q
            for k in 0..<K where qRow[k] > 0 { entropyTerm += qRow[k] * (l[k] - logNormaliser) }
            kl[row] = max(0, entropyTerm + log(Float(K)))
            switch choice.unlabelled {
            case .relaxed(let g, let tau):
                temperature = tau
                withUnsafeTemporaryAllocation(of: Float.self, capacity: K) { a in
                    for k in 0..<K { a[k] = (l[k] + g[s * K + k]) / tau }
                    _ = Self.softmax(a.baseAddress!, count: K, into: c)
                }
            case .drawn(let g):
                let best = (0..<K).max { l[$0] + g[s * K + $0] < l[$1] + g[s * K + $1] }!
                for k in 0..<K { c[k] = k == best ? 1 : 0 }
            case .mostLikely:
                let best = (0..<K).max { l[$0] < l[$1] }!
                for k in 0..<K { c[k] = k == best ? 1 : 0 }
            }
        }
        var latent = ClassLatent(
            classes: K, logits: logits, probabilities: q, labels: labels, logNormalisers: logNormalisers,
            labelNLL: labelNLL, kl: kl, temperature: temperature)
        latent.settle(wholeBatchKL: latent.klSum, settings: settings)
        return latent
    }

    /// These rows' class KL summed (their part of `BatchSums.classKL`).
    var klSum: Float { kl.reduce(0, +) }

    /// The term and the slope, given the class KL summed over the whole batch (these rows' own when the batch
    /// is whole). With a capacity on a shared batch, the term is these rows' share of the whole batch's, so
    /// that the ranks' losses add up to it; without one, each share's KL̄ part adds up by itself.
    mutating func settle(wholeBatchKL: Float, settings: LossSettings) {
        let B = labels.count, n = Float(settings.meanOver(B))
        let capacity = settings.classCapacity
        let klMean = (capacity > 0 ? wholeBatchKL : klSum) / n, gamma = settings.classWeight
        var klTerm = gamma * abs(klMean - capacity)
        if capacity > 0, let whole = settings.wholeBatch { klTerm *= Float(B) / Float(whole) }
        term = settings.labelWeight * labelNLL.reduce(0, +) / n + klTerm
        klSlope = klMean >= capacity ? gamma : -gamma
    }

    /// softmax of `count` values into `out`; returns their log-sum-exp.
    static func softmax(_ x: UnsafePointer<Float>, count: Int, into out: UnsafeMutablePointer<Float>) -> Float {
        var largest = -Float.infinity
        for k in 0..<count { largest = max(largest, x[k]) }
        var sum: Float = 0
        for k in 0..<count {
            out[k] = exp(x[k] - largest)
            sum += out[k]
        }
        for k in 0..<count { out[k] /= sum }
        return largest + log(sum)
    }

    /// d loss / d l from the loss terms and (for relaxed rows) from `dCode`'s class columns, then into W_c, b_c
    /// and (added) d loss / d h_T.
    func backward(
        hT: UnsafePointer<Float>, hidden H: Int, code: UnsafePointer<Float>, dCode: UnsafePointer<Float>, stride: Int,
        column: Int, settings: LossSettings, _ p: ParameterPointers, _ g: GradientPointers, dhT: UnsafeMutablePointer<Float>,
        ws: Workspace
    ) {
        let (B, K) = (labels.count, classes)
        let n = Float(settings.meanOver(B)), alpha = settings.labelWeight
        let dl = ws.dClassLogits.reserve(B * K)
        for row in 0..<B {
            let q = probabilities + row * K, l = logits + row * K, d = dl + row * K
            if let y = labels[row] {
                for k in 0..<K { d[k] = alpha / n * (q[k] - (k == y ? 1 : 0)) }
                continue
            }
            // d KL / d l_k = q_k (log q_k − Σ_j q_j log q_j), with log q = l − log-sum-exp.
            let logNormaliser = logNormalisers[row]
            var mean: Float = 0
            for k in 0..<K where q[k] > 0 { mean += q[k] * (l[k] - logNormaliser) }
            for k in 0..<K { d[k] = q[k] > 0 ? klSlope / n * q[k] * (l[k] - logNormaliser - mean) : 0 }
            if let tau = temperature {
                let c = code + row * stride + column, dc = dCode + row * stride + column
                var dot: Float = 0
                for k in 0..<K { dot += c[k] * dc[k] }
                for k in 0..<K { d[k] += c[k] * (dc[k] - dot) / tau }
            }
        }
        Linear.backward(
            hT, rows: B, input: H, output: K, weight: p[.classWeight], dOut: dl, dWeight: g[.classWeight],
            dBias: g[.classBias], dInput: dhT, accumulateInput: true, threads: 1)
    }
}
