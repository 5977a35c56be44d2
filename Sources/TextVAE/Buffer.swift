/// A growable block of floats that hot loops reach through a raw pointer.
///
/// The one place textvae keeps memory outside Swift arrays: arrays held in a
/// class pay exclusivity checks in every inner loop (8x slower, PLATFORM.md).
/// A buffer only grows, so the workspace allocates nothing after the largest
/// batch has been seen.
final class Buffer {
    private(set) var pointer: UnsafeMutablePointer<Float>
    private(set) var capacity: Int

    init(_ capacity: Int = 0) {
        self.capacity = max(capacity, 1)
        pointer = .allocate(capacity: self.capacity)
        pointer.initialize(repeating: 0, count: self.capacity)
    }

    deinit { pointer.deallocate() }

    /// Makes room for `count` floats (contents are not kept) and returns the pointer.
    @discardableResult
    func reserve(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count > capacity {
            pointer.deallocate()
            capacity = count + count / 4
            pointer = .allocate(capacity: capacity)
            pointer.initialize(repeating: 0, count: capacity)
        }
        return pointer
    }

    func zero(_ count: Int) { pointer.update(repeating: 0, count: count) }

    func array(_ count: Int) -> [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}
