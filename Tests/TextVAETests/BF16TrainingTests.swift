internal import CKernels
import Foundation
import Testing

@testable import TextVAE

/// Training's output-layer products in bfloat16 (`BF16OutputProducts`, CPUs with AVX-512 BF16): the packings
/// against the plain one, each product against a float32 computation of the same bfloat16 operands, the bits
/// the same for any number of threads, and a whole update's gradient close to float32's.
@Suite struct BF16TrainingTests {
    static let enabled = BF16OutputLayer.cpuHasBF16

    static func numbers(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
        var rng = Random(seed: seed)
        return (0..<count).map { _ in rng.normal() * scale }
    }

    /// x rounded to bfloat16 (nearest even), as the kernels round their operands.
    static func rounded(_ x: Float) -> Float {
        let bits = x.bitPattern
        return Float(bitPattern: (bits &+ 0x7fff &+ ((bits >> 16) & 1)) & 0xffff_0000)
    }

    /// Σ_k a(r, k) b(k, c) in double over rounded operands; element (r, k) of a is a[r · ars + k · aks], and so on.
    static func product(
        _ a: [Float], ars: Int, aks: Int, _ b: [Float], bks: Int, bcs: Int, m: Int, n: Int, k: Int
    ) -> [Float] {
        var y = [Float](repeating: 0, count: m * n)
        for r in 0..<m {
            for c in 0..<n {
                var sum = 0.0
                for i in 0..<k { sum += Double(rounded(a[r * ars + i * aks])) * Double(rounded(b[i * bks + c * bcs])) }
                y[r * n + c] = Float(sum)
            }
        }
        return y
    }

    static func worstRelative(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? .nan
    }

    /// The vector packings give the plain packing's bits (rows and columns that are no multiple of 16 or 2).
    @Test(.enabled(if: enabled, "this CPU has no AVX-512 BF16"))
    func theVectorPackingsPackAsThePlainOneDoes() {
        for (rows, cols) in [(37, 300), (16, 33), (5, 64), (100, 1)] {
            let a = Self.numbers(rows * cols, seed: 3)
            let count = tvk_bf16_packed_count(rows, cols), blocks = (rows + 15) / 16
            var plain = [UInt16](repeating: 1, count: count), fast = [UInt16](repeating: 1, count: count)
            tvk_bf16_pack_strided(a, rows, cols, cols, 1, &plain)
            tvk_bf16_pack_rows(a, cols, rows, cols, &fast, 0, blocks)
            #expect(plain == fast, "rows \(rows), cols \(cols): packed by rows")
            // The transpose of `a` (cols × rows) packed from `a` itself.
            let transposedCount = tvk_bf16_packed_count(cols, rows)
            var plainT = [UInt16](repeating: 1, count: transposedCount), fastT = [UInt16](repeating: 1, count: transposedCount)
            tvk_bf16_pack_strided(a, cols, rows, 1, cols, &plainT)
            tvk_bf16_pack_columns(a, cols, cols, rows, &fastT, 0, (cols + 15) / 16)
            #expect(plainT == fastT, "rows \(rows), cols \(cols): packed by columns")
        }
    }

    /// The three products of an update against float32 sums of the same bfloat16 operands, with an inner
    /// dimension of several passes (dStates: V 1,100 > 1,024), and the same bits on 1 and 2 threads.
    @Test(.enabled(if: enabled, "this CPU has no AVX-512 BF16"))
    func eachProductComputesWhatThePlainProductComputes() {
        let (N, V, H) = (23, 1_100, 40)
        let states = Self.numbers(N * H, seed: 1), weight = Self.numbers(V * H, seed: 2, scale: 0.1)
        let bias = Self.numbers(V, seed: 4), dLogits = Self.numbers(N * V, seed: 5, scale: 0.01)
        let before = Self.numbers(V * H, seed: 6)
        var results: [[[Float]]] = []
        for threads in [1, 2] {
            let products = BF16OutputProducts()
            var logits = [Float](repeating: .nan, count: N * V), dStates = [Float](repeating: .nan, count: N * H)
            var gradient = before
            products.logits(states, rows: N, weight: weight, bias: bias, vocabulary: V, hidden: H, into: &logits, threads: threads)
            products.statesGradient(dLogits, rows: N, weight: weight, vocabulary: V, hidden: H, into: &dStates, threads: threads)
            products.addWeightGradient(dLogits, states: states, rows: N, vocabulary: V, hidden: H, into: &gradient, threads: threads)
            results.append([logits, dStates, gradient])
        }
        #expect(results[0] == results[1], "1 and 2 threads give the same bits")
        let (logits, dStates, gradient) = (results[0][0], results[0][1], results[0][2])
        var expectedLogits = Self.product(states, ars: H, aks: 1, weight, bks: 1, bcs: H, m: N, n: V, k: H)
        for r in 0..<N { for v in 0..<V { expectedLogits[r * V + v] += bias[v] } }
        let expectedStates = Self.product(dLogits, ars: V, aks: 1, weight, bks: H, bcs: 1, m: N, n: H, k: V)
        let added = Self.product(dLogits, ars: 1, aks: V, states, bks: H, bcs: 1, m: V, n: H, k: N)
        let expectedGradient = zip(before, added).map { $0 + $1 }
        #expect(Self.worstRelative(logits, expectedLogits) < 1e-5)
        #expect(Self.worstRelative(dStates, expectedStates) < 1e-5)
        #expect(Self.worstRelative(gradient, expectedGradient) < 1e-5)
    }

    /// A whole update's gradient with the bfloat16 products is float32's to within bfloat16's rounding.
    @Test(.enabled(if: enabled, "this CPU has no AVX-512 BF16"))
    func anUpdatesGradientStaysCloseToFloat32s() throws {
        try loadBLAS()
        let model = TinyModel.make()
        let batch = Batch([[4, 5, 6, 7], [8, 9], [10, 11, 4, 5, 6], [7]])
        var rng = Random(seed: 9)
        let eps = (0..<4 * model.config.latent).map { _ in rng.normal() }
        func gradient(_ products: BF16OutputProducts?) -> [Float] {
            let ws = Workspace(threads: 1)
            ws.trainingProducts = products
            var gradient = [Float](repeating: 0, count: model.layout.total)
            _ = model.run(batch, latent: .sample(eps), loss: LossSettings(beta: 0.5), accumulatingGradientInto: &gradient, workspace: ws)
            return gradient
        }
        let plain = gradient(nil), fast = gradient(BF16OutputProducts())
        let scale = plain.map(abs).max() ?? 1
        let worst = zip(plain, fast).map { abs($0 - $1) }.max() ?? .nan
        #expect(worst > 0 && worst < 0.02 * scale, "worst difference \(worst) against the largest gradient \(scale)")
    }

    /// Training uses bfloat16 on AMD CPUs with the instructions by default, on others on request, never without them.
    @Test func theTrainingChoiceFollowsTheCPUAndTheEnvironment() {
        typealias L = BF16OutputLayer
        #expect(L.trains(environment: [:], hasBF16: true, isAMD: true))
        #expect(!L.trains(environment: ["TEXTVAE_BF16_TRAINING": "0"], hasBF16: true, isAMD: true))
        #expect(!L.trains(environment: ["TEXTVAE_BF16": "0"], hasBF16: true, isAMD: true))
        #expect(!L.trains(environment: ["TEXTVAE_KERNELS": "swift"], hasBF16: true, isAMD: true))
        #expect(!L.trains(environment: [:], hasBF16: true, isAMD: false))
        #expect(L.trains(environment: ["TEXTVAE_BF16_TRAINING": "1"], hasBF16: true, isAMD: false))
        #expect(!L.trains(environment: ["TEXTVAE_BF16_TRAINING": "1"], hasBF16: false, isAMD: true))
        #expect(!L.trains(environment: ["TEXTVAE_BF16_TRAINING": "1", "TEXTVAE_BF16": "0"], hasBF16: true, isAMD: true))
    }
}
