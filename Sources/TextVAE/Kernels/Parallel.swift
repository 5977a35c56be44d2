import Foundation

/// Splitting work between the machine's cores.
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

    /// The `part`-th of `parts` near-equal consecutive pieces of 0..<count (the last ones
    /// are the larger when count does not divide): part · count / parts ..< (part + 1) · count / parts.
    @inline(__always)
    static func chunk(_ part: Int, of count: Int, parts: Int) -> Range<Int> {
        part * count / parts..<(part + 1) * count / parts
    }

    /// Runs `body(part, range)` over `parts` near-equal pieces of 0..<count, concurrently.
    static func forEachChunk(of count: Int, parts: Int, _ body: (Int, Range<Int>) -> Void) {
        forEach(parts) { part in body(part, chunk(part, of: count, parts: parts)) }
    }
}
