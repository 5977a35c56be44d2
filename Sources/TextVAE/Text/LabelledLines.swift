import Foundation

/// Lines of a user's file split into sentence text and label: by tab-separated columns (one the label, one the
/// sentence, as spreadsheets and pandas write them), or with labels from a second file, line for line.
/// `map`, `classify`, `evaluate` and `train` read labels this way.
package struct LabelledLines {
    /// The sentence text of each line (the whole line without columns).
    package var texts: [String]
    /// One label per line, trimmed ("" where the line gives none), or nil when no labels were asked for.
    package var labels: [String]?

    /// Which tab-separated column is the label and which the sentence.
    package struct Columns: Equatable, Sendable, Codable {
        /// 1-based column holding the label.
        package var label: Int?
        /// 1-based column holding the sentence; nil: the last column that is not the label's.
        package var text: Int?
        package init(label: Int? = nil, text: Int? = nil) { self.label = label; self.text = text }
        var split: Bool { label != nil || text != nil }
    }

    /// Splits `lines` of the file `path`; `labelsFile` gives one label per line instead of a label column.
    package init(_ lines: [String], path: String, columns: Columns = Columns(), labelsFile: String? = nil) throws {
        precondition(!(columns.label != nil && labelsFile != nil), "a label column or a labels file, not both")
        var labels: [String]?
        if let labelsFile {
            var l = try TextFile.readLines(labelsFile).lines
            while let last = l.last, last.isEmpty { l.removeLast() }
            guard l.count == lines.count else {
                throw TextVAEError.file(
                    labelsFile, "has \(l.count) lines but \(path) has \(lines.count)",
                    fix: "give one label per line of \(path), line for line")
            }
            labels = l.map { $0.trimmingCharacters(in: .whitespaces) }
        }
        var texts = lines
        if columns.split {
            if columns.label != nil { labels = [] }
            for (n, line) in lines.enumerated() {
                guard !line.allSatisfy(\.isWhitespace) else { labels?.append(""); continue }
                let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                let textIndex = (columns.text ?? (columns.label == cells.count ? cells.count - 1 : cells.count)) - 1
                guard textIndex >= 0, textIndex < cells.count, columns.label.map({ $0 <= cells.count }) ?? true else {
                    let needed = max(columns.text ?? 2, columns.label ?? 1)
                    throw TextVAEError.file(
                        path,
                        "line \(n + 1) has \(cells.count) tab-separated column\(cells.count == 1 ? "" : "s"), but column \(needed) was asked for",
                        fix: "give lines such as 'label<TAB>sentence', or choose the columns with --label-column and --text-column")
                }
                texts[n] = cells[textIndex]
                if let c = columns.label { labels?.append(cells[c - 1].trimmingCharacters(in: .whitespaces)) }
            }
        }
        self.texts = texts
        self.labels = labels
    }
}
