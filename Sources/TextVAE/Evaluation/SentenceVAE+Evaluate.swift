import Foundation

extension SentenceVAE {
    /// Every metric of the <doc:EvaluationMetrics> article over `sentences` (file order).
    ///
    /// One generator, seeded with `seed`, draws first the one-sample pass (ε per
    /// sentence, batches of `miBatch`: rec, kl, mi), then the k importance
    /// samples of each sentence in order. The draws do not depend on how the
    /// samples are grouped into decoder calls.
    /// - Parameters:
    ///   - samples: k, importance samples per sentence.
    ///   - rowsPerCall: at most this many sentence×sample rows per decoder call
    ///     (fewer for long sentences, so the logits stay within about 64 MB).
    ///   - progress: called after each decoder call with (samples done, samples in all).
    ///   - labels: in a model with classes, the sentences' classes (nil where unknown), for the label accuracy of
    ///     q(c|x) alone: every other figure is of the sentences without their labels (c drawn from q(c|x) in the
    ///     one-sample pass, summed over in nll).
    package func evaluate(
        _ sentences: [[Int32]], labels: [Int?]? = nil, samples k: Int = 500, seed: UInt64 = 0, miBatch: Int = 32,
        rowsPerCall: Int = 250, workspace: Workspace = Workspace(),
        progress: ((Int, Int) -> Void)? = nil
    ) -> EvaluationReport {
        precondition(!sentences.isEmpty && k >= 1 && miBatch >= 1)
        var rng = Random(seed: seed)
        let Z = config.latent
        // Without any latent (the language-model baseline) every importance weight is p(x): one sample is exact.
        let k = config.code == 0 ? 1 : k
        let one = score(sentences, batchSize: miBatch, rng: &rng, workspace: workspace)
        var report = EvaluationReport()
        report.sentences = sentences.count
        report.tokens = one.targetTotal
        report.samples = k
        report.rec = one.meanRec
        report.kl = one.meanKL
        report.classKL = one.meanClassKL
        if let labels, config.classes > 0 {
            report.labelAccuracy = one.labelAccuracy(labels)
            report.labelled = labels.filter { $0 != nil }.count
        }
        report.miBatch = miBatch
        var miSum = 0.0
        for start in stride(from: 0, to: sentences.count, by: miBatch) where Z > 0 {
            let r = start * Z..<min(sentences.count, start + miBatch) * Z
            miSum += Double(r.count / Z) * Metrics.mutualInformation(z: one.z[r], mu: one.mu[r], logv: one.logv[r], latent: Z)
        }
        report.mi = miSum / Double(sentences.count)
        (report.au, report.muVariance) = Metrics.activeUnits(mu: one.mu, latent: Z)

        let posteriors = Posteriors(latent: Z, mu: one.mu, logv: one.logv)
        let (nll, variance) = importanceSampledNLL(
            sentences, posteriors: posteriors, samples: k, rng: &rng,
            rowsPerCall: rowsPerCall, workspace: workspace, progress: progress)
        report.sentenceNLL = nll
        report.nll = nll.reduce(0, +) / Double(sentences.count)
        report.nllStandardError = variance.reduce(0, +).squareRoot() / Double(sentences.count)
        report.ppl = exp(nll.reduce(0, +) / Double(report.tokens))
        return report
    }

    /// −log p(x) by importance sampling with q(z|x) as the proposal:
    ///
    ///     nll(x) = log k − logsumexp_i [log p(x|z_i) + log N(z_i; 0, I) − log N(z_i; μ, σ²)],  z_i = μ + σ ⊙ ε_i
    ///
    /// In a model with K classes, c is summed over exactly inside each sample, with its uniform prior:
    /// p(x|z_i) = (1/K) Σ_c p(x|z_i, c), K decoder rows per sample.
    /// q(z|x) comes from `posteriors` (the encoder ran once per sentence); many sentence×sample rows go
    /// through the decoder alone (`reconstructionNLL`) in each call.
    /// - Returns: per sentence the estimate, and the delta-method variance of
    ///   the estimate, Var(w) / (k · mean(w)²) with w the importance weights.
    package func importanceSampledNLL(
        _ sentences: [[Int32]], posteriors: Posteriors, samples k: Int, rng: inout Random,
        rowsPerCall: Int = 250, workspace: Workspace = Workspace(),
        progress: ((Int, Int) -> Void)? = nil
    ) -> (nll: [Double], variance: [Double]) {
        let N = sentences.count
        precondition((posteriors.latent == 0 || posteriors.count == N) && k >= 1)
        let log2pi = log(2 * Double.pi)
        // Running log-sum-exp per sentence: the largest log w so far (m), and Σ w/e^m and Σ (w/e^m)².
        var m = [Double](repeating: -.infinity, count: N), s1 = [Double](repeating: 0, count: N), s2 = s1
        // Logits of a call are (Σ (T + 1)) × V floats; keep them to about 16M floats (64 MB).
        let positionBudget = max(1, (16 << 20) / config.vocabulary)
        let K = config.classes, perSample = max(1, K)  // decoder rows per sample: one per class
        var next = (sentence: 0, sample: 0), done = 0
        var rows: [[Int32]] = [], owners: [Int] = [], code: [Float] = [], logPrior: [Double] = [], logQ: [Double] = []
        while next.sentence < N {
            rows.removeAll(keepingCapacity: true); owners.removeAll(keepingCapacity: true); code.removeAll(keepingCapacity: true)
            logPrior.removeAll(keepingCapacity: true); logQ.removeAll(keepingCapacity: true)
            var positions = 0
            while next.sentence < N && rows.count < rowsPerCall {
                let s = next.sentence, length = sentences[s].count + 1
                if !rows.isEmpty && positions + length * perSample > positionBudget { break }
                let mu = posteriors.mu(s), logv = posteriors.logv(s)
                var lp = 0.0, lq = 0.0, z: [Float] = []
                for (u, lv) in zip(mu, logv) {
                    let e = rng.normal()
                    let value = u + VectorMath.fastExp(0.5 * lv) * e  // as GaussianLatent.reparameterise
                    z.append(value)
                    lp += -0.5 * (log2pi + Double(value) * Double(value))
                    lq += -0.5 * (log2pi + Double(lv) + Double(e) * Double(e))
                }
                if K == 0 {
                    code += z
                    rows.append(sentences[s])
                } else {
                    for c in 0..<K {
                        code += z
                        code += (0..<K).map { $0 == c ? 1 : 0 }
                        rows.append(sentences[s])
                    }
                }
                owners.append(s); logPrior.append(lp); logQ.append(lq)
                positions += length * perSample
                next.sample += 1
                if next.sample == k { next = (s + 1, 0) }
            }
            let rec = reconstructionNLL(Batch(rows), code: code, workspace: workspace)
            for (i, s) in owners.enumerated() {
                // log p(x|z_i): with classes, log (1/K) Σ_c p(x|z_i, c).
                var logLikelihood = -Double(rec[i * perSample])
                if K > 0 {
                    let terms = (0..<K).map { -Double(rec[i * K + $0]) }
                    let top = terms.max()!
                    logLikelihood = top + log(terms.reduce(0) { $0 + exp($1 - top) }) - log(Double(K))
                }
                let logW = logLikelihood + logPrior[i] - logQ[i]
                if logW > m[s] {
                    let scale = m[s] == -.infinity ? 0 : exp(m[s] - logW)
                    s1[s] = s1[s] * scale + 1
                    s2[s] = s2[s] * scale * scale + 1
                    m[s] = logW
                } else {
                    let w = exp(logW - m[s])
                    s1[s] += w
                    s2[s] += w * w
                }
            }
            done += owners.count
            progress?(done, N * k)
        }
        let samples = Double(k)
        var nll = [Double](repeating: 0, count: N), variance = nll
        for s in 0..<N {
            nll[s] = log(samples) - (m[s] + log(s1[s]))
            let mean = s1[s] / samples
            variance[s] = max(0, s2[s] / samples - mean * mean) / (mean * mean) / samples
        }
        return (nll, variance)
    }
}
