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
            labels = try Self.labels(inFile: labelsFile)
            try Self.checkLineCount(labels!.count, labelsFile: labelsFile, lines: lines.count, path: path)
        }
        try self.init(lines, path: path, columns: columns, given: labels.map { $0[...] }, firstLine: 1)
    }

    /// The labels of a labels file, one a line, trimmed (blank lines at its end left out).
    package static func labels(inFile path: String) throws -> [String] {
        var lines = try TextFile.readLines(path).lines
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        return lines.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Refuses a labels file whose line count is not the corpus's.
    package static func checkLineCount(_ labels: Int, labelsFile: String, lines: Int, path: String) throws {
        guard labels == lines else {
            throw TextVAEError.file(
                labelsFile, "has \(labels) lines but \(path) has \(lines)", fix: "give one label per line of \(path), line for line")
        }
    }

    /// Splits a run of `lines` that starts at line `firstLine` of `path` (for its messages): `given` holds their
    /// labels from a labels file, or nil to take them from `columns`.
    package init(_ lines: [String], path: String, columns: Columns, given: ArraySlice<String>?, firstLine: Int) throws {
        precondition(given == nil || given!.count == lines.count, "one given label per line")
        var labels = given.map(Array.init)
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
                        "line \(firstLine + n) has \(cells.count) tab-separated column\(cells.count == 1 ? "" : "s"), but column \(needed) was asked for",
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
