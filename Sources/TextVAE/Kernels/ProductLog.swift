import Foundation

/// With `textvae bench --profile`: the matrix products made since the last `take()`, by shape, so that each phase
/// of a training update can be given its floating-point work (2·m·n·k per product) exactly as it ran. Off, it
/// costs one branch per product.
package enum ProductLog {
    /// One product's shape: C (m×n) += op(A) (m×k) · op(B) (k×n).
    package struct Shape: Hashable, Sendable, CustomStringConvertible {
        package var m: Int, n: Int, k: Int
        package var transposeA: Bool, transposeB: Bool
        package var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
        package var description: String { "\(m)×\(k) · \(k)×\(n)" }
    }

    nonisolated(unsafe) package static var enabled = false
    private static let lock = NSLock()
    nonisolated(unsafe) private static var counts: [Shape: Int] = [:]

    /// Counts one product; products may run on several threads at once.
    static func record(m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool) {
        let shape = Shape(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
        lock.lock()
        counts[shape, default: 0] += 1
        lock.unlock()
    }

    /// The products counted since the last call, by shape, and forgets them.
    package static func take() -> [Shape: Int] {
        lock.lock()
        defer { counts = [:]; lock.unlock() }
        return counts
    }
}
