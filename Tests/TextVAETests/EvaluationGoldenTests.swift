import Foundation
import Testing

@testable import TextVAE

/// `evaluate` against the PyTorch reference (Tests/Reference/svae.py) on a
/// tiny trained model: Golden/eval/, see its README for how it was made and
/// why each tolerance is what it is.
@Suite struct EvaluationGoldenTests {
    @Test func evaluateAgreesWithTheReference() throws {
        try loadBLAS()
        let folder = testsFolder.appendingPathComponent("Golden/eval")
        let file = try ModelFile.load(folder.appendingPathComponent("model.safetensors").path)
        let reference = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: folder.appendingPathComponent("reference.json"))) as? [String: Any])
        func number(_ key: String) throws -> Double { try #require(reference[key] as? Double, "reference.json lacks \(key)") }
        let input = try ModelInput.read(
            folder.appendingPathComponent("sentences.txt").path, tokenizer: Tokenizer(file.tokenizer),
            vocabulary: file.vocabulary, maxLength: file.model.config.maxLength)
        #expect(input.warnings.isEmpty, "\(input.warnings)")

        let r = file.model.evaluate(input.ids, samples: 500, seed: 0)

        // Deterministic figures: float32 rounding only.
        #expect(r.sentences == reference["sentences"] as? Int && r.tokens == reference["tokens"] as? Int)
        #expect(r.au == reference["au"] as? Int)
        let kl = try number("kl")
        #expect(abs(r.kl - kl) <= 1e-5 * abs(r.kl), "kl \(r.kl) vs \(kl)")
        let muVar = try #require(reference["mu_var"] as? [Double])
        #expect(muVar.count == r.muVariance.count)
        for (mine, theirs) in zip(r.muVariance, muVar) { #expect(abs(mine - theirs) <= 1e-5 * theirs, "mu_var \(mine) vs \(theirs)") }

        // nll: two independent Monte-Carlo estimates; their difference has a standard deviation of about √2 × ours.
        let nll = try number("nll")
        let tolerance = 4 * 2.0.squareRoot() * r.nllStandardError
        #expect(r.nllStandardError > 0 && r.nllStandardError < 0.2)
        #expect(abs(r.nll - nll) <= tolerance, "nll \(r.nll) vs reference \(nll); tolerance \(tolerance)")
        let ppl = try number("ppl")
        #expect(abs(log(r.ppl) - log(ppl)) <= tolerance * Double(r.sentences) / Double(r.tokens) + 1e-9, "ppl \(r.ppl) vs \(ppl)")
        #expect(r.nll < r.nelbo)

        // rec and mi use one z per sentence: compare with the spread of our own estimates over seeds.
        var recs: [Double] = [], mis: [Double] = []
        for seed in 1...20 as ClosedRange<UInt64> {
            let one = file.model.evaluate(input.ids, samples: 1, seed: seed)
            recs.append(one.rec); mis.append(one.mi)
        }
        for (name, values, theirs) in [("rec", recs, try number("rec")), ("mi", mis, try number("mi"))] {
            let mean = values.reduce(0, +) / Double(values.count)
            let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
            #expect(
                abs(mean - theirs) <= 4 * sd * (1 + 1 / Double(values.count)).squareRoot(),
                "\(name): our mean \(mean) (sd \(sd)) vs reference \(theirs)")
        }
    }
}
