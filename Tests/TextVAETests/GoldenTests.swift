import Foundation
import Testing

@testable import TextVAE

/// The model's numbers against the PyTorch reference (Tests/Reference/svae.py),
/// on the golden files it generated (Golden/, Golden/latent_to_inputs/ and Golden/lstm/, LSTM cells with z at every input).
/// Regenerate with: python3 Tests/Reference/svae.py golden --out Tests/TextVAETests/Golden --seed 0
@Suite struct GoldenTests {
    struct Case {
        let file: ModelFile
        let grads: Safetensors
        let batch: Batch
        let json: [String: Any]

        init(_ folder: String) throws {
            let dir = testsFolder.appendingPathComponent("Golden/\(folder)")
            file = try ModelFile.load(dir.appendingPathComponent("model.safetensors").path)
            grads = try Safetensors.read(dir.appendingPathComponent("grads.safetensors").path)
            json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("golden.json"))) as! [String: Any]
            let sentences = (json["sentences"] as! [[String: Any]]).map { ($0["ids"] as! [Int]).map(Int32.init) }
            batch = Batch(sentences)
        }

        func floats(_ key: String) -> [Float] {
            if let rows = json[key] as? [[Double]] { return rows.flatMap { $0.map(Float.init) } }
            return (json[key] as! [Double]).map(Float.init)
        }
    }

    @Test(arguments: ["", "latent_to_inputs", "lstm"])
    func lossAndGradientsMatchPyTorch(variant: String) throws {
        try loadBLAS()
        let c = try Case(variant)
        // The batch of the golden file, tokenised by the vocabulary stored in the model.
        let lines = try TextFile.readLines(testsFolder.appendingPathComponent("Golden/\(variant)/batch.txt").path).lines
        let tokenizer = try Tokenizer(c.file.tokenizer)
        #expect(try lines.map { c.file.vocabulary.ids(try tokenizer.tokenize($0)) } == c.batch.sentences)

        let model = c.file.model
        var gradient = [Float](repeating: 0, count: model.layout.total)
        let beta = Float(c.json["beta"] as! Double)
        let result = gradient.withUnsafeMutableBufferPointer { g in
            model.run(
                c.batch, latent: .sample(c.floats("eps")), loss: LossSettings(beta: beta), gradient: g.baseAddress!, workspace: Workspace())
        }
        #expect(abs(result.loss - Float(c.json["loss"] as! Double)) <= 1e-5 * abs(result.loss))
        #expect(firstMismatch(result.rec, c.floats("rec_at_sample"), rtol: 1e-5) == nil)
        #expect(firstMismatch(result.kl, c.floats("kl"), rtol: 1e-5, atol: 1e-6) == nil)
        #expect(firstMismatch(result.mu, c.floats("mu"), rtol: 1e-5, atol: 1e-6) == nil)
        #expect(firstMismatch(result.logv, c.floats("logv"), rtol: 1e-5, atol: 1e-6) == nil)
        #expect(firstMismatch(result.z, c.floats("z"), rtol: 1e-5, atol: 1e-6) == nil)

        for t in ParameterTensor.present(model.config) {
            let expected = try #require(c.grads.tensor(t.name), "grads.safetensors lacks \(t.name)").data
            let mine = Array(gradient[model.layout.range(t)])
            let largest = expected.map(abs).max() ?? 0
            let bad = firstMismatch(mine, expected, rtol: 0, atol: 1e-4 * largest + 1e-9)
            #expect(
                bad == nil,
                "gradient of \(t.name) differs at \(bad ?? -1): \(bad.map { mine[$0] } ?? 0) vs \(bad.map { expected[$0] } ?? 0)")
        }

        let atMean = model.run(c.batch, latent: .mean, workspace: Workspace())
        #expect(firstMismatch(atMean.rec, c.floats("rec_at_mean"), rtol: 1e-5) == nil)
        #expect(
            firstMismatch(atMean.targetNLLInCallerOrder(c.batch).flatMap { $0 }, c.floats("token_nll_at_mean"), rtol: 1e-5, atol: 1e-6)
                == nil)
    }
}
