import Foundation
import Testing

@testable import TextVAE

/// The estimators of `evaluate` on tiny fixed models, against what they must
/// satisfy whatever the model: identities, expectations and bounds.
@Suite struct MetricsTests {
    static let sentences: [[Int32]] = [[4, 5, 6, 7, 4, 8], [9, 10, 11, 1], [5], [6, 6, 7, 8, 9], [7, 4], [4, 4, 4], [11, 10, 9, 8]]

    /// A model whose posteriors are far from the prior (μ scaled up), so that
    /// KL, and the gap between the −ELBO and −log p(x), are large.
    static func model() -> SentenceVAE {
        var m = TinyModel.make()
        for i in m.layout.range(.meanWeight) { m.parameters[i] *= 6 }
        return m
    }

    @Test func activeUnitsCountedByHand() {
        // 4 sentences, Z = 4. Column variances (N − 1): 0, 5/3, 0.01/3, 0.04/3.
        let mu: [Float] = [
            1, 0, 0.1, 0.0,
            1, 1, 0.2, 0.2,
            1, 2, 0.1, 0.0,
            1, 3, 0.2, 0.2,
        ]
        let (count, variance) = Metrics.activeUnits(mu: mu, latent: 4)
        let expected = [0, 5.0 / 3, 0.01 / 3, 0.04 / 3]
        for j in 0..<4 { #expect(abs(variance[j] - expected[j]) < 1e-6, "dimension \(j): \(variance[j])") }
        #expect(count == 2)
        #expect(Metrics.activeUnits(mu: [1, 2], latent: 2).count == 0, "one sentence: no variance, no active unit")
        #expect(Metrics.activeUnits(mu: mu, latent: 4, threshold: 0.003).count == 3)
    }

    @Test func mutualInformationOfOneSentenceAndItsCeiling() {
        // B = 1: q(z) is the posterior itself, so MI = E[log q(z|x)] − log q(z_1|x) by hand.
        let mu: [Float] = [0.5, -1], logv: [Float] = [0.2, -0.4], z: [Float] = [0.1, -0.3]
        var logQ = 0.0, negEntropy = 0.0
        for j in 0..<2 {
            let v = exp(Double(logv[j])), d = Double(z[j]) - Double(mu[j])
            logQ += -0.5 * (log(2 * .pi) + Double(logv[j]) + d * d / v)
            negEntropy += -0.5 * (log(2 * .pi) + 1 + Double(logv[j]))
        }
        let mi = Metrics.mutualInformation(z: z[...], mu: mu[...], logv: logv[...], latent: 2)
        #expect(abs(mi - (negEntropy - logQ)) < 1e-9)
        // Posteriors far apart and narrow, each z one σ from its μ in every dimension (so that log q(z_i|x_i)
        // equals its expectation): the estimate approaches its ceiling log B from below.
        let B = 8
        var far = [Float](), narrow = [Float](), zs = [Float]()
        for i in 0..<B { far += [Float(10 * i), 0]; narrow += [-8, -8]; zs += [Float(10 * i) + exp(-4), -exp(-4)] }
        let high = Metrics.mutualInformation(z: zs[...], mu: far[...], logv: narrow[...], latent: 2)
        #expect(high <= log(Double(B)) + 1e-9 && high > log(Double(B)) - 1e-3, "\(high)")
    }

    @Test func nelboIsRecPlusKLAndPerplexityComesFromNLL() throws {
        try loadBLAS()
        let r = Self.model().evaluate(Self.sentences, samples: 20, seed: 1)
        let tokens = Self.sentences.reduce(0) { $0 + $1.count + 1 }
        #expect(r.sentences == 7 && r.tokens == tokens && r.samples == 20)
        var rng = Random(seed: 1)
        let one = Self.model().score(Self.sentences, batchSize: 32, rng: &rng)
        #expect(abs(r.rec - one.meanRec) < 1e-9 && abs(r.kl - one.meanKL) < 1e-9)
        #expect(abs(r.nelbo - (r.rec + r.kl)) < 1e-12)
        #expect(abs(r.nll - r.sentenceNLL.reduce(0, +) / 7) < 1e-9)
        #expect(abs(r.ppl - exp(r.sentenceNLL.reduce(0, +) / Double(tokens))) < 1e-9 * r.ppl)
        #expect(r.kl > 2, "the test model should have a large KL: \(r.kl)")
    }

    /// With k = 1, nll = rec(z) + log q(z|x) − log p(z) for one z ~ q, whose
    /// expectation is E[rec] + KL: the −ELBO. Averaged over seeds, the two
    /// estimates must agree within a few standard errors of their difference
    /// (about 0.035 nats here: 4 standard errors catch any bias above 0.15 nats).
    @Test func oneSampleNLLIsTheELBOInExpectation() throws {
        try loadBLAS()
        let model = Self.model()
        let workspace = Workspace()
        var differences: [Double] = []
        for seed in 0..<2000 as Range<UInt64> {
            let r = model.evaluate(Self.sentences, samples: 1, seed: seed, workspace: workspace)
            differences.append(r.nll - r.nelbo)
        }
        let n = Double(differences.count)
        let mean = differences.reduce(0, +) / n
        let sd = (differences.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
        #expect(sd > 0.05, "the estimates should be noisy: sd \(sd)")
        #expect(abs(mean) <= 4 * sd / n.squareRoot(), "mean difference \(mean), standard error \(sd / n.squareRoot())")
    }

    /// log-mean-exp is concave: E[nll_k] ≥ −log p(x) and it falls towards it as k
    /// grows, while the −ELBO stays above by about the posterior's mismatch.
    @Test func manySamplesGiveAnNLLBelowTheELBO() throws {
        try loadBLAS()
        let model = Self.model()
        var nll1 = 0.0, nll200 = 0.0, nelbo = 0.0
        for seed in 0..<4 as Range<UInt64> {
            let few = model.evaluate(Self.sentences, samples: 1, seed: seed)
            let many = model.evaluate(Self.sentences, samples: 200, seed: seed)
            nll1 += few.nll; nll200 += many.nll; nelbo += many.nelbo
            #expect(many.nll < many.nelbo, "seed \(seed): nll \(many.nll), nelbo \(many.nelbo)")
            #expect(many.nllStandardError < 0.2 && many.nllStandardError > 0)
        }
        #expect(nll200 < nll1 - 0.1 * 4, "nll with k = 200 (\(nll200 / 4)) well below k = 1 (\(nll1 / 4))")
        #expect(nll200 < nelbo)
    }

    /// The decoder-only pass that importance sampling uses gives `run`'s reconstruction term for the same z.
    @Test func reconstructionNLLIsRunsReconstructionTerm() throws {
        try loadBLAS()
        let model = Self.model(), Z = model.config.latent
        var rng = Random(seed: 9)
        let z = (0..<Self.sentences.count * Z).map { _ in rng.normal() }
        let batch = Batch(Self.sentences), ws = Workspace()
        let full = model.run(batch, latent: .given(z), workspace: ws).rec
        #expect(model.reconstructionNLL(batch, code: z, workspace: ws) == full)
    }

    /// The importance samples are drawn in sentence-then-sample order whatever
    /// the decoder batching, so grouping changes only float rounding.
    @Test func nllDoesNotDependOnHowSamplesAreBatched() throws {
        try loadBLAS()
        let model = Self.model()
        let reference = model.evaluate(Self.sentences, samples: 30, seed: 4)
        for rows in [1, 7, 30, 31, 1000] {
            let r = model.evaluate(Self.sentences, samples: 30, seed: 4, rowsPerCall: rows)
            for (a, b) in zip(r.sentenceNLL, reference.sentenceNLL) {
                #expect(abs(a - b) <= 1e-4 * abs(b), "rows per call \(rows): \(a) vs \(b)")
            }
        }
    }
}

/// Corpus BLEU-4, against figures worked by hand.
@Suite struct CorpusBLEUTests {
    @Test func identicalSentencesScoreOneAndAMissingOrderZero() {
        var same = CorpusBLEU()
        same.add(candidate: [1, 2, 3, 4, 5], reference: [1, 2, 3, 4, 5])
        #expect(same.score == 1)
        var short = CorpusBLEU()
        short.add(candidate: [1, 2, 3], reference: [1, 2, 3])  // no 4-gram at all
        #expect(short.score == 0)
        #expect(CorpusBLEU().score == 0)
    }

    @Test func precisionsAreClippedAndShortCandidatesPay() {
        // p1..p4 = 5/6, 4/5, 3/4, 2/3: their geometric mean is (1/3)^(1/4); same lengths, no penalty.
        var one = CorpusBLEU()
        one.add(candidate: [1, 2, 3, 4, 5, 9], reference: [1, 2, 3, 4, 5, 6])
        #expect(abs(one.score - pow(1.0 / 3, 0.25)) < 1e-12)
        // A repeated word matches only as often as the reference has it.
        var clipped = CorpusBLEU()
        clipped.add(candidate: [7, 7, 7, 7], reference: [7, 1, 2, 3])
        #expect(clipped.matches == [1, 0, 0, 0] && clipped.totals == [4, 3, 2, 1])
        // Sums over the corpus; a candidate of 5 tokens against references of 6 costs exp(1 − 12/10).
        var corpus = CorpusBLEU()
        corpus.add(candidate: [1, 2, 3, 4, 5], reference: [1, 2, 3, 4, 5, 6])
        corpus.add(candidate: [1, 2, 3, 4, 5], reference: [1, 2, 3, 4, 5, 6])
        #expect(abs(corpus.score - exp(1 - 12.0 / 10)) < 1e-12)
    }
}

/// distinct-n of prior samples, against counts worked by hand.
@Suite struct SampleQualityTests {
    @Test func distinctCountsEachNGramOnceOverAllSentences() {
        let samples: [[Int32]] = [[1, 2, 1], [1, 2], []]
        #expect(SampleQuality.distinct(samples, n: 1) == 2.0 / 5)  // 1, 2 among five words
        #expect(SampleQuality.distinct(samples, n: 2) == 2.0 / 3)  // (1 2) twice, (2 1) once
        #expect(SampleQuality.distinct(samples, n: 3) == 1)  // only (1 2 1)
        #expect(SampleQuality.distinct([[5]], n: 2) == 0)
    }
}

@Suite struct PathQualityTests {
    @Test func editDistanceCountsInsertionsDeletionsAndSubstitutions() {
        #expect(PathQuality.editDistance([], [1, 2]) == 2)
        #expect(PathQuality.editDistance([1, 2, 3], []) == 3)
        #expect(PathQuality.editDistance([1, 2, 3], [1, 2, 3]) == 0)
        #expect(PathQuality.editDistance([1, 2, 3], [1, 9, 3]) == 1)  // one substitution
        #expect(PathQuality.editDistance([1, 2, 3], [2, 3, 4]) == 2)  // drop 1, add 4
        #expect(PathQuality.editDistance([5, 6, 7, 8], [6, 5, 8]) == 2)  // drop 5, then 7 → 5
    }

    /// Two paths worked by hand: one that joins its ends and moves forward, one that misses an end and turns back.
    @Test func pathFiguresAsWorkedByHand() {
        var q = PathQuality()
        let a: [Int32] = [1, 2, 3], b: [Int32] = [4, 5]
        q.add(path: [a, a, [1, 5], b, b], from: a, to: b)  // distances from the start 0 0 2 3 3
        q.add(path: [[1, 2], [4, 5, 6], [1, 2, 7], b, b], from: a, to: b)  // from the start 0 3 1 2 2: turns back
        #expect(q.paths == 2 && q.bothEndsExact == 1 && q.endsExact == 3)
        #expect(q.bothEndsExactShare == 0.5 && q.endsExactShare == 0.75)
        #expect(q.meanDistinct == (3 + 4) / 2.0)
        // Steps: 0, 2, 1, 0 and 3, 3, 3, 0 over 8 neighbouring pairs.
        #expect(q.meanStepDistance == 12.0 / 8)
        #expect(q.monotone == 1 && q.monotoneShare == 0.5)
    }

    @Test func pairsAreOfDifferentSentencesAndTheSameForTheSameSeed() {
        let eligible = [3, 7, 8, 20]
        let pairs = PathQuality.pairs(count: 200, among: eligible, seed: 4)
        #expect(pairs.count == 200 && pairs.allSatisfy { $0.0 != $0.1 && eligible.contains($0.0) && eligible.contains($0.1) })
        #expect(Set(pairs.map { "\($0.0) \($0.1)" }).count == 12, "all 12 ordered pairs turn up")
        #expect(pairs.map { "\($0)" } == PathQuality.pairs(count: 200, among: eligible, seed: 4).map { "\($0)" })
        #expect(PathQuality.pairs(count: 5, among: [1], seed: 4).isEmpty)
    }
}

@Suite struct LatentGeometryTests {
    @Test func aCopyLosesExactlyOneWord() {
        var rng = Random(seed: 1)
        #expect(LatentGeometry.oneWordDeleted([7], &rng) == nil)
        for _ in 0..<50 {
            let copy = LatentGeometry.oneWordDeleted([4, 5, 6, 7], &rng)!
            #expect(copy.count == 3 && PathQuality.editDistance(copy, [4, 5, 6, 7]) == 1)
        }
    }

    /// The figure against a search written out here: each copy encoded alone, distances in double precision.
    @Test func theOwnNeighbourShareIsTheNearestMeansShare() throws {
        try loadBLAS()
        let trained = try TrainedModel(file: try TinyModel.file(TinyModel.varied(latentToInputs: true)), threads: 1)
        let sentences: [[Int32]] = [[4, 5, 6], [9, 10, 11, 4, 8], [7], [5, 5, 6, 9], [11, 10, 9], [4, 4, 4, 4, 4, 6]]
        let geometry = trained.latentGeometry(sentences, seed: 3)
        var rng = Random(seed: 3 ^ 0x6E0_3E7)
        let mu = trained.encode(sentences).mu, Z = trained.latent
        var copies = 0, own = 0
        for (i, sentence) in sentences.enumerated() {
            guard let copy = LatentGeometry.oneWordDeleted(sentence, &rng) else { continue }
            let c = trained.encode([copy]).mu
            let distances = sentences.indices.map { o in (0..<Z).reduce(0.0) { $0 + pow(Double(c[$1] - mu[o * Z + $1]), 2) } }
            copies += 1
            if distances.firstIndex(of: distances.min()!) == i { own += 1 }
        }
        #expect(
            geometry.copies == 5 && geometry.copies == copies && geometry.ownNeighbour == own, "\(geometry), by hand \(own) of \(copies)")
    }
}
