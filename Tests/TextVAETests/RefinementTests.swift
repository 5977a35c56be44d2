import Foundation
import Testing

@testable import TextVAE

/// Test-time refinement of codes (`TrainedModel.refine`): it lowers each sentence's own objective, reports that
/// objective truthfully, and never leaves a sentence worse off than its μ (by that objective, and with
/// `refinedCodes` by what its greedy decoding gives back).
@Suite struct RefinementTests {
    static let sentences: [[Int32]] = [[4, 5, 6], [9, 10, 11, 4, 8], [7], [5, 5, 6, 9]]

    /// In float32, as refinement computes it (it takes gradients): the model's own scoring workspace may compute
    /// the output layer in bfloat16 (AMD CPUs), thousandths of a nat away.
    static func objective(_ model: TrainedModel, _ z: [Float], _ sentences: [[Int32]]) -> [Float] {
        let nll = model.model.reconstructionNLL(Batch(sentences), code: z, workspace: Workspace(threads: 1))
        return nll.indices.map { r in nll[r] + 0.5 * z[r * model.latent..<(r + 1) * model.latent].reduce(0) { $0 + $1 * $1 } }
    }

    @Test(arguments: [false, true])
    func refinementLowersEachSentencesObjective(latentToInputs: Bool) throws {
        try loadBLAS()
        let trained = try TrainedModel(file: try TinyModel.file(TinyModel.varied(latentToInputs: latentToInputs)), threads: 1)
        let mu = trained.encode(Self.sentences).mu
        let (z, before, after) = trained.refine(Self.sentences, from: mu, steps: 30)
        let atMu = Self.objective(trained, mu, Self.sentences), atZ = Self.objective(trained, z, Self.sentences)
        for r in Self.sentences.indices {
            #expect(abs(before[r] - atMu[r]) < 1e-4 * atMu[r], "sentence \(r): reported \(before[r]), at μ \(atMu[r])")
            #expect(abs(after[r] - atZ[r]) < 1e-4 * atZ[r], "sentence \(r): reported \(after[r]), at z \(atZ[r])")
            #expect(after[r] < before[r] - 0.01, "sentence \(r): \(before[r]) → \(after[r])")
        }
        // Zero steps change nothing; the same call gives the same codes.
        #expect(trained.refine(Self.sentences, from: mu, steps: 0).z == mu)
        #expect(trained.refine(Self.sentences, from: mu, steps: 30).z == z)
    }

    /// `refinedCodes` keeps μ where μ gives the sentence back or refinement would give back less of it, and
    /// otherwise takes a refined code, which then gives back more of the sentence than μ.
    @Test func refinedCodesNeverGiveBackLessThanTheMean() throws {
        try loadBLAS()
        let trained = try TrainedModel(file: try TinyModel.file(TinyModel.varied(latentToInputs: true)), threads: 1)
        // Sentences some code gives back (the greedy decodings of prior draws), which this random encoder's μ
        // mostly does not.
        let sentences = trained.decodeGreedily(TinyModel.prior(24), repetition: .standard).filter { !$0.isEmpty }
        let mu = trained.encode(sentences).mu, Z = trained.latent
        let chosen = trained.refinedCodes(sentences, from: mu, steps: 30, options: DecodingOptions(repetition: .standard))
        let fromMean = trained.decodeGreedily(mu, repetition: .standard)
        let fromChosen = trained.decodeGreedily(chosen, repetition: .standard)
        var moved = 0
        for (r, sentence) in sentences.enumerated() {
            let before = ReconstructionScore.correctTargets(input: sentence, output: fromMean[r])
            let after = ReconstructionScore.correctTargets(input: sentence, output: fromChosen[r])
            if chosen[r * Z..<(r + 1) * Z] == mu[r * Z..<(r + 1) * Z] { continue }
            moved += 1
            #expect(
                fromMean[r] != sentence && after > before,
                "sentence \(r) \(sentence): μ gave \(fromMean[r]), the refined code \(fromChosen[r])")
        }
        #expect(moved > 0 && moved < sentences.count, "\(moved) of \(sentences.count) codes moved")
        #expect(trained.refinedCodes(sentences, from: mu, steps: 0, options: DecodingOptions()) == mu)
    }

    /// Sentences refined in one call or one at a time get the same codes: each has its own objective and steps.
    @Test func eachSentenceIsRefinedOnItsOwn() throws {
        try loadBLAS()
        let trained = try TrainedModel(file: try TinyModel.file(TinyModel.varied(latentToInputs: true)), threads: 1)
        let mu = trained.encode(Self.sentences).mu, Z = trained.latent
        let together = trained.refine(Self.sentences, from: mu, steps: 10).z
        for (r, sentence) in Self.sentences.enumerated() {
            let alone = trained.refine([sentence], from: Array(mu[r * Z..<(r + 1) * Z]), steps: 10).z
            for j in 0..<Z { #expect(abs(alone[j] - together[r * Z + j]) < 1e-5, "sentence \(r), z[\(j)]") }
        }
    }
}
