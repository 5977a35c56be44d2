import Foundation

/// Reductions over a row of V logits, run once per row and step, eight lanes
/// at a time (a single running max or sum must go in order, which blocks SIMD);
/// `naive*` are the obvious references the tests compare them with.
enum RowReduce {
    /// The index of the largest value in row[start..<end], the first one on ties.
    static func argmax(_ row: UnsafePointer<Float>, from start: Int, to end: Int) -> Int {
        precondition(start < end)
        let body = start + (end - start) / 8 * 8
        let raw = UnsafeRawPointer(row)
        var best = SIMD8<Float>(repeating: -.infinity), index = SIMD8<Int32>(repeating: -1)
        var lane = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7) &+ Int32(start)
        var j = start
        while j < body {
            let x = raw.loadUnaligned(fromByteOffset: 4 * j, as: SIMD8<Float>.self)
            let better = x .> best  // strict: each lane keeps its first maximum; NaN never wins
            best.replace(with: x, where: better)
            index.replace(with: lane, where: better)
            lane &+= 8
            j += 8
        }
        var value = -Float.infinity, at = -1
        for k in 0..<8 where index[k] >= 0 && (best[k] > value || (best[k] == value && Int(index[k]) < at)) {
            value = best[k]; at = Int(index[k])
        }
        for j in body..<end where at < 0 || row[j] > value { value = row[j]; at = j }
        return at < 0 ? start : at  // all NaN or −∞: the first
    }

    /// log Σ_v exp(row[v]), computed as SoftmaxCrossEntropy does (max, then a
    /// sum of fastExp), so that decoding's log-probabilities match the loss's NLL.
    /// - Parameter scratch: room for V floats.
    static func logSumExp(_ row: UnsafePointer<Float>, _ V: Int, scratch: UnsafeMutablePointer<Float>) -> Double {
        let (m, sum) = SoftmaxCrossEntropy.expSum(row, classes: V, into: scratch)
        return Double(m + log(sum))
    }

    static func logSumExp(_ row: UnsafePointer<Float>, _ V: Int) -> Double {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: V) { logSumExp(row, V, scratch: $0.baseAddress!) }
    }

    static func naiveArgmax(_ row: UnsafePointer<Float>, from start: Int, to end: Int) -> Int {
        var at = start
        for j in start..<end where row[j] > row[at] { at = j }
        return at
    }

    static func naiveLogSumExp(_ row: UnsafePointer<Float>, _ V: Int) -> Double {
        let m = (0..<V).map { Double(row[$0]) }.max()!
        return m + log((0..<V).reduce(0.0) { $0 + exp(Double(row[$1]) - m) })
    }
}
