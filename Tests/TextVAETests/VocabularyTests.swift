import Foundation
import Testing

@testable import TextVAE

@Suite struct VocabularyTests {
    /// Sentences where every word is tied with several others, so any order
    /// that comes from a hash table rather than the tie rule shows up.
    static let tiedCorpus: [String] = [
        "the zebra and the yak and the xenops",
        "a quail, a rook, a pika, a newt",
        "é e f g h i j k l m",
        "～ 😀 b c d o s t u v w",
    ]

    @Test func specialsComeFirst() throws {
        let v = try Vocabulary(building: [["a", "b"]])
        #expect(Array(v.tokens.prefix(4)) == ["<pad>", "<unk>", "<bos>", "<eos>"])
        for (id, token) in ["<pad>", "<unk>", "<bos>", "<eos>"].enumerated() {
            #expect(Vocabulary.specials[id] == token)
        }
        #expect((Vocabulary.pad, Vocabulary.unk, Vocabulary.bos, Vocabulary.eos) == (0, 1, 2, 3))
        #expect(Array(v.counts.prefix(4)) == [0, 0, 0, 0])
    }

    @Test func buildingTwiceGivesByteIdenticalFiles() throws {
        try withScratchFolder { folder in
            let corpusPath = folder + "/corpus.txt"
            try Data(Self.tiedCorpus.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: corpusPath))
            var files: [Data] = []
            for run in 0..<2 {
                let tokenizer = try Tokenizer(TokenizerSettings())
                let corpus = try Corpus.read(corpusPath, tokenizer: tokenizer)
                let path = folder + "/vocab-\(run).txt"
                try Vocabulary(building: corpus.sentences).write(to: path)
                files.append(try Data(contentsOf: URL(fileURLWithPath: path)))
            }
            #expect(files[0] == files[1])
            #expect(!files[0].isEmpty)
        }
    }

    @Test func orderOfSentencesDoesNotMatter() throws {
        let t = try Tokenizer(TokenizerSettings())
        let sentences = try Corpus(lines: Self.tiedCorpus, tokenizer: t).sentences
        let forward = try Vocabulary(building: sentences)
        let backward = try Vocabulary(building: sentences.reversed().map { $0.reversed() })
        #expect(forward.fileText == backward.fileText)
    }

    @Test func mostFrequentFirstThenCodePoints() throws {
        // "～" is U+FF5E and "😀" U+1F600: in UTF-16 the emoji's surrogate (D83D)
        // sorts first, by code point it comes last; "B" < "a" < "é" (U+E9).
        let sentences = [["x", "x", "x", "y", "y", "😀", "～", "é", "a", "B"]]
        let v = try Vocabulary(building: sentences)
        let words = Array(v.tokens.dropFirst(4))
        let expected = ["x", "y", "B", "a", "é", "～", "😀"]
        #expect(
            words.map { $0.unicodeScalars.map(\.value) } == expected.map { $0.unicodeScalars.map(\.value) },
            "got \(words)")
        #expect(Array(v.counts.dropFirst(4)) == [3, 2, 1, 1, 1, 1, 1])
    }

    @Test func minCountAndMaxSize() throws {
        // a:5 b:4 c:3 d:2 e:1
        let sentences = [["a", "b", "c", "d", "e"], ["a", "b", "c", "d"], ["a", "b", "c"], ["a", "b"], ["a"]]
        let cases: [(minCount: Int, maxSize: Int, words: [String])] = [
            (1, 20_000, ["a", "b", "c", "d", "e"]),
            (3, 20_000, ["a", "b", "c"]),
            (6, 20_000, []),
            (1, 2, ["a", "b"]),
            (1, 5, ["a", "b", "c", "d", "e"]),
            (2, 10, ["a", "b", "c", "d"]),
            (4, 1, ["a"]),
        ]
        for c in cases {
            let v = try Vocabulary(building: sentences, minCount: c.minCount, maxSize: c.maxSize)
            #expect(Array(v.tokens.dropFirst(4)) == c.words, "min-count \(c.minCount), max-size \(c.maxSize)")
            #expect(v.count == 4 + c.words.count, "max-size counts words, not specials: \(c)")
        }
    }

    @Test func unknownWordsAndLiteralSpecialsMapToUnk() throws {
        let v = try Vocabulary(building: [["the", "cat", "<unk>", "<pad>"], ["the", "dog"]])
        #expect(v.id("the") == 4)
        let cases: [(String, Int)] = [
            ("aardvark", 1), ("", 1), ("The", 1), ("<unk>", 1), ("<pad>", 1), ("<bos>", 1), ("<eos>", 1),
        ]
        for (token, id) in cases {
            #expect(v.id(token) == id, "token \(token.debugDescription)")
        }
        #expect(!v.tokens.dropFirst(4).contains("<unk>"), "literal specials are not counted as words")
        #expect(v.ids(["the", "zebra", "dog"]) == [4, 1, Int32(v.id("dog"))])
        #expect(v.coverage(of: [["the", "zebra", "<unk>", "cat"]]) == 0.5)
    }

    @Test func saveAndLoadRoundTrip() throws {
        try withScratchFolder { folder in
            let sentences = [["naïve", "café", "我", "😀", "don't", "3.14", ",", "."], ["café", "."]]
            let v = try Vocabulary(building: sentences)
            let path = folder + "/v.txt"
            try v.write(to: path)
            let loaded = try Vocabulary.load(path)
            #expect(loaded == v)
            #expect(loaded.tokens.map { Array($0.utf8) } == v.tokens.map { Array($0.utf8) })
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.hasPrefix("<pad>\t0\n<unk>\t0\n<bos>\t0\n<eos>\t0\n"), "file: \(text.prefix(60))")
            #expect(text.hasSuffix("\n"))
        }
    }

    @Test func badVocabularyFilesAreErrorsNamingTheFile() throws {
        try withScratchFolder { folder in
            let cases: [(name: String, text: String, mentions: String)] = [
                ("no-specials", "the\t3\ncat\t2\n", "must start with"),
                ("no-count", "<pad>\t0\n<unk>\t0\n<bos>\t0\n<eos>\t0\nthe\n", "line 5"),
                ("twice", "<pad>\t0\n<unk>\t0\n<bos>\t0\n<eos>\t0\nthe\t3\nthe\t2\n", "twice"),
            ]
            for c in cases {
                let path = folder + "/" + c.name + ".txt"
                try Data(c.text.utf8).write(to: URL(fileURLWithPath: path))
                let error = try #require(throws: TextVAEError.self, "\(c.name)") { try Vocabulary.load(path) }
                #expect(error.description.contains(path), "\(c.name): \(error)")
                #expect(error.description.contains(c.mentions), "\(c.name): \(error)")
            }
        }
    }

    /// `--min-count auto`: words seen once leave when the others cover 95% of the tokens, and stay otherwise.
    @Test func automaticMinCountFollowsTheCorpus() throws {
        let common = Array(repeating: ["the", "cat", "sat", "on", "a", "mat"], count: 20)  // 120 tokens seen 20 times each
        let few = common + [["zebra"], ["yak"]]  // 2 of 122 tokens seen once: 1.6%
        let many = common + (0..<10).map { ["word\($0)"] }  // 10 of 130: 7.7%
        let auto = Vocabulary.automaticMinCount
        #expect(try Vocabulary(building: few, minCount: auto).count == 4 + 6)
        #expect(try Vocabulary(building: many, minCount: auto).count == 4 + 6 + 10)
        #expect(try Vocabulary(building: many, minCount: 2).count == 4 + 6)
    }
}
