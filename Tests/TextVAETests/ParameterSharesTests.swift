import Foundation
import Testing

@testable import TextVAE

/// The parts of the split optimiser step that need no MPI: each rank's share, Adam's step for a share, and the
/// norm's blocks. (`DistributedTests` runs the split step on two ranks against the whole one.)
@Suite struct ParameterSharesTests {
    @Test(arguments: [(4097, 2), (6_297_072, 2), (6_297_072, 3), (100_000, 7), (8192, 2)])
    func sharesAreConsecutiveWholeBlocksCoveringEveryParameter(parameters: Int, ranks: Int) {
        let shares = ParameterShares(parameters: parameters, ranks: ranks)
        #expect(shares.ranges.count == ranks && shares.blocks.count == ranks)
        #expect(shares.ranges.first?.lowerBound == 0 && shares.ranges.last?.upperBound == parameters)
        #expect(shares.blocks.last?.upperBound == GradientBlocks.count(parameters))
        for (r, range) in shares.ranges.enumerated() {
            #expect(!range.isEmpty, "rank \(r) has nothing to update")
            #expect(range.lowerBound % GradientBlocks.size == 0)
            #expect(range.lowerBound == shares.blocks[r].lowerBound * GradientBlocks.size)
            if r > 0 { #expect(range.lowerBound == shares.ranges[r - 1].upperBound) }
        }
    }

    @Test func onlyRunsOfSeveralRanksWithABlockEachSplitTheStep() {
        #expect(ParameterShares.forRun(ranks: 1, parameters: 1_000_000, environment: [:]) == nil)
        #expect(ParameterShares.forRun(ranks: 2, parameters: 1_000_000, environment: [:]) != nil)
        #expect(ParameterShares.forRun(ranks: 2, parameters: 4096, environment: [:]) == nil, "one block for two ranks")
        #expect(ParameterShares.forRun(ranks: 2, parameters: 1_000_000, environment: ["TEXTVAE_SHARDED_STEP": "0"]) == nil)
        #expect(ParameterShares.forRun(ranks: 2, parameters: 1_000_000, environment: ["TEXTVAE_SHARDED_STEP": "1"]) != nil)
    }

    /// Each rank's step on its share, put together, is the whole step to the bit, and the block sums of the shares
    /// give the whole gradient's norm to the bit.
    @Test(arguments: [2, 3])
    func sharedStepsAndNormsAreTheWholeOnes(ranks: Int) {
        var rng = Random(seed: 4)
        let n = 3 * GradientBlocks.size + 1234
        let start = randomArray(n, &rng), gradient = randomArray(n, &rng, scale: 0.1)
        var whole = start, wholeAdam = Adam(parameterCount: n)
        for _ in 0..<3 { wholeAdam.update(&whole, gradient: gradient, gradientScale: 0.7, threads: 2) }

        let shares = ParameterShares(parameters: n, ranks: ranks)
        var pieced = start
        var adams = [Adam](repeating: Adam(parameterCount: n), count: ranks)
        var sums = [Double](repeating: 0, count: GradientBlocks.count(n))
        for r in 0..<ranks {
            let range = shares.ranges[r]
            let mine = Array(gradient[range])
            var own = start
            for _ in 0..<3 {
                mine.withUnsafeBufferPointer {
                    adams[r].update(&own, range: range, gradient: $0.baseAddress!, gradientScale: 0.7, threads: 1)
                }
            }
            pieced.replaceSubrange(range, with: own[range])
            // What a rank leaves outside its share is untouched.
            #expect(own[..<range.lowerBound] == start[..<range.lowerBound] && own[range.upperBound...] == start[range.upperBound...])
            mine.withUnsafeBufferPointer { g in
                sums.withUnsafeMutableBufferPointer {
                    GradientBlocks.sumSquares(g, into: UnsafeMutableBufferPointer(rebasing: $0[shares.blocks[r]]), threads: 1)
                }
            }
        }
        #expect(pieced == whole)
        #expect(GradientBlocks.norm(sums) == gradientNorm(gradient, threads: 2))
        let moments = (0..<ranks).flatMap { Array(adams[$0].m[shares.ranges[$0]]) }
        #expect(moments == wholeAdam.m)
    }
}
