import Foundation

/// How a classifier's predictions meet gold labels: counts[gold][predicted], gold labels as rows and the model's
/// classes as columns. When every gold label is one of the classes it is a confusion matrix with an accuracy;
/// either way (classes learned without labels, say) it gives their agreement as normalised mutual information.
package struct ConfusionMatrix: Equatable, Sendable {
    package let goldNames: [String], predictedNames: [String]
    package private(set) var counts: [[Int]]

    package init(goldNames: [String], predictedNames: [String]) {
        self.goldNames = goldNames
        self.predictedNames = predictedNames
        counts = [[Int]](repeating: [Int](repeating: 0, count: predictedNames.count), count: goldNames.count)
    }

    package mutating func add(gold: Int, predicted: Int) { counts[gold][predicted] += 1 }

    package var total: Int { counts.joined().reduce(0, +) }

    /// Sentences whose gold label is the predicted class's name, and their share (nil when no gold label is a class).
    package var correct: Int {
        goldNames.indices.reduce(0) { sum, g in sum + (predictedNames.firstIndex(of: goldNames[g]).map { counts[g][$0] } ?? 0) }
    }
    package var accuracy: Double? {
        goldNames.contains(where: predictedNames.contains) ? Double(correct) / Double(max(1, total)) : nil
    }

    /// The share of the most common gold label: what always guessing it would score.
    package var majorityShare: Double { Double(counts.map { $0.reduce(0, +) }.max() ?? 0) / Double(max(1, total)) }

    /// I(gold; predicted) / √(H(gold) H(predicted)), from the counts: 1 when each determines the other, 0 when
    /// they are independent (0 also when either has a single value).
    package var normalisedMutualInformation: Double {
        let n = Double(total)
        guard n > 0 else { return 0 }
        let rows = counts.map { Double($0.reduce(0, +)) / n }
        let columns = predictedNames.indices.map { c in Double(counts.reduce(0) { $0 + $1[c] }) / n }
        var information = 0.0
        for (g, row) in counts.enumerated() {
            for (c, count) in row.enumerated() where count > 0 {
                let p = Double(count) / n
                information += p * log(p / (rows[g] * columns[c]))
            }
        }
        func entropy(_ ps: [Double]) -> Double { -ps.filter { $0 > 0 }.reduce(0) { $0 + $1 * log($1) } }
        let scale = (entropy(rows) * entropy(columns)).squareRoot()
        return scale > 0 ? information / scale : 0
    }

    /// A table: one row per gold label, one column per predicted class, right-aligned.
    package var table: String {
        let names = goldNames + predictedNames
        let width = max(7, (names.map(\.count).max() ?? 0) + 1, String(counts.joined().max() ?? 0).count + 1)
        func cell(_ s: String) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }
        var lines = [cell("gold ↓") + " " + predictedNames.map(cell).joined(separator: " ") + "   (columns: the model's classes)"]
        for (g, row) in counts.enumerated() { lines.append(cell(goldNames[g]) + " " + row.map { cell(String($0)) }.joined(separator: " ")) }
        return lines.joined(separator: "\n")
    }
}
