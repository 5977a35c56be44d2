import Foundation
import Testing

@testable import TextVAE

/// Tokenising a corpus on several threads gives exactly what one thread gives.
@Suite struct CorpusTests {
    static let lines: [String] = {
        let mixed = [
            "The cat sat on the mat.", "我喜欢自然语言处理。", "ฉันรักภาษาไทยมาก", "", "   ", "Dr. Smith's dog isn't here!",
            "e\u{301}cole \u{E9}cole", "...", "Two sentences here. And a second one?",
        ]
        return (0..<1_000).map { mixed[$0 % mixed.count] + ($0 % 7 == 0 ? " \($0)" : "") }
    }()

    @Test(arguments: [false, true])
    func threadsGiveTheSameSentencesAsOne(paragraphs: Bool) throws {
        let tokenizer = try Tokenizer(TokenizerSettings(name: .icu, locale: "en"))
        let one = try Corpus(lines: Self.lines, tokenizer: tokenizer, paragraphs: paragraphs, threads: 1)
        for threads in [2, 3, 8] {
            let many = try Corpus(lines: Self.lines, tokenizer: tokenizer, paragraphs: paragraphs, threads: threads, linesPerThread: 50)
            #expect(many.sentences == one.sentences && many.empty == one.empty, "\(threads) threads, paragraphs \(paragraphs)")
        }
        #expect(one.sentences.count > 500)
    }

    @Test func piecesEndAtParagraphBreaks() {
        let lines = ["a", "b", "", "c", "d", "e", "", "f", "", "g"]
        let pieces = Corpus.pieces(of: lines, parts: 3, paragraphs: true)
        #expect(pieces.first?.lowerBound == 0 && pieces.last?.upperBound == lines.count)
        #expect(zip(pieces, pieces.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        for piece in pieces.dropLast() { #expect(lines[piece.upperBound - 1].isEmpty, "\(pieces)") }
        #expect(Corpus.pieces(of: lines, parts: 4, paragraphs: false).count == 4)
        #expect(Corpus.pieces(of: ["a"], parts: 4, paragraphs: true) == [0..<1])
    }
}
