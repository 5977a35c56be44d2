import Foundation

/// Sentences as token ids in one flat buffer with offsets — held in memory, or mapped from a token file so
/// that a corpus larger than memory trains from the page cache — and which of them this list shows: all,
/// or the training or held-out part of a `HoldOut`, each sentence cut to `maxLength`.
///
/// One array per sentence would cost about 40 bytes of bookkeeping for every 20-token sentence and
/// could not be mapped; this costs 8 bytes of offset per sentence and nothing else.
package struct SentenceIDs: @unchecked Sendable {
    /// Which sentences of the buffer the list shows.
    package enum Selection: Equatable, Sendable {
        case all
        /// The sentences a hold-out keeps for training.
        case kept(HoldOut)
        /// The sentences a hold-out holds out for validation.
        case heldOut(HoldOut)
    }

    /// The ids and offsets, and what to release when the last list over them goes.
    final class Storage: @unchecked Sendable {
        let ids: UnsafeBufferPointer<Int32>
        /// Sentence k is ids[offsets[k]..<offsets[k + 1]].
        let offsets: UnsafeBufferPointer<Int64>
        private let release: () -> Void

        init(ids: UnsafeBufferPointer<Int32>, offsets: UnsafeBufferPointer<Int64>, release: @escaping () -> Void) {
            self.ids = ids
            self.offsets = offsets
            self.release = release
        }

        deinit { release() }

        var sentences: Int { max(0, offsets.count - 1) }
    }

    let storage: Storage
    package let selection: Selection
    /// Longer sentences are cut to this many tokens.
    package let maxLength: Int
    /// Sentences in the list.
    package let count: Int

    init(storage: Storage, selection: Selection = .all, maxLength: Int = .max) {
        let total = storage.sentences
        switch selection {
        case .all: count = total
        case .kept(let holdOut): count = holdOut.keptCount(of: total)
        case .heldOut(let holdOut): count = holdOut.heldOutCount(of: total)
        }
        self.storage = storage
        self.selection = selection
        self.maxLength = maxLength
    }

    /// Sentences held in memory, copied into one buffer.
    package init(_ sentences: [[Int32]], maxLength: Int = .max) {
        let total = sentences.reduce(0) { $0 + $1.count }
        let ids = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(1, total))
        let offsets = UnsafeMutableBufferPointer<Int64>.allocate(capacity: sentences.count + 1)
        var at = 0
        offsets[0] = 0
        for (k, s) in sentences.enumerated() {
            for (j, id) in s.enumerated() { ids[at + j] = id }
            at += s.count
            offsets[k + 1] = Int64(at)
        }
        let storage = Storage(ids: UnsafeBufferPointer(rebasing: ids[0..<total]), offsets: UnsafeBufferPointer(offsets)) {
            ids.deallocate()
            offsets.deallocate()
        }
        self.init(storage: storage, maxLength: maxLength)
    }

    /// The same buffer showing other sentences, or cut to another length.
    package func selecting(_ selection: Selection, maxLength: Int? = nil) -> SentenceIDs {
        precondition(self.selection == .all, "select from the whole list")
        return SentenceIDs(storage: storage, selection: selection, maxLength: maxLength ?? self.maxLength)
    }

    /// The position in the buffer of the list's `i`-th sentence.
    @inline(__always)
    package func source(_ i: Int) -> Int {
        switch selection {
        case .all: return i
        case .kept(let holdOut): return holdOut.keptIndex(i)
        case .heldOut(let holdOut): return holdOut.heldOutIndex(i)
        }
    }

    /// Tokens of sentence `i` (after the cut).
    @inline(__always)
    package func length(_ i: Int) -> Int {
        let k = source(i)
        return min(maxLength, Int(storage.offsets[k + 1] - storage.offsets[k]))
    }

    /// Whether sentence `i` is longer than `maxLength` (and so cut).
    package func isCut(_ i: Int) -> Bool {
        let k = source(i)
        return Int(storage.offsets[k + 1] - storage.offsets[k]) > maxLength
    }

    /// Calls `body` with sentence `i`'s ids, cut to `maxLength`, where they are (no copy).
    @inline(__always)
    package func withIDs<T>(_ i: Int, _ body: (UnsafeBufferPointer<Int32>) throws -> T) rethrows -> T {
        let start = Int(storage.offsets[source(i)])
        return try body(UnsafeBufferPointer(rebasing: storage.ids[start..<(start + length(i))]))
    }

    /// Sentence `i`'s ids, cut to `maxLength`.
    package subscript(i: Int) -> [Int32] {
        let k = source(i)
        let start = Int(storage.offsets[k])
        let end = start + length(i)
        return Array(storage.ids[start..<end])
    }

    package var isEmpty: Bool { count == 0 }
    package var indices: Range<Int> { 0..<count }

    /// Every sentence as its own array: for lists small enough to hold so (validation, tests).
    package var arrays: [[Int32]] { indices.map { self[$0] } }
}
