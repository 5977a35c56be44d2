/// How a classifier's predictions meet gold labels: counts[gold][predicted] over K classes, and the accuracy.
public struct ConfusionMatrix: Equatable, Sendable {
    public let names: [String]
    public private(set) var counts: [[Int]]

    public init(names: [String]) {
        self.names = names
        counts = [[Int]](repeating: [Int](repeating: 0, count: names.count), count: names.count)
    }

    public mutating func add(gold: Int, predicted: Int) { counts[gold][predicted] += 1 }

    public var total: Int { counts.joined().reduce(0, +) }
    public var correct: Int { names.indices.reduce(0) { $0 + counts[$1][$1] } }
    public var accuracy: Double { Double(correct) / Double(max(1, total)) }

    /// The share of the most common gold class: what always guessing it would score.
    public var majorityShare: Double { Double(counts.map { $0.reduce(0, +) }.max() ?? 0) / Double(max(1, total)) }

    /// A table: one row per gold class, one column per predicted class, right-aligned.
    public var table: String {
        let width = max(6, (names.map(\.count).max() ?? 0) + 1, String(counts.joined().max() ?? 0).count + 1)
        func cell(_ s: String) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }
        var lines = [cell("gold ↓") + " " + names.map(cell).joined(separator: " ") + "   (columns: predicted)"]
        for (g, row) in counts.enumerated() { lines.append(cell(names[g]) + " " + row.map { cell(String($0)) }.joined(separator: " ")) }
        return lines.joined(separator: "\n")
    }
}
