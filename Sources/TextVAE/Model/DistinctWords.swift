/// The distinct words of a list of token ids, in order of first occurrence,
/// and for each position the index of its word among them.
///
/// A recurrent network's input projection depends only on the word, so it is computed once
/// per distinct word: about half the positions of a training batch repeat a
/// word (PTB, batches of 32), and a whole validation file of 70,000 tokens has
/// about 6,000 distinct words.
struct DistinctWords: Equatable {
    /// (U) each distinct id once.
    private(set) var words: [Int32] = []
    /// (N) index into `words` of each position's id.
    private(set) var slots: [Int32] = []

    var count: Int { words.count }

    init<C: Collection>(_ ids: C) where C.Element == Int32 {
        var slotOf = [Int32](repeating: -1, count: Int(ids.max() ?? 0) + 1)
        slots.reserveCapacity(ids.count)
        for id in ids {
            if slotOf[Int(id)] < 0 {
                slotOf[Int(id)] = Int32(words.count)
                words.append(id)
            }
            slots.append(slotOf[Int(id)])
        }
    }
}
