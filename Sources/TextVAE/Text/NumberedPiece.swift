/// One thread's piece of a chunk of lines, tokenised: each sentence as its length and then its tokens, each
/// token numbered by its first appearance in the piece (`types` lists them in that order).
struct NumberedPiece {
    var numbers: [Int32] = []
    var types: [String] = []
    var sentences = 0, tokens = 0, empty = 0

    /// The lines split into consecutive pieces as `Corpus(lines:)` splits them (in paragraph mode, at blank
    /// lines), one per tokenizer, tokenised and numbered concurrently; in order, so the result does not
    /// depend on the number of threads.
    static func tokenize(_ lines: [String], tokenizers: [Tokenizer], paragraphs: Bool) throws -> [NumberedPiece] {
        let ranges = Corpus.pieces(of: lines, parts: min(tokenizers.count, max(1, lines.count / 1024)), paragraphs: paragraphs)
        var results = [Result<NumberedPiece, any Error>?](repeating: nil, count: ranges.count)
        results.withUnsafeMutableBufferPointer { out in
            Parallel.forEach(ranges.count) { i in
                out[i] = Result {
                    let corpus = try Corpus.tokenize(lines[ranges[i]], tokenizers[i], paragraphs: paragraphs)
                    var piece = NumberedPiece(sentences: corpus.sentences.count, empty: corpus.empty)
                    var local: [ExactToken: Int32] = [:]
                    for sentence in corpus.sentences {
                        piece.numbers.append(Int32(sentence.count))
                        for token in sentence {
                            let key = ExactToken(token)
                            if let n = local[key] {
                                piece.numbers.append(n)
                            } else {
                                local[key] = Int32(piece.types.count)
                                piece.numbers.append(Int32(piece.types.count))
                                piece.types.append(token)
                            }
                        }
                        piece.tokens += sentence.count
                    }
                    return piece
                }
            }
        }
        return try results.map { try $0!.get() }
    }

    /// Replaces the piece's numbers by `global[number]`, leaving the lengths.
    mutating func renumber(_ global: [Int32]) {
        var at = 0
        while at < numbers.count {
            let length = Int(numbers[at])
            for j in (at + 1)..<(at + 1 + length) { numbers[j] = global[Int(numbers[j])] }
            at += 1 + length
        }
    }
}
