/// Sequences of a batch laid out time-major with no padding, as PyTorch's
/// packed sequences: rows are sorted by length, longest first, so the rows
/// still running at step t are always rows 0..<active[t], and step t's rows
/// are the `active[t]` consecutive rows starting at `offsets[t]`.
/// No computation ever touches a padding position.
struct PackedSequences: Equatable {
    /// Per row, non-increasing.
    let lengths: [Int]
    /// Per step: how many rows have a position at that step.
    let active: [Int]
    /// Per step, the packed index of (step, row 0); `offsets[steps]` is the total.
    let offsets: [Int]

    var rows: Int { lengths.count }
    var steps: Int { active.count }
    var total: Int { offsets.last ?? 0 }

    init(lengths: [Int]) {
        precondition(zip(lengths, lengths.dropFirst()).allSatisfy { $0 >= $1 }, "rows must be sorted by length, longest first")
        precondition(lengths.allSatisfy { $0 >= 1 }, "every sequence needs at least one position")
        self.lengths = lengths
        let steps = lengths.first ?? 0
        var active: [Int] = [], offsets = [0]
        for t in 0..<steps {
            let b = lengths.lastIndex(where: { $0 > t }).map { $0 + 1 } ?? 0
            active.append(b)
            offsets.append(offsets.last! + b)
        }
        self.active = active
        self.offsets = offsets
    }

    /// Packed index of row `row` at step `step` (requires step < lengths[row]).
    @inline(__always) func index(step: Int, row: Int) -> Int { offsets[step] + row }

    /// The row of each packed position, (N).
    var rowOfPosition: [Int] { (0..<steps).flatMap { t in 0..<active[t] } }

    /// Packed index of each row's last position.
    var lastIndices: [Int] { lengths.enumerated().map { row, n in offsets[n - 1] + row } }

    /// Each row's positions in reverse order, in the same layout: `out[index(t, r)] = values[index(L_r − 1 − t, r)]`.
    /// A network reading `out` reads every sentence from its last word to its first, and its last state of each row is
    /// at the same packed index as the forward network's.
    func reversedWithinRows<T>(_ values: UnsafePointer<T>, into out: UnsafeMutablePointer<T>) {
        for (row, n) in lengths.enumerated() {
            for t in 0..<n { out[offsets[t] + row] = values[offsets[n - 1 - t] + row] }
        }
    }
}
