/// Joins tokens for display: spaces between words, but none before closing
/// punctuation, none after opening punctuation, and none between CJK or Thai
/// tokens (those scripts do not separate words with spaces).
package enum Detokenizer {
    package static func join(_ tokens: [String]) -> String {
        var out = ""
        var previous: String?
        for token in tokens {
            if let p = previous, needsSpace(between: p, and: token) { out += " " }
            out += token
            previous = token
        }
        return out
    }

    static func needsSpace(between left: String, and right: String) -> Bool {
        if isClosing(right) || isOpening(left) { return false }
        if isUnspacedScript(left.unicodeScalars.last) && isUnspacedScript(right.unicodeScalars.first) { return false }
        return true
    }

    /// Punctuation that attaches to the word before it, and clitics as Penn
    /// Treebank splits them ('s, n't, 're ...).
    static func isClosing(_ token: String) -> Bool {
        if token == "n't" || (token.hasPrefix("'") && token.count > 1 && token.count <= 3) { return true }
        guard let first = token.unicodeScalars.first, token.unicodeScalars.count == 1 else {
            return token.unicodeScalars.allSatisfy { closingScalars.contains($0) }
        }
        return closingScalars.contains(first)
    }

    static func isOpening(_ token: String) -> Bool {
        token.unicodeScalars.count == 1 && openingScalars.contains(token.unicodeScalars.first!)
    }

    private static let closingScalars = Set(".,;:!?)]}%…»”’。，、；：！？）」』】〉》".unicodeScalars)
    private static let openingScalars = Set("([{«“‘¿¡（「『【〈《".unicodeScalars)

    static func isUnspacedScript(_ scalar: Unicode.Scalar?) -> Bool {
        guard let v = scalar?.value else { return false }
        return (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v)  // CJK ideographs
            || (0x3040...0x30FF).contains(v)  // kana
            || (0x3000...0x303F).contains(v)  // CJK punctuation
            || (0xFF00...0xFFEF).contains(v)  // full-width forms
            || (0x0E00...0x0E7F).contains(v)  // Thai
            || (0x20000...0x2FFFF).contains(v)
    }
}
