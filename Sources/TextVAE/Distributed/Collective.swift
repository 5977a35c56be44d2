/// The processes ("ranks") that train one model together: each computes its share of every batch, the
/// gradients are summed over all of them, and every rank applies the same update, so all hold the same
/// parameters. Rank 0 leads: it alone prints and writes files.
public protocol Collective: AnyObject {
    var rank: Int { get }
    var size: Int { get }
    /// Replaces `values` on every rank by their sum over the ranks.
    func sum(_ values: UnsafeMutableBufferPointer<Float>) throws
    /// Returns when every rank has called it.
    func barrier() throws
}

extension Collective {
    /// The rank that prints and writes files.
    public var isLeader: Bool { rank == 0 }

    /// `values` summed over the ranks.
    public func sum(_ values: [Float]) throws -> [Float] {
        var values = values
        try values.withUnsafeMutableBufferPointer { try sum($0) }
        return values
    }

    /// This rank's part of `count` items, consecutive and about equal ("rank r of n").
    public func share(of count: Int) -> Range<Int> { rank * count / size..<(rank + 1) * count / size }
}

/// Training in one process: the sums are the values themselves.
public final class SingleProcess: Collective {
    public let rank = 0
    public let size = 1
    public init() {}
    public func sum(_ values: UnsafeMutableBufferPointer<Float>) {}
    public func barrier() {}
}
