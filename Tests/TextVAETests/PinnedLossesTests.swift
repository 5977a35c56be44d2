import Foundation
import Testing

@testable import TextVAE

/// The first ten losses of a fixed-seed training run, pinned. The golden tests compare one step with the PyTorch
/// reference, and the resume tests compare two textvae runs with each other: a change to code both runs share (the
/// noise, word dropout, clipping, Adam, the schedule) would pass those unseen, and shows here.
@Suite struct PinnedLossesTests {
    /// Written by this test on an Intel Xeon (AVX-512, OpenBLAS's Cooperlake kernel) after a run checked by the golden
    /// and gradient tests. Other kernels sum in other orders (measured:
    /// 1e-7 relative with the plain Swift kernels and OpenBLAS's Haswell kernel); the tolerance, 2e-5, allows for that.
    static let pinned: [Float] = [
        34.25363, 32.630066, 32.285084, 30.97817, 33.050266, 31.2292, 32.08935, 28.96416, 30.612421, 30.905628,
    ]

    @Test func theFirstTenUpdatesGiveThePinnedLosses() throws {
        try loadBLAS()
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let set = try TrainingTests.grammarSet(400)
        // The defaults of `textvae train` (word dropout, free bits, clipping, Adam), with decoder dropout on too.
        let trainer = TrainingTests.trainer(set, folder: folder, epochs: 1) { options, _ in
            options.embeddingDropout = 0.2
            options.outputDropout = 0.1
        }
        var losses: [Float] = []
        for b in 0..<10 { losses.append(try trainer.update(Array(b * 32..<(b + 1) * 32)).loss) }
        for (step, (got, want)) in zip(losses, Self.pinned).enumerated() {
            #expect(abs(got - want) <= 2e-5 * abs(want), "update \(step + 1): loss \(got), pinned \(want)")
        }
    }
}
