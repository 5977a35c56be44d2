/// Splits sentences into tokens as <doc:TextToTokens> describes.
///
/// A class because it owns ICU break iterators, which are costly to open and
/// not thread-safe: use one tokenizer per thread.
package final class Tokenizer {
    package let settings: TokenizerSettings
    private let words: ICU.BreakIterator?
    private var sentenceIterator: ICU.BreakIterator?

    package init(_ settings: TokenizerSettings) throws {
        self.settings = settings
        switch settings.name {
        case .icu:
            guard !settings.locale.isEmpty, settings.locale.allSatisfy({ $0.isLetter || $0 == "_" || $0 == "-" }) else {
                throw TextVAEError.invalidInput("'\(settings.locale)' is not a locale; use a code such as en, de, tr, zh or th")
            }
            words = try ICU.BreakIterator(.word, locale: settings.locale)
        case .whitespace:
            words = nil
        }
    }

    /// The tokens of one sentence. Empty for a line with no tokens.
    package func tokenize(_ sentence: String) throws -> [String] {
        guard let words else { return Self.whitespaceTokens(sentence) }
        var text = Array(sentence.utf16)
        if text.isEmpty { return [] }
        text = try ICU.nfc(text)
        if settings.lowercase { text = try ICU.lowercase(text, locale: settings.locale) }
        var tokens: [String] = []
        for (range, _) in try words.segments(text) {
            // Rule status 0 covers both punctuation and white space: look at the text.
            let token = String(decoding: text[range], as: UTF16.self)
            if token.unicodeScalars.allSatisfy(\.properties.isWhitespace) { continue }
            tokens.append(token)
        }
        return tokens
    }

    /// Running text split into sentences with ICU's sentence iterator (paragraph mode).
    package func sentences(_ text: String) throws -> [String] {
        if sentenceIterator == nil {
            sentenceIterator = try ICU.BreakIterator(.sentence, locale: settings.locale.isEmpty ? "en" : settings.locale)
        }
        let units = Array(text.utf16)
        return try sentenceIterator!.segments(units).compactMap { range, _ in
            let s = String(decoding: units[range], as: UTF16.self)
            let trimmed = s.unicodeScalars.drop(while: \.properties.isWhitespace)
            return trimmed.isEmpty ? nil : String(s).trimmingWhiteSpace()
        }
    }

    /// Tokens of pre-tokenised text: maximal runs of non-White_Space characters.
    static func whitespaceTokens(_ line: String) -> [String] {
        var tokens: [String] = []
        var current = String.UnicodeScalarView()
        for s in line.unicodeScalars {
            if s.properties.isWhitespace {
                if !current.isEmpty { tokens.append(String(current)); current = String.UnicodeScalarView() }
            } else {
                current.append(s)
            }
        }
        if !current.isEmpty { tokens.append(String(current)) }
        return tokens
    }
}
