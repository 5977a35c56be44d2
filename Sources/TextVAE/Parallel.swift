import Foundation

/// Splitting element-wise work between the machine's cores.
enum Parallel {
    /// Runs `body(i)` for i in 0..<count, concurrently when count > 1.
    /// The body must write disjoint memory for each i.
    static func forEach(_ count: Int, _ body: (Int) -> Void) {
        if count <= 1 { if count == 1 { body(0) }; return }
        withoutActuallyEscaping(body) { body in
            // The callers hand each index its own rows of raw buffers; nothing is shared.
            nonisolated(unsafe) let work = body
            DispatchQueue.concurrentPerform(iterations: count) { work($0) }
        }
    }
}
