/// One thread's piece of a chunk of lines, tokenised: each sentence as its length and then its tokens, each
/// token numbered by its first appearance in the piece (`types` lists them in that order).
struct NumberedPiece {
    var numbers: [Int32] = []
    var types: [String] = []
    var sentences = 0, tokens = 0, empty = 0
    /// With labels: each sentence's label ("" for none), in order.
    var labels: [String] = []

    /// The lines split into consecutive pieces as `Corpus(lines:)` splits them (in paragraph mode, at blank
    /// lines), one per tokenizer, tokenised and numbered concurrently; in order, so the result does not
    /// depend on the number of threads.
    /// - Parameter labels: one per line (one sentence a line, not paragraphs): each sentence keeps its line's,
    ///   and a line without words drops its label with it.
    static func tokenize(_ lines: [String], labels: [String]? = nil, tokenizers: [Tokenizer], paragraphs: Bool) throws
        -> [NumberedPiece]
    {
        precondition(labels == nil || (labels!.count == lines.count && !paragraphs), "one label per line, not paragraphs")
        let ranges = Corpus.pieces(of: lines, parts: min(tokenizers.count, max(1, lines.count / 1024)), paragraphs: paragraphs)
        var results = [Result<NumberedPiece, any Error>?](repeating: nil, count: ranges.count)
        results.withUnsafeMutableBufferPointer { out in
            Parallel.forEach(ranges.count) { i in
                out[i] = Result {
                    var corpus: Corpus, kept: [String] = []
                    if let labels {  // line by line, as `Corpus.tokenize` reads lines, keeping each sentence's label
                        corpus = Corpus(sentences: [], empty: 0)
                        for n in ranges[i] {
                            if (n - ranges[i].lowerBound) % 1024 == 0 { try Interruption.check("tokenising") }
                            let tokens = try tokenizers[i].tokenize(lines[n])
                            if tokens.isEmpty { corpus.empty += 1 } else { corpus.sentences.append(tokens); kept.append(labels[n]) }
                        }
                    } else {
                        corpus = try Corpus.tokenize(lines[ranges[i]], tokenizers[i], paragraphs: paragraphs)
                    }
                    var piece = NumberedPiece(sentences: corpus.sentences.count, empty: corpus.empty, labels: kept)
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
