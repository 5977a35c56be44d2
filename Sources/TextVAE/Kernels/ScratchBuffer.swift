#if canImport(Glibc)
    import Glibc
#endif

typealias Buffer = ScratchBuffer<Float>

/// A growable block of values (floats, or token ids and row indices) that hot
/// loops reach through a raw pointer.
///
/// The one place textvae keeps memory outside Swift arrays: arrays held in a
/// class pay exclusivity checks in every inner loop (8x slower, measured: <doc:Platform>).
/// A buffer only grows, so the workspace allocates nothing after the largest
/// batch has been seen.
final class ScratchBuffer<Element: AdditiveArithmetic & BitwiseCopyable> {
    private(set) var pointer: UnsafeMutablePointer<Element>
    private(set) var capacity: Int

    init(_ capacity: Int = 0) {
        self.capacity = max(capacity, 1)
        pointer = Self.allocate(self.capacity)
    }

    deinit { Self.release(pointer, capacity) }

    /// Blocks of 1 MB and more are mapped with their pages filled in at once (MAP_POPULATE):
    /// allocating and zeroing the 18 MB of an encoder's word projections took 10.5 ms with
    /// a page fault per 4 kB, 7.5 ms filled in by the kernel in one call. Mapped pages are
    /// zero, which is also the zero of every Element used here (Float, Int32).
    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Element> {
        let bytes = count * MemoryLayout<Element>.stride
        #if os(Linux)
            if bytes >= 1 << 20 {
                let raw = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0)
                if let raw, raw != MAP_FAILED { return raw.bindMemory(to: Element.self, capacity: count) }
            }
        #endif
        let p = UnsafeMutablePointer<Element>.allocate(capacity: count)
        p.initialize(repeating: .zero, count: count)
        return p
    }

    private static func release(_ p: UnsafeMutablePointer<Element>, _ count: Int) {
        let bytes = count * MemoryLayout<Element>.stride
        #if os(Linux)
            if bytes >= 1 << 20 { munmap(p, bytes); return }
        #endif
        p.deallocate()
    }

    /// Makes room for `count` values (contents are not kept) and returns the pointer.
    @discardableResult
    func reserve(_ count: Int) -> UnsafeMutablePointer<Element> {
        if count > capacity {
            Self.release(pointer, capacity)
            capacity = count + count / 4
            pointer = Self.allocate(capacity)
        }
        return pointer
    }

    /// Gives the memory back when the buffer holds more than `bytes` (it grows again when next needed): a long
    /// process such as the server keeps what usual requests use, not what its largest one took.
    /// - Returns: the bytes given back.
    @discardableResult
    func release(over bytes: Int) -> Int {
        let held = capacity * MemoryLayout<Element>.stride
        guard held > bytes else { return 0 }
        Self.release(pointer, capacity)
        capacity = 1
        pointer = Self.allocate(1)
        return held - MemoryLayout<Element>.stride
    }

    /// The bytes the buffer holds.
    var bytesHeld: Int { capacity * MemoryLayout<Element>.stride }

    func zero(_ count: Int) { pointer.update(repeating: .zero, count: count) }

    func array(_ count: Int) -> [Element] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}
