/// The processes ("ranks") that train one model together: each computes its share of every batch, the
/// gradients are summed over all of them, and each rank updates its share of the parameters (`ParameterShares`),
/// which are then gathered, so all hold the same parameters. Rank 0 leads: it alone prints and writes files.
package protocol Collective: AnyObject {
    var rank: Int { get }
    var size: Int { get }
    /// Replaces `values` on every rank by their sum over the ranks.
    func sum(_ values: UnsafeMutableBufferPointer<Float>) throws
    /// Returns when every rank has called it.
    func barrier() throws
    /// Sums `values` (the same count on every rank) over the ranks as far as this rank's part goes: afterwards
    /// `values[shares[rank]]` holds the sums, the rest partial sums. `shares`: one range a rank, consecutive,
    /// together all of `values`.
    func sum(_ values: UnsafeMutableBufferPointer<Float>, keeping shares: [Range<Int>]) throws
    /// Copies each rank's part of `values` (`values[shares[r]]`, which rank r holds) to every rank.
    func gather(_ values: UnsafeMutableBufferPointer<Float>, shares: [Range<Int>]) throws
    /// The same for doubles.
    func gather(_ values: UnsafeMutableBufferPointer<Double>, shares: [Range<Int>]) throws
}

extension Collective {
    /// The rank that prints and writes files.
    package var isLeader: Bool { rank == 0 }

    /// `values` summed over the ranks.
    package func sum(_ values: [Float]) throws -> [Float] {
        var values = values
        try values.withUnsafeMutableBufferPointer { try sum($0) }
        return values
    }

    /// This rank's part of `count` items, consecutive and about equal ("rank r of n").
    package func share(of count: Int) -> Range<Int> { rank * count / size..<(rank + 1) * count / size }
}

/// Training in one process: the sums are the values themselves.
package final class SingleProcess: Collective {
    package let rank = 0
    package let size = 1
    package init() {}
    package func sum(_ values: UnsafeMutableBufferPointer<Float>) {}
    package func barrier() {}
    package func sum(_ values: UnsafeMutableBufferPointer<Float>, keeping shares: [Range<Int>]) {}
    package func gather(_ values: UnsafeMutableBufferPointer<Float>, shares: [Range<Int>]) {}
    package func gather(_ values: UnsafeMutableBufferPointer<Double>, shares: [Range<Int>]) {}
}
