import Foundation
import Testing

@testable import TextVAE

/// The bfloat16 output layer (CPUs with AVX-512 BF16): the kernel against its plain reference, the rounding
/// against float32, and decoding with it against decoding in float32.
@Suite struct BF16KernelTests {
    /// A layer and inputs of awkward sizes: a vocabulary that is no multiple of 16, an odd hidden size.
    static func layer(vocabulary V: Int, hidden H: Int) -> (BF16OutputLayer, [Float], [Float], [Float]) {
        var rng = Random(seed: 7)
        let weight = (0..<V * H).map { _ in rng.normal() * 0.2 }, bias = (0..<V).map { _ in rng.normal() }
        let x = (0..<9 * H).map { _ in rng.normal() }
        let layer = weight.withUnsafeBufferPointer { w in
            bias.withUnsafeBufferPointer { BF16OutputLayer(weight: w.baseAddress!, bias: $0.baseAddress!, vocabulary: V, hidden: H) }
        }
        return (layer, weight, bias, x)
    }

    @Test(.enabled(if: BF16OutputLayer.cpuHasBF16, "this CPU has no AVX-512 BF16"), arguments: [(1, 2), (9, 1), (4, 2), (7, 2)])
    func theKernelComputesWhatTheReferenceComputes(rows: Int, threads: Int) {
        for (V, H) in [(1_000, 257), (37, 16), (16, 2)] {
            let (layer, _, _, x) = Self.layer(vocabulary: V, hidden: H)
            var fast = [Float](repeating: .nan, count: rows * V), plain = [Float](repeating: 0, count: rows * V)
            layer.logits(x, rows: rows, into: &fast, threads: threads)
            layer.referenceLogits(x, rows: rows, into: &plain)
            let worst = zip(fast, plain).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? .nan
            #expect(worst < 1e-5, "V \(V), H \(H), rows \(rows): worst relative difference \(worst)")
            var scored = [Float](repeating: .nan, count: rows * V)
            layer.scoreLogits(x, rows: rows, into: &scored, pairs: ScratchBuffer(), threads: threads)
            let worstScored = zip(scored, plain).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? .nan
            #expect(worstScored < 1e-5, "scoring: V \(V), H \(H), rows \(rows): worst relative difference \(worstScored)")
        }
    }

    /// A row's logits are the same bits whatever rows share its step and however many threads split the
    /// vocabulary: what lets AMD CPUs decode every step in bfloat16 and still give a seed the same sentence in
    /// a batch of any size (`sample`, the library, the server).
    @Test(.enabled(if: BF16OutputLayer.cpuHasBF16, "this CPU has no AVX-512 BF16"))
    func aRowsLogitsDoNotDependOnTheRowsBesideIt() {
        let (V, H) = (1_000, 257)
        let (layer, _, _, x) = Self.layer(vocabulary: V, hidden: H)
        let pairs = ScratchBuffer<UInt32>()
        // Decoding's kernel, and scoring's tiles of eight rows (row 8 is alone in its tile, the others share one).
        let kernels: [(String, (UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>, Int) -> Void)] = [
            ("decoding", { layer.logits($0, rows: $1, into: $2, threads: $3) }),
            ("scoring", { layer.scoreLogits($0, rows: $1, into: $2, pairs: pairs, threads: $3) }),
        ]
        for (name, kernel) in kernels {
            var together = [Float](repeating: .nan, count: 9 * V)
            kernel(x, 9, &together, 2)
            for r in 0..<9 {
                var alone = [Float](repeating: .nan, count: V)
                x.withUnsafeBufferPointer { kernel($0.baseAddress! + r * H, 1, &alone, 1) }
                let differing = (0..<V).filter { alone[$0].bitPattern != together[r * V + $0].bitPattern }.count
                #expect(differing == 0, "\(name), row \(r): \(differing) of \(V) logits differ from the same row among 9")
            }
        }
    }

    /// Who decodes in bfloat16: AMD CPUs with the instructions by default, Intel ones on request (small steps),
    /// nobody without the instructions, with TEXTVAE_BF16=0 or with the plain kernels.
    @Test func theChoiceFollowsTheCPUAndTheEnvironment() {
        typealias L = BF16OutputLayer
        #expect(L.use(environment: [:], hasBF16: true, isAMD: true) == .everyStep)
        #expect(L.use(environment: ["TEXTVAE_BF16": "1"], hasBF16: true, isAMD: true) == .everyStep)
        #expect(L.use(environment: ["TEXTVAE_BF16": "0"], hasBF16: true, isAMD: true) == .never)
        #expect(L.use(environment: ["TEXTVAE_KERNELS": "swift"], hasBF16: true, isAMD: true) == .never)
        #expect(L.use(environment: [:], hasBF16: true, isAMD: false) == .never)
        #expect(L.use(environment: ["TEXTVAE_BF16": "1"], hasBF16: true, isAMD: false) == .smallSteps)
        #expect(L.use(environment: ["TEXTVAE_BF16": "1"], hasBF16: false, isAMD: true) == .never)
    }

    /// bfloat16 keeps 8 bits of mantissa: each logit is within a few hundredths of float32's for these sizes.
    @Test func theRoundingStaysCloseToFloat32() throws {
        try loadBLAS()
        let (V, H) = (300, 64)
        let (layer, weight, bias, x) = Self.layer(vocabulary: V, hidden: H)
        var rounded = [Float](repeating: 0, count: 3 * V), exact = [Float](repeating: 0, count: 3 * V)
        layer.referenceLogits(x, rows: 3, into: &rounded)
        for r in 0..<3 {
            for v in 0..<V { exact[r * V + v] = bias[v] + (0..<H).reduce(0) { $0 + x[r * H + $1] * weight[v * H + $1] } }
        }
        let worst = zip(rounded, exact).map { abs($0 - $1) }.max() ?? .nan
        #expect(worst > 0 && worst < 0.05, "worst difference \(worst)")
    }

    /// Decoding with the bfloat16 layer (as AMD CPUs and `TEXTVAE_BF16=1` set it up) gives mostly float32's greedy sentences.
    @Test(.enabled(if: BF16OutputLayer.cpuHasBF16, "this CPU has no AVX-512 BF16"))
    func decodingUsesTheLayerAndAgreesWithFloat32() throws {
        try loadBLAS()
        let trained = try TrainedModel(file: TinyModel.file(), threads: 1)
        #expect((trained.decoderWorkspace.outputLayer != nil) == BF16OutputLayer.available, "as BF16OutputLayer.use says")
        let c = trained.model.config
        let workspace = DecoderWorkspace(threads: 1)
        workspace.outputLayer = trained.model.withTensors {
            BF16OutputLayer(weight: $0[.outputWeight], bias: $0[.outputBias], vocabulary: c.vocabulary, hidden: c.hidden)
        }
        var rng = Random(seed: 3)
        let z = (0..<50 * trained.latent).map { _ in rng.normal() }
        let fast = trained.model.decode(z, workspace: workspace).map { $0[0].tokens }
        let plain = trained.model.decode(z, workspace: DecoderWorkspace(threads: 1)).map { $0[0].tokens }
        let same = zip(fast, plain).filter { $0 == $1 }.count
        #expect(same >= 45, "\(same) of 50 greedy sentences agree")
    }

    /// Scoring a trained model (`score`, `evaluate`, the server) with the bfloat16 layer, as AMD CPUs do by default:
    /// close to float32's figures, and a sentence's score the same alone as in a batch (to the last bits, which the
    /// encoder's float32 products may move with the batch's size, in either precision).
    @Test(.enabled(if: BF16OutputLayer.cpuHasBF16, "this CPU has no AVX-512 BF16"))
    func scoringUsesTheLayerAndAgreesWithFloat32() throws {
        try loadBLAS()
        let trained = try TrainedModel(file: TinyModel.file(), threads: 1)
        #expect((trained.workspace.outputLayer != nil) == BF16OutputLayer.scores, "as BF16OutputLayer.scores says")
        #expect(trained.scoringPrecision == (BF16OutputLayer.scores ? "bfloat16" : "float32"))
        let c = trained.model.config
        let workspace = Workspace(threads: 1)
        workspace.outputLayer = trained.model.withTensors {
            BF16OutputLayer(weight: $0[.outputWeight], bias: $0[.outputBias], vocabulary: c.vocabulary, hidden: c.hidden)
        }
        let sentences: [[Int32]] = (0..<20).map { i in (0...(i % 7)).map { Int32(4 + ($0 * 3 + i) % TinyModel.words.count) } }
        var rng = Random(seed: 1)
        let fast = trained.model.score(sentences, useMean: true, rng: &rng, workspace: workspace)
        let plain = trained.model.score(sentences, useMean: true, rng: &rng, workspace: Workspace(threads: 1))
        let worst = zip(fast.rec, plain.rec).map { abs($0 - $1) }.max() ?? .nan
        #expect(worst > 0 && worst < 0.05, "worst difference of a sentence's rec: \(worst) nats")
        for (i, sentence) in sentences.enumerated() {
            let alone = trained.model.score([sentence], useMean: true, rng: &rng, workspace: workspace)
            #expect(abs(alone.rec[0] - fast.rec[i]) < 1e-4, "sentence \(i): \(alone.rec[0]) alone, \(fast.rec[i]) in a batch of 20")
        }
        let nll = (
            bf16: trained.model.evaluate(sentences, samples: 20, workspace: workspace).nll,
            fp32: trained.model.evaluate(sentences, samples: 20, workspace: Workspace(threads: 1)).nll
        )
        #expect(abs(nll.bf16 - nll.fp32) < 0.05, "nll \(nll.bf16) in bfloat16 against \(nll.fp32) in float32")
    }
}
