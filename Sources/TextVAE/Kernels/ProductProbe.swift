import Foundation

/// The machine's bound for a product shape, measured in the same process as the figure it bounds: the shape run
/// alone through `BLAS.gemm` (the same kernel, the same split over threads) on random numbers, so that "share of
/// the probe" is true on whatever CPU the benchmark ran on.
package enum ProductProbe {
    /// GFLOP/s of `shape`: its fastest call of at least 5 and at least 0.3 s of calls, after one untimed call (the
    /// fastest, since a bound is what the machine can do, and a slow call is the machine doing something else).
    package static func gflops(_ shape: ProductLog.Shape, threads: Int) -> Double {
        let (m, n, k) = (shape.m, shape.n, shape.k)
        var rng = Random(seed: 1)
        let a = (0..<m * k).map { _ in rng.normal() * 0.1 }, b = (0..<k * n).map { _ in rng.normal() * 0.1 }
        var c = [Float](repeating: 0, count: m * n)
        let logging = ProductLog.enabled
        ProductLog.enabled = false  // the probe's own products are no phase's
        defer { ProductLog.enabled = logging }
        func call() {
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    c.withUnsafeMutableBufferPointer { c in
                        BLAS.gemm(
                            transposeA: shape.transposeA, transposeB: shape.transposeB, m: m, n: n, k: k,
                            a.baseAddress!, lda: shape.transposeA ? m : k, b.baseAddress!, ldb: shape.transposeB ? k : n,
                            c.baseAddress!, ldc: n, threads: threads)
                    }
                }
            }
        }
        return fastest(call, flops: shape.flops)
    }

    /// GFLOP/s of the logits' product y = x Wᵀ of `shape` (m rows of x, n words, k hidden) through textvae's
    /// bfloat16 kernel for many rows (`BF16OutputLayer.scoreLogits`, as scoring and bfloat16 training use it),
    /// timed as `gflops` times BLAS; nil on a CPU without AVX-512 BF16.
    package static func bf16GFLOPS(_ shape: ProductLog.Shape, threads: Int) -> Double? {
        guard BF16OutputLayer.cpuHasBF16, !shape.transposeA, shape.transposeB else { return nil }
        let (m, n, k) = (shape.m, shape.n, shape.k)
        var rng = Random(seed: 1)
        let x = (0..<m * k).map { _ in rng.normal() * 0.1 }, w = (0..<n * k).map { _ in rng.normal() * 0.1 }
        let bias = [Float](repeating: 0, count: n)
        var y = [Float](repeating: 0, count: m * n)
        let layer = w.withUnsafeBufferPointer { w in
            bias.withUnsafeBufferPointer { BF16OutputLayer(weight: w.baseAddress!, bias: $0.baseAddress!, vocabulary: n, hidden: k) }
        }
        let pairs = ScratchBuffer<UInt32>()
        return fastest({ layer.scoreLogits(x, rows: m, into: &y, pairs: pairs, threads: threads) }, flops: shape.flops)
    }

    /// `flops` over the fastest of at least 5 calls and 0.3 s of calls, after one untimed call, in GFLOP/s.
    private static func fastest(_ call: () -> Void, flops: Double) -> Double {
        call()
        var seconds: [Double] = []
        let began = DispatchTime.now().uptimeNanoseconds
        while seconds.count < 5 || Double(DispatchTime.now().uptimeNanoseconds - began) * 1e-9 < 0.3 {
            let start = DispatchTime.now().uptimeNanoseconds
            call()
            seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
        }
        return flops / max(seconds.min()!, 1e-9) / 1e9
    }
}
