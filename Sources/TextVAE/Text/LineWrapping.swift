import Foundation

/// Tells running text wrapped at a fixed width (a book or a manual saved as text) from a file of one
/// sentence per line. Trained without `--paragraphs`, wrapped text teaches the model line fragments that
/// start and end mid-sentence; the tool warns and names the flag.
package enum LineWrapping {
    /// Whether most of `lines` look like wrapped running text: at least 20 non-blank lines, a line width of
    /// at least 30 characters (the 90th percentile), and at least half of the lines both within 15% of that
    /// width and ending without a sentence's closing punctuation. A corpus of sentences has lengths spread
    /// far wider; a wrapped one has most lines near the width, cut between words.
    package static func looksWrapped(_ lines: [String]) -> Bool {
        let text = lines.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard text.count >= 20 else { return false }
        let widths = text.map(\.count).sorted()
        let width = widths[widths.count * 9 / 10]
        guard width >= 30 else { return false }
        let closing = Set(".!?:;\"')]»”’…。！？")
        let cut = text.filter { line in
            line.count >= Int(0.85 * Double(width)) && line.count <= width + 2 && !(line.last.map(closing.contains) ?? false)
        }
        return 2 * cut.count >= text.count
    }

    /// `looksWrapped` on the first lines of the file at `path` (its first 256 KiB); false for a file it cannot read.
    package static func looksWrapped(path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: 256 << 10) else { return false }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast().prefix(2_000)
        return looksWrapped(lines.map(String.init))
    }
}
