import Testing

@testable import TextVAE

@Suite struct DetokenizerTests {
    static let cases: [(tokens: [String], text: String)] = [
        ([], ""),
        (["hello"], "hello"),
        (["hello", ",", "world", "!"], "hello, world!"),
        (["pi", "is", "3.14", "."], "pi is 3.14."),
        (["wait", "...", "what", "?", "!"], "wait... what?!"),
        (["(", "see", "above", ")", "."], "(see above)."),
        (["[", "1", "]", "and", "{", "2", "}"], "[1] and {2}"),
        (["he", "said", "“", "yes", "”", ";", "ok"], "he said “yes”; ok"),
        (["«", "oui", "»"], "«oui»"),
        (["¿", "qué", "?"], "¿qué?"),
        (["50", "%", "off"], "50% off"),
        // Penn Treebank clitics attach to the word before them.
        (["do", "n't", "go"], "don't go"),
        (["it", "'s", "john", "'s", "car"], "it's john's car"),
        (["we", "'re", "here"], "we're here"),
        // No spaces between CJK (or Thai) tokens, nor before their punctuation.
        (["我", "喜欢", "自然", "语言", "处理"], "我喜欢自然语言处理"),
        (["我", "喜欢", "，", "你", "呢", "？"], "我喜欢，你呢？"),
        (["「", "本", "」", "を", "読む"], "「本」を読む"),
        (["ฉัน", "รัก", "ภาษา", "ไทย"], "ฉันรักภาษาไทย"),
        // Between CJK and Latin words a space stays.
        (["我", "爱", "nlp"], "我爱 nlp"),
        (["nlp", "很", "好"], "nlp 很好"),
    ]

    @Test func joins() {
        for (tokens, text) in Self.cases {
            #expect(Detokenizer.join(tokens) == text, "tokens \(tokens)")
        }
    }

    /// Tokenising and joining again gives back text written the usual way.
    @Test func roundTrip() throws {
        let cases: [(locale: String, text: String)] = [
            ("en", "the cat sat on the mat."),
            ("en", "well, (maybe) not: 3.14 is pi!"),
            ("zh", "我喜欢自然语言处理。"),
            ("th", "ฉันรักภาษาไทยมาก"),
        ]
        for (locale, text) in cases {
            let tokenizer = try Tokenizer(TokenizerSettings(name: .icu, locale: locale))
            let tokens = try tokenizer.tokenize(text)
            #expect(Detokenizer.join(tokens) == text, "\(locale): \(text) -> \(tokens)")
        }
    }
}
