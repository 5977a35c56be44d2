/// Nearest neighbours by exhaustive search: exact, and fast enough for the
/// files a person reads results from (N × Z operations, Z ~ 16-64).
public enum Neighbours {
    /// The `k` points nearest to `query`, nearest first; equal distances keep the points' order.
    /// - Parameters:
    ///   - query: Z values.
    ///   - points: N × Z, row-major.
    public static func nearest(to query: [Float], among points: [Float], dimension Z: Int, k: Int,
                               metric: DistanceMetric) -> [(index: Int, distance: Double)] {
        precondition(query.count == Z && points.count % Z == 0)
        let all = (0..<points.count / Z).map { i in
            (index: i, distance: metric.distance(query[...], points[(i * Z)..<((i + 1) * Z)]))
        }
        return Array(all.sorted { $0.distance != $1.distance ? $0.distance < $1.distance : $0.index < $1.index }.prefix(max(0, k)))
    }
}
