import Foundation
import Testing

@testable import TextVAE

/// Byte-pair encoding: learning (deterministic, ties by code points), encoding (the fast path for long
/// words equals the plain one), display, and the files that carry the merges.
@Suite struct SubwordTests {
    static let marker = Subwords.marker

    /// Sennrich et al.'s example: low ×5, lower ×2, newest ×6, widest ×3.
    static let example: [[String]] =
        Array(repeating: ["low"], count: 5) + Array(repeating: ["lower"], count: 2)
        + Array(repeating: ["newest"], count: 6) + Array(repeating: ["widest"], count: 3)

    @Test func learnsTheMostFrequentPairsFirstWithTiesByCodePoints() throws {
        let v = try Vocabulary(learningSubwords: Self.example, size: 4 + 1 + 10 + 4)
        // Pairs: "e s", "s t" (9 each: newest, widest); the tie goes to "e" < "s". Then "es t" (9). Then
        // "▁ l", "l o", "o w" (7 each): "l" < "o" < "▁" (U+2581), so "l o", then "lo w" over "▁ lo".
        let merges = try #require(v.subwords?.merges)
        #expect(merges.map { $0.left + "+" + $0.right } == ["e+s", "es+t", "l+o", "lo+w"])
        // The alphabet (10 letters and the marker) is all there, and every piece the merges make.
        for piece in ["l", "o", "w", "e", "r", "n", "s", "t", "i", "d", Self.marker, "es", "est", "lo", "low"] {
            #expect(v.tokens.contains(piece), "\(piece)")
        }
        #expect(v.count == 4 + 11 + 4)
        #expect(v.tokens(v.ids(["lowest"])) == [Self.marker, "low", "est"])
    }

    @Test func learningIsDeterministicWhateverTheOrderOfTheCorpus() throws {
        let sentences = GrammarCorpus.sentences(count: 400, seed: 2).map { $0.split(separator: " ").map(String.init) }
        let a = try Vocabulary(learningSubwords: sentences, size: 80)
        let b = try Vocabulary(learningSubwords: sentences.reversed(), size: 80)
        #expect(a.fileText == b.fileText)
        #expect(a.count == 80)
    }

    @Test func theAlphabetStaysWhenTheSizeIsSmallerAndOnlyUnseenCharactersAreUnknown() throws {
        let v = try Vocabulary(learningSubwords: [["abc", "xyz"], ["äöü"]], size: 16)
        #expect(v.count == 4 + 1 + 9)
        #expect(v.knows("cab") && v.knows("üäö"))
        #expect(!v.knows("q") && v.ids(["aqb"]).contains(Int32(Vocabulary.unk)))
        #expect(v.text(v.ids(["aqb", "c"])) == "a<unk>b c")
        // The marker inside a word is unknown too, rather than the start of another word.
        #expect(v.text(v.ids(["a\(Self.marker)b"])) == "a<unk>b" && v.wordCount(v.ids(["a\(Self.marker)b", "c"])) == 2)
    }

    /// Two cases the fuzzer found: the marker inside a word, and a piece "▁" + U+200D (zero-width joiner), which is
    /// one grapheme cluster and so does not start with "▁" as a string of characters.
    @Test func markerAndJoinerCasesSpellTheirWordsBack() throws {
        let words = ["\u{200D}", "x\u{200D}y", "\u{200D}", "ab", "ab"]
        let v = try Vocabulary(learningSubwords: [words], size: 40)
        #expect(v.words(v.ids(words)) == words)
        #expect(v.tokens.contains("\(Self.marker)\u{200D}") && Subwords.startsWord("\(Self.marker)\u{200D}"))
        #expect(v.words(v.ids(["a\(Self.marker)b"])) == ["a<unk>b"])
    }

    /// A vocabulary learned from the grammar corpus, for the encoding tests.
    static func grammarVocabulary(size: Int = 120) throws -> Vocabulary {
        let sentences = GrammarCorpus.sentences(count: 2_000, seed: 5).map { $0.split(separator: " ").map(String.init) }
        return try Vocabulary(learningSubwords: sentences, size: size)
    }

    @Test func longWordsMergeAsShortOnesDo() throws {
        let v = try Self.grammarVocabulary()
        let subwords = try #require(v.subwords)
        var rng = Random(seed: 9)
        let letters = Array("abcdefghilmnoprstuy.")
        for _ in 0..<200 {
            let length = 1 + Int(rng.uniform() * 300)
            let word = String((0..<length).map { _ in letters[Int(rng.uniform() * Float(letters.count)) % letters.count] })
            let symbols = [Int32(v.id(Self.marker))] + word.map { Int32(v.id(String($0))) }
            #expect(subwords.mergeWithHeap(symbols) == subwords.mergeByScanning(symbols), "\(word)")
        }
        // The 300,000-character word takes the heap path and still spells itself.
        let long = String(repeating: "thechildsees", count: 25_000)
        let ids = v.ids([long])
        #expect(ids.count < long.count && v.words(ids) == [long])
    }

    @Test func piecesJoinIntoWordsForDisplay() throws {
        let v = try Self.grammarVocabulary()
        let words = ["the", "old", "teacher", "sees", "a", "robot", "."]
        let ids = v.ids(words)
        #expect(ids.count > words.count - 2 && !ids.contains(Int32(Vocabulary.unk)))
        #expect(v.words(ids) == words)
        #expect(v.wordCount(ids) == words.count)
        #expect(v.text(ids) == "the old teacher sees a robot.")
        // A sentence that starts inside a word (as a sampled one may) still reads.
        let continuation = try #require(
            v.tokens.firstIndex { !$0.hasPrefix(Self.marker) && $0.count > 1 && $0 != "<unk>" && !$0.hasPrefix("<") })
        #expect(v.text([Int32(continuation)] + ids) == v.tokens[continuation] + " the old teacher sees a robot.")
    }

    @Test func theMergesTravelInModelAndVocabularyFiles() throws {
        let v = try Self.grammarVocabulary()
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let vocabPath = folder.appendingPathComponent("bpe.vocab.txt").path
        try v.write(to: vocabPath)
        let read = try Vocabulary.load(vocabPath)
        #expect(read == v && read.subwords == v.subwords && read.subwords != nil)
        #expect(read.ids(["teachers"]) == v.ids(["teachers"]))

        let config = ModelConfig(vocabulary: v.count, embedding: 8, hidden: 8, latent: 4)
        let file = ModelFile(model: SentenceVAE(config: config, seed: 1), vocabulary: v, tokenizer: TokenizerSettings())
        let modelPath = folder.appendingPathComponent("m.safetensors").path
        try file.save(to: modelPath)
        let loaded = try ModelFile.load(modelPath)
        #expect(loaded.vocabulary == v && loaded.vocabulary.subwords?.merges == v.subwords?.merges)
        #expect(loaded.extraMetadata["subword_merges"] == nil)

        // A word model's file has no merges and reads as before.
        let words = try Vocabulary(building: [["a", "b"]])
        #expect(words.subwords == nil && !words.fileText.contains("<merges>"))
    }

    @Test func brokenMergesAreRefusedWithTheirNumber() throws {
        #expect(throws: TextVAEError.self) {
            try Vocabulary(
                tokens: Vocabulary.specials + [Self.marker, "a", "b"], counts: [0, 0, 0, 0, 1, 1, 1], merges: [Subwords.Merge("a", "b")])
        }
        do {
            _ = try Vocabulary.parse(
                ["<pad>\t0", "<unk>\t0", "<bos>\t0", "<eos>\t0", "\(Self.marker)\t1", "a\t1", "<merges>", "a"], name: "v.txt")
            Issue.record("a merge line without a tab was read")
        } catch let error as TextVAEError {
            #expect(error.description.contains("v.txt") && error.description.contains("line 8"))
        }
    }
}

extension Vocabulary {
    /// The tokens of some ids, for readable expectations.
    func tokens(_ ids: [Int32]) -> [String] { ids.map { tokens[Int($0)] } }
}
