import Foundation
import Testing

@testable import TextVAE

@Suite struct PCATests {
    /// Points ±3u and ±v for orthonormal u, v in 3-D: the covariance is
    /// (2·9 uuᵀ + 2 vvᵀ) / 3, so the axes are u and v with variances 6 and 2/3
    /// and the first explains 0.9 of the variance; shifted, so centring matters.
    @Test func stretchedPointsGiveTheirAxesAndVariances() {
        let u: [Double] = [0.6, 0.8, 0], v: [Double] = [0, 0, -1], shift: [Double] = [5, -2, 1]
        var points: [Float] = []
        for (a, w) in [(3.0, u), (-3.0, u), (1.0, v), (-1.0, v)] {
            points += (0..<3).map { Float(a * w[$0] + shift[$0]) }
        }
        let pca = PCA(points: points, dimension: 3)
        #expect(zip(pca.mean, shift).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(
            abs(pca.variances[0] - 6) < 1e-5 && abs(pca.variances[1] - 2.0 / 3) < 1e-5 && abs(pca.variances[2]) < 1e-6,
            "\(pca.variances)")
        #expect(abs(pca.explainedShare[0] - 0.9) < 1e-6 && abs(pca.explainedShare[1] - 0.1) < 1e-6)
        // Sign convention: the largest entry of each axis is positive (so v comes out as (0, 0, 1)).
        #expect(zip(pca.axes[0], u).allSatisfy { abs($0 - $1) < 1e-6 }, "\(pca.axes[0])")
        #expect(zip(pca.axes[1], [0.0, 0, 1]).allSatisfy { abs($0 - $1) < 1e-6 }, "\(pca.axes[1])")
        let projected = pca.project(points, count: 2)  // (4, 2)
        let expected: [Double] = [3, 0, -3, 0, 0, -1, 0, 1]
        #expect(zip(projected, expected).allSatisfy { abs($0 - $1) < 1e-5 }, "\(projected)")
    }

    @Test(arguments: [1, 2, 5, 16, 40])
    func jacobiDiagonalisesRandomSymmetricMatrices(_ D: Int) {
        var rng = Random(seed: UInt64(D))
        var a = [Double](repeating: 0, count: D * D)
        for i in 0..<D { for j in i..<D { let x = Double(2 * rng.uniform() - 1); a[i * D + j] = x; a[j * D + i] = x } }
        let (values, vectors) = PCA.symmetricEigen(a, dimension: D)
        for k in 0..<D {
            var worst = 0.0
            for i in 0..<D {
                var av = 0.0
                for j in 0..<D { av += a[i * D + j] * vectors[j * D + k] }
                worst = max(worst, abs(av - values[k] * vectors[i * D + k]))
            }
            #expect(worst < 1e-9, "D \(D), eigenpair \(k): |Av − λv| = \(worst)")
            for l in 0..<D {  // orthonormal
                let dot = (0..<D).reduce(0.0) { $0 + vectors[$1 * D + k] * vectors[$1 * D + l] }
                #expect(abs(dot - (k == l ? 1 : 0)) < 1e-9, "D \(D): v\(k)·v\(l) = \(dot)")
            }
        }
        let trace = (0..<D).reduce(0.0) { $0 + a[$1 * D + $1] }
        #expect(abs(values.reduce(0, +) - trace) < 1e-9)
    }

    @Test func sameDataGivesTheSameAxesWhateverTheRowOrder() {
        var rng = Random(seed: 3)
        let rows = (0..<50).map { _ in (0..<4).map { _ in rng.normal() } }
        let a = PCA(points: rows.flatMap { $0 }, dimension: 4)
        let b = PCA(points: rows.reversed().flatMap { $0 }, dimension: 4)
        for k in 0..<4 {
            #expect(zip(a.axes[k], b.axes[k]).allSatisfy { abs($0 - $1) < 1e-9 }, "axis \(k) flipped or changed")
        }
    }
}

/// A small random model over a fixed vocabulary, with the whitespace tokenizer.
func tinyEncoder(latent: Int = 4, seed: UInt64 = 7) throws -> TrainedModel {
    try loadBLAS()
    let words = ["the", "a", "cat", "dog", "sat", "ran", "on", "mat", "rug", "big", "small", "."]
    let vocabulary = try Vocabulary(tokens: Vocabulary.specials + words, counts: [0, 0, 0, 0] + words.map { _ in 1 })
    let config = ModelConfig(vocabulary: vocabulary.count, embedding: 6, hidden: 8, latent: latent)
    let model = SentenceVAE(config: config, seed: seed)
    return try TrainedModel(file: ModelFile(model: model, vocabulary: vocabulary, tokenizer: TokenizerSettings(name: .whitespace)))
}

let tinySentences = [
    "the cat sat on the mat .", "a dog ran on the rug .", "the big dog sat .", "a small cat ran .",
    "the cat sat on a rug .", "the dog sat on the mat .", "a big cat sat on a small mat .", "the rug .",
]

@Suite struct LatentTests {
    @Test(arguments: DistanceMetric.allCases)
    func neighboursAreInDistanceOrderAndASentenceIsItsOwnNearest(_ metric: DistanceMetric) throws {
        let encoder = try tinyEncoder()
        let ids = try tinySentences.map { try encoder.requireTokens($0) }
        let means = encoder.means(ids)
        for (i, sentence) in tinySentences.enumerated() {
            let query = encoder.means([try encoder.requireTokens(sentence)])
            let found = Neighbours.nearest(to: query, among: means, dimension: encoder.latent, k: tinySentences.count, metric: metric)
            #expect(found.count == tinySentences.count)
            #expect(found[0].index == i && found[0].distance < 1e-5, "\(metric) '\(sentence)': nearest is \(found[0])")
            #expect(zip(found, found.dropFirst()).allSatisfy { $0.distance <= $1.distance }, "\(metric): not in order: \(found)")
            // Each distance is the metric's distance to that sentence.
            for hit in found {
                let d = metric.distance(query[...], means[(hit.index * 4)..<((hit.index + 1) * 4)])
                #expect(abs(d - hit.distance) < 1e-12)
            }
        }
    }

    @Test func distancesOfKnownVectors() {
        let a: [Float] = [1, 0], b: [Float] = [0, 2], c: [Float] = [-3, 0], zero: [Float] = [0, 0]
        #expect(DistanceMetric.euclidean.distance(a[...], b[...]) == 5.0.squareRoot())
        #expect(abs(DistanceMetric.cosine.distance(a[...], b[...]) - 1) < 1e-12)
        #expect(abs(DistanceMetric.cosine.distance(a[...], c[...]) - 2) < 1e-12)
        #expect(DistanceMetric.cosine.distance(a[...], zero[...]) == 1)
        let top = Neighbours.nearest(to: a, among: b + c + a, dimension: 2, k: 2, metric: .euclidean)
        #expect(top.map(\.index) == [2, 0] && top[1].distance == 5.0.squareRoot(), "\(top)")
    }

    @Test func mapSVGHasOneDotPerSentenceWithItsTextAndALegend() throws {
        try withScratchFolder { folder in
            let encoder = try tinyEncoder()
            let lines = tinySentences.enumerated().map { "\($0 % 3 == 0 ? "pets" : "other & <more>")\t\($1)" }
            try Data((lines.joined(separator: "\n") + "\n\n").utf8).write(to: URL(fileURLWithPath: folder + "/in.tsv"))
            let file = try SentenceFile.read(folder + "/in.tsv", model: encoder, columns: .init(label: 1))
            #expect(file.texts == tinySentences && file.labels?.count == tinySentences.count)
            let map = LatentMap(means: encoder.means(file.tokens), dimension: encoder.latent, texts: file.texts, labels: file.labels)
            let summary = SVGSummary(map.svg(title: "map").text)
            #expect(summary.error == nil, "\(summary.error ?? "")")
            #expect(summary.classes["point"] == tinySentences.count)
            #expect(Set(summary.titles) == Set(zip(file.labels!, file.texts).map { "[\($0)] \($1)" }))
            #expect(map.legend.map(\.label) == ["other & <more>", "pets"] && map.legend.map(\.count) == [5, 3])
            // The two axes explain at most all the variance, and the table has the same points.
            let (a, b) = map.shares
            #expect(a >= b && a + b <= 1 + 1e-9 && b >= 0)
            let rows = map.tsv.split(separator: "\n")
            #expect(rows.count == 1 + tinySentences.count && rows[0] == "x\ty\tlabel\tsentence")
            let first = rows[1].split(separator: "\t", omittingEmptySubsequences: false)
            #expect(first.count == 4 && abs(Double(first[0])! - map.x[0]) < 1e-4 && first[3] == "the cat sat on the mat .")
        }
    }

    @Test func sentenceFileColumnsAndLabelFilesAreCheckedLineForLine() throws {
        try withScratchFolder { folder in
            let encoder = try tinyEncoder()
            try Data("the cat sat .\tA\n\na dog ran .\tB\n".utf8).write(to: URL(fileURLWithPath: folder + "/s.tsv"))
            // The label in the last column: the sentence is the last other one.
            let f = try SentenceFile.read(folder + "/s.tsv", model: encoder, columns: .init(label: 2))
            #expect(f.texts == ["the cat sat .", "a dog ran ."] && f.labels! == ["A", "B"] && f.lineNumbers == [1, 3])

            try Data("x\ny\nz\n".utf8).write(to: URL(fileURLWithPath: folder + "/labels.txt"))
            try Data("the cat .\n\nthe dog .\n".utf8).write(to: URL(fileURLWithPath: folder + "/s.txt"))
            let g = try SentenceFile.read(folder + "/s.txt", model: encoder, labelsFile: folder + "/labels.txt")
            #expect(g.labels! == ["x", "z"], "a blank line's label goes with it")

            try Data("x\ny\n".utf8).write(to: URL(fileURLWithPath: folder + "/short.txt"))
            #expect(throws: TextVAEError.self) {
                try SentenceFile.read(folder + "/s.txt", model: encoder, labelsFile: folder + "/short.txt")
            }
            do {
                _ = try SentenceFile.read(folder + "/s.txt", model: encoder, columns: .init(label: 1))
                Issue.record("a line without a tab passed as label<TAB>sentence")
            } catch let e as TextVAEError {
                #expect(e.description.contains("line 1") && e.description.contains("--label-column"), "\(e)")
            }
        }
    }
}

@Suite struct ImputationTests {
    @Test func blanksAreFilledWithWordsAndTheGivenWordsStay() throws {
        let encoder = try tinyEncoder()
        let (tokens, blanks) = try encoder.template("the ___ sat on the ___ .")
        #expect(blanks == [1, 5])
        let result = encoder.model.impute(tokens, blanks: blanks, candidates: encoder.candidateWords(nil), rounds: 4)
        #expect(result.tokens.count == tokens.count)
        for (i, id) in result.tokens.enumerated() {
            if blanks.contains(i) {
                #expect(id >= Int32(Vocabulary.specials.count), "blank \(i) holds a special token: \(encoder.text(result.tokens))")
            } else {
                #expect(id == tokens[i], "given word \(i) changed: \(encoder.text(result.tokens))")
            }
        }
        #expect(!encoder.text(result.tokens).contains("_") && !encoder.text(result.tokens).contains("<unk>"))
        // Coordinate descent: from the first round on the score never rises, and the reported score is the sentence's.
        let scores = Array(encoder.model.scoreSentences(result.history).dropFirst())
        #expect(zip(scores, scores.dropFirst()).allSatisfy { $1 <= $0 + 1e-4 }, "\(scores)")
        #expect(abs(scores.last! - result.score) < 1e-4)
    }

    /// With one blank, the choice is the argmin of the score over all candidates: check it by brute force.
    @Test func oneBlankGetsTheBestScoringWord() throws {
        let encoder = try tinyEncoder(seed: 3)
        let (tokens, blanks) = try encoder.template("a big ___ ran .")
        let words = encoder.candidateWords(nil)
        let result = encoder.model.impute(tokens, blanks: blanks, candidates: words)
        let all = encoder.model.scoreSentences(
            words.map { w in
                var s = tokens; s[2] = w; return s
            })
        let best = words[all.indices.min { all[$0] < all[$1] }!]
        #expect(result.tokens[2] == best && result.converged)
    }

    @Test func candidatesAreTheMostFrequentWordsWithoutPunctuation() throws {
        let encoder = try tinyEncoder()
        #expect(encoder.candidateWords(3) == [4, 5, 6])
        // Words only: not the specials, not "." (the last token of the tiny vocabulary).
        #expect(encoder.candidateWords(nil) == (4..<(encoder.vocabulary.count - 1)).map { Int32($0) })
        #expect(encoder.candidateWords(1000) == encoder.candidateWords(nil))
    }

    @Test(arguments: ["the cat sat .", "", "the cat___sat"])
    func aSentenceWithoutBlanksIsRefused(_ sentence: String) throws {
        let encoder = try tinyEncoder()
        do {
            _ = try encoder.template(sentence)
            Issue.record("'\(sentence)' was accepted")
        } catch let e as TextVAEError {
            #expect(e.description.contains("___"), "the error shows how to write a blank: \(e)")
        }
    }
}

@Suite struct AnalogyTests {
    @Test func theVectorIsTheDifferenceOfTheMeans() {
        let a: [Float] = [1, 2, 3, 4]  // two points in 2-D: mean (2, 3)
        let b: [Float] = [0, 0, 4, 2, 2, 7]  // three points: mean (2, 3)
        let v = AttributeVector(from: a, to: b, dimension: 2)
        #expect(v.vector == [0, 0] && v.fromCount == 2 && v.toCount == 3)
        let w = AttributeVector(from: a, to: [5, 7], dimension: 2)
        #expect(w.vector == [3, 4] && w.norm == 5)
        #expect(w.shift([1, 1, 0, 0], scale: 0) == [1, 1, 0, 0])
        #expect(w.shift([1, 1, 0, 0], scale: 0.5) == [2.5, 3, 1.5, 2])
    }

    /// From one sentence to another at scale 1 lands exactly on the other's μ, so
    /// it decodes as the other; at scale 0 it decodes as the sentence itself.
    @Test func scaleOneFromASentenceToAnotherDecodesTheOther() throws {
        let encoder = try tinyEncoder(seed: 5)
        let x = try encoder.requireTokens("the cat sat on the mat ."), y = try encoder.requireTokens("a big dog ran .")
        let (mx, my) = (encoder.means([x]), encoder.means([y]))
        let v = AttributeVector(from: mx, to: my, dimension: encoder.latent)
        let moved = v.shift(mx, scale: 1)
        #expect(firstMismatch(moved, my, rtol: 1e-5, atol: 1e-6) == nil)
        let decoded = encoder.decodeGreedily(v.shift(mx, scale: 0) + moved + my)
        #expect(decoded.count == 3 && decoded[1] == decoded[2])
        #expect(decoded[0] == encoder.decodeGreedily(mx)[0])
        #expect(
            decoded.allSatisfy { s in s.allSatisfy { $0 == Int32(Vocabulary.unk) || $0 >= 4 } },
            "no <pad>, <bos> or <eos> inside a sentence")
    }
}
