/// Which sentences of a corpus validation holds out when no validation file is given: every n-th (sentences
/// n − 1, 2n − 1, ... counting from 0), n = 1 / fraction rounded (20 for the default 0.05), at least 2 and at
/// most the number of sentences, so that at least one sentence is held out, one is kept, and the held-out ones
/// spread over the whole file. Deterministic: the same file gives the same split in every run and on every rank.
/// The one place this rule is written; the in-memory route, token files and labels all ask it.
package struct HoldOut: Equatable, Sendable {
    /// n: one sentence in `every` is held out.
    package let every: Int

    package init(fraction: Double, sentences: Int) {
        every = max(2, min(Int((1 / fraction).rounded()), sentences))
    }

    /// Whether the sentence at `index` (from 0) of the corpus is held out.
    @inline(__always)
    package func isHeldOut(_ index: Int) -> Bool { index % every == every - 1 }

    /// How many of `total` sentences are held out, and how many kept.
    package func heldOutCount(of total: Int) -> Int { total / every }
    package func keptCount(of total: Int) -> Int { total - total / every }

    /// The corpus index of the `i`-th kept sentence, and of the `i`-th held-out one.
    @inline(__always)
    package func keptIndex(_ i: Int) -> Int { (i / (every - 1)) * every + i % (every - 1) }
    @inline(__always)
    package func heldOutIndex(_ i: Int) -> Int { i * every + every - 1 }

    /// `items` (one per corpus sentence, in order) split into the kept and the held-out ones.
    package func split<T>(_ items: [T]) -> (kept: [T], heldOut: [T]) {
        var kept: [T] = [], heldOut: [T] = []
        kept.reserveCapacity(keptCount(of: items.count))
        heldOut.reserveCapacity(heldOutCount(of: items.count))
        for (k, item) in items.enumerated() {
            if isHeldOut(k) { heldOut.append(item) } else { kept.append(item) }
        }
        return (kept, heldOut)
    }
}
