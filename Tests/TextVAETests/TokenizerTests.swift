import Testing

@testable import TextVAE

/// Swift's `String ==` compares canonically equivalent strings as equal, so
/// "cafe\u{301}" == "café" even without normalisation. Tests about NFC and
/// case mapping therefore compare Unicode scalars, which can tell them apart.
func scalars(_ tokens: [String]) -> [[UInt32]] {
    tokens.map { $0.unicodeScalars.map(\.value) }
}

func icu(_ locale: String = "en", lowercase: Bool = true) throws -> Tokenizer {
    try Tokenizer(TokenizerSettings(name: .icu, locale: locale, lowercase: lowercase))
}

/// One sentence and the tokens it must give.
struct TokenCase: CustomTestStringConvertible, Sendable {
    var name: String
    var locale = "en"
    var lowercase = true
    var text: String
    var tokens: [String]
    var testDescription: String { name }
}

@Suite struct TokenizerTests {
    static let icuCases: [TokenCase] = [
        TokenCase(
            name: "English with contractions and punctuation",
            text: "Don't panic: it's 3.14, not 42!",
            tokens: ["don't", "panic", ":", "it's", "3.14", ",", "not", "42", "!"]),
        TokenCase(
            name: "keep case", lowercase: false,
            text: "Don't panic, Arthur.",
            tokens: ["Don't", "panic", ",", "Arthur", "."]),
        TokenCase(
            name: "decimal number is one token",
            text: "pi is about 3.14159 (not 3)",
            tokens: ["pi", "is", "about", "3.14159", "(", "not", "3", ")"]),
        TokenCase(
            name: "punctuation runs and quotes",
            text: "\"Wait...\" she said; then left?",
            tokens: ["\"", "wait", ".", ".", ".", "\"", "she", "said", ";", "then", "left", "?"]),
        TokenCase(
            name: "decomposed accent becomes NFC",
            text: "un cafe\u{301} cre\u{300}me",
            tokens: ["un", "caf\u{E9}", "cr\u{E8}me"]),
        TokenCase(
            name: "Turkish dotted capital I with tr", locale: "tr",
            text: "İSTANBUL", tokens: ["istanbul"]),
        TokenCase(
            name: "Turkish dotless capital I with tr", locale: "tr",
            text: "ILIK", tokens: ["\u{131}l\u{131}k"]),
        // English has no dotted capital I: lower-casing keeps the dot as U+0307.
        TokenCase(
            name: "Turkish dotted capital I with en", locale: "en",
            text: "İSTANBUL", tokens: ["i\u{307}stanbul"]),
        TokenCase(
            name: "Turkish dotless capital I with en", locale: "en",
            text: "ILIK", tokens: ["ilik"]),
    ]

    @Test(arguments: icuCases)
    func icuTokens(_ c: TokenCase) throws {
        let tokens = try icu(c.locale, lowercase: c.lowercase).tokenize(c.text)
        #expect(scalars(tokens) == scalars(c.tokens), "\(c.name): got \(tokens)")
    }

    @Test func decomposedAndPrecomposedGiveTheSameScalars() throws {
        let t = try icu()
        let decomposed = try t.tokenize("cafe\u{301}")
        let precomposed = try t.tokenize("caf\u{E9}")
        #expect(scalars(decomposed) == scalars(precomposed))
        #expect(scalars(decomposed) == [[0x63, 0x61, 0x66, 0xE9]])
    }

    /// Dictionary-segmented scripts: the exact split belongs to ICU's
    /// dictionaries, so check that a sentence gives several words that add up
    /// to the sentence, rather than pinning one ICU version's split.
    @Test(arguments: [
        ("zh", "我喜欢自然语言处理"),
        ("th", "ฉันรักภาษาไทยมาก"),
        ("ja", "私は自然言語処理が好きです"),
    ])
    func dictionaryScripts(locale: String, text: String) throws {
        let tokens = try icu(locale).tokenize(text)
        #expect(tokens.count >= 3, "\(locale): \(text) gave \(tokens)")
        #expect(tokens.joined() == text, "\(locale): tokens \(tokens) do not add up to the text")
    }

    @Test func chineseWordsFromTheDictionary() throws {
        // The split measured for ICU 72 (the Platform article); a word-level split, not characters.
        let tokens = try icu("zh").tokenize("我喜欢自然语言处理")
        #expect(tokens.contains("喜欢") && tokens.contains("自然") && tokens.contains("语言"), "got \(tokens)")
    }

    static let blankLines = ["", " ", "   ", "\t", " \t \u{A0}\u{3000}\u{2028} "]

    @Test(arguments: TokenizerSettings.Name.allCases)
    func blankLinesGiveNoTokens(_ name: TokenizerSettings.Name) throws {
        let t = try Tokenizer(TokenizerSettings(name: name))
        for line in Self.blankLines {
            #expect(try t.tokenize(line) == [], "\(name) tokenizer, line \(line.unicodeScalars.map(\.value))")
        }
    }

    @Test func whitespaceTokenizerSplitsOnWhiteSpaceOnly() throws {
        let t = try Tokenizer(TokenizerSettings(name: .whitespace, locale: "en", lowercase: true))
        #expect(t.settings.lowercase == false, "whitespace tokenizer never lower-cases")
        let cases: [(String, [String])] = [
            ("the <unk> said N  Café", ["the", "<unk>", "said", "N", "Café"]),
            // No normalisation: the decomposed accent stays decomposed.
            ("cafe\u{301} don't", ["cafe\u{301}", "don't"]),
            // U+00A0, U+2003 and U+3000 are White_Space; U+200B (zero width space) is not.
            ("a\u{A0}b\u{2003}c\u{3000}d\u{200B}e", ["a", "b", "c", "d\u{200B}e"]),
            ("3.14, (x)", ["3.14,", "(x)"]),
            ("\t<pad> <bos> <eos>\t", ["<pad>", "<bos>", "<eos>"]),
        ]
        for (text, expected) in cases {
            let tokens = try t.tokenize(text)
            #expect(scalars(tokens) == scalars(expected), "text \(text.debugDescription): got \(tokens)")
        }
    }

    @Test func whitespaceUnkIsTheUnknownWord() throws {
        let t = try Tokenizer(TokenizerSettings(name: .whitespace))
        let corpus = try Corpus(lines: ["the <unk> sat", "the cat sat", "<pad> <bos> <eos>"], tokenizer: t)
        let vocabulary = try Vocabulary(building: corpus.sentences)
        #expect(corpus.sentences[0] == ["the", "<unk>", "sat"])
        #expect(vocabulary.ids(corpus.sentences[0]) == [Int32(vocabulary.id("the")), 1, Int32(vocabulary.id("sat"))])
        #expect(vocabulary.ids(corpus.sentences[2]) == [1, 1, 1], "literal <pad> <bos> <eos> are unknown words")
        // The literal specials are not counted as words.
        #expect(vocabulary.count == 4 + 3, "got \(vocabulary.tokens)")
    }

    @Test func paragraphModeSplitsRunningText() throws {
        let lines = ["Hello there. How are", "you? I am fine.", "", "  ", "A new paragraph starts here."]
        let corpus = try Corpus(lines: lines, tokenizer: icu(), paragraphs: true)
        let expected = [
            ["hello", "there", "."],
            ["how", "are", "you", "?"],
            ["i", "am", "fine", "."],
            ["a", "new", "paragraph", "starts", "here", "."],
        ]
        #expect(corpus.sentences == expected)

        // Without paragraph mode each line is one sentence and blank lines are counted.
        let byLine = try Corpus(lines: lines, tokenizer: icu())
        #expect(byLine.sentences.count == 3)
        #expect(byLine.empty == 2)
    }

    @Test func badLocaleIsAnError() {
        for locale in ["", "en us", "../x"] {
            let error = #expect(throws: TextVAEError.self, "locale \(locale.debugDescription)") {
                try icu(locale)
            }
            #expect(error?.isCase(.invalidInput("")) == true, "\(String(describing: error))")
        }
    }
}
