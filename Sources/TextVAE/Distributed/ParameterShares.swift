import Foundation

/// How ranks split the optimiser's step between them, as the first stage of ZeRO does (Rajbhandari et al. 2020):
/// each rank receives only its share of the summed gradient (a reduce-scatter in place of the all-reduce), computes
/// the norm's blocks and Adam's step for that share alone, and the updated parameters are then gathered on every
/// rank. The messages add up to what one all-reduce moves, and each rank makes 1/n of Adam's step and of the norm
/// instead of all of it: Adam reads and writes four numbers a parameter, a tenth of a one-thread update at the
/// default sizes, which every rank used to repeat.
///
/// Every rank still holds all of Adam's moments, but each keeps only its share of them current; they are gathered
/// before a checkpoint is written, so checkpoints are the same as without shares. With two ranks every sum is one
/// addition, so the model is the all-reduce's to the bit (`DistributedTests`); with more, MPI may add in another
/// order. `TEXTVAE_SHARDED_STEP=0` turns it off: every rank sums the whole gradient and makes the whole step.
package struct ParameterShares: Equatable, Sendable {
    /// Each rank's parameters: consecutive, whole blocks of the norm (`GradientBlocks`), so that a rank's block
    /// sums are the ones one process would compute.
    package let ranges: [Range<Int>]
    /// The same shares, counted in the norm's blocks.
    package let blocks: [Range<Int>]

    package init(parameters: Int, ranks: Int) {
        let count = GradientBlocks.count(parameters)
        blocks = (0..<ranks).map { r in r * count / ranks..<(r + 1) * count / ranks }
        ranges = blocks.map { min(parameters, $0.lowerBound * GradientBlocks.size)..<min(parameters, $0.upperBound * GradientBlocks.size) }
    }

    /// The shares for a run of `ranks`, or nil where every rank makes the whole step: one rank; a model too small
    /// for every rank to get a block, or too large for MPI's 32-bit counts; or `TEXTVAE_SHARDED_STEP=0`.
    package static func forRun(ranks: Int, parameters: Int, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> ParameterShares?
    {
        guard ranks > 1, GradientBlocks.count(parameters) >= ranks, parameters <= Int(Int32.max),
            environment["TEXTVAE_SHARDED_STEP"] != "0"
        else { return nil }
        return ParameterShares(parameters: parameters, ranks: ranks)
    }
}
