/// Nearest neighbours by exhaustive search: exact, and fast enough for the
/// files a person reads results from (N × Z operations, Z ~ 16-64).
package enum Neighbours {
    /// The `k` points nearest to `query`, nearest first; equal distances keep the points' order.
    /// - Parameters:
    ///   - query: Z values.
    ///   - points: N × Z, row-major.
    package static func nearest(
        to query: [Float], among points: [Float], dimension Z: Int, k: Int,
        metric: DistanceMetric
    ) -> [(index: Int, distance: Double)] {
        precondition(query.count == Z && points.count % Z == 0)
        typealias Hit = (index: Int, distance: Double)
        func nearer(_ a: Hit, _ b: Hit) -> Bool { a.distance != b.distance ? a.distance < b.distance : a.index < b.index }
        guard k > 0 else { return [] }
        // The k nearest so far in a heap whose top is the farthest of them: N log k, not a sort of all N
        // (a server answers many queries over one index).
        var kept = BinaryHeap<Hit> { nearer($1, $0) }
        for i in 0..<points.count / Z {
            let hit = (index: i, distance: metric.distance(query[...], points[(i * Z)..<((i + 1) * Z)]))
            if kept.count < k {
                kept.push(hit)
            } else if let farthest = kept.top, nearer(hit, farthest) {
                _ = kept.pop()
                kept.push(hit)
            }
        }
        var found: [Hit] = []
        while let hit = kept.pop() { found.append(hit) }
        return found.reversed()
    }
}
