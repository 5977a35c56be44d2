typealias Buffer = ScratchBuffer<Float>

/// A growable block of values (floats, or token ids and row indices) that hot
/// loops reach through a raw pointer.
///
/// The one place textvae keeps memory outside Swift arrays: arrays held in a
/// class pay exclusivity checks in every inner loop (8x slower, PLATFORM.md).
/// A buffer only grows, so the workspace allocates nothing after the largest
/// batch has been seen.
final class ScratchBuffer<Element: AdditiveArithmetic> {
    private(set) var pointer: UnsafeMutablePointer<Element>
    private(set) var capacity: Int

    init(_ capacity: Int = 0) {
        self.capacity = max(capacity, 1)
        pointer = .allocate(capacity: self.capacity)
        pointer.initialize(repeating: .zero, count: self.capacity)
    }

    deinit { pointer.deallocate() }

    /// Makes room for `count` values (contents are not kept) and returns the pointer.
    @discardableResult
    func reserve(_ count: Int) -> UnsafeMutablePointer<Element> {
        if count > capacity {
            pointer.deallocate()
            capacity = count + count / 4
            pointer = .allocate(capacity: capacity)
            pointer.initialize(repeating: .zero, count: capacity)
        }
        return pointer
    }

    func zero(_ count: Int) { pointer.update(repeating: .zero, count: count) }

    func array(_ count: Int) -> [Element] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}
