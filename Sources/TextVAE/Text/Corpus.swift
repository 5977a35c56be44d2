/// A text file read as tokenised sentences.
package struct Corpus {
    package var sentences: [[String]]
    /// Lines dropped because they were not valid UTF-8 (only with `skipInvalid`).
    package var skippedInvalid: Int
    /// Lines (or paragraph-mode sentences) that gave no tokens.
    package var empty: Int

    package var tokenCount: Int { sentences.reduce(0) { $0 + $1.count } }

    /// Reads `path`: one sentence per line, or running text split into
    /// sentences by ICU when `paragraphs` is set. Lines without tokens are skipped.
    /// - Parameter threads: threads that tokenise (the result does not depend on how many).
    package static func read(
        _ path: String, tokenizer: Tokenizer, paragraphs: Bool = false,
        skipInvalid: Bool = false, threads: Int = ThreadCount.default
    ) throws -> Corpus {
        let file = try TextFile.readLines(path, skipInvalid: skipInvalid)
        let corpus = try Corpus(lines: file.lines, tokenizer: tokenizer, paragraphs: paragraphs, threads: threads)
        if corpus.sentences.isEmpty {
            throw TextVAEError.file(
                path, "holds no sentences (it is empty or blank)",
                fix: "give a text file with one sentence per line")
        }
        return Corpus(sentences: corpus.sentences, skippedInvalid: file.skippedInvalid, empty: corpus.empty)
    }

    package init(sentences: [[String]], skippedInvalid: Int = 0, empty: Int = 0) {
        self.sentences = sentences
        self.skippedInvalid = skippedInvalid
        self.empty = empty
    }

    /// Tokenises `lines`: each a sentence, or, with `paragraphs`, running text in paragraphs separated by
    /// blank lines, split into sentences by ICU.
    /// - Parameters:
    ///   - threads: threads that share the lines, in consecutive pieces of at least `linesPerThread`, each
    ///     with its own tokenizer (ICU's iterators are not thread-safe); pieces end at blank lines in
    ///     paragraph mode, so the sentences and counts are the same whatever the number of threads.
    package init(
        lines: [String], tokenizer: Tokenizer, paragraphs: Bool = false, threads: Int = 1,
        linesPerThread: Int = 4096
    ) throws {
        let pieces = Self.pieces(
            of: lines, parts: min(max(1, threads), max(1, lines.count / max(1, linesPerThread))),
            paragraphs: paragraphs)
        var results = [Result<Corpus, any Error>?](repeating: nil, count: pieces.count)
        let settings = tokenizer.settings
        results.withUnsafeMutableBufferPointer { out in
            Parallel.forEach(pieces.count) { i in
                out[i] = Result {
                    try Self.tokenize(lines[pieces[i]], i == 0 ? tokenizer : Tokenizer(settings), paragraphs: paragraphs)
                }
            }
        }
        var sentences: [[String]] = [], empty = 0
        for result in results {
            let piece = try result!.get()
            sentences += piece.sentences
            empty += piece.empty
        }
        self.init(sentences: sentences, empty: empty)
    }

    /// Consecutive ranges of `lines`, about equal; in paragraph mode each ends after a blank line.
    static func pieces(of lines: [String], parts: Int, paragraphs: Bool) -> [Range<Int>] {
        var ranges: [Range<Int>] = [], start = 0
        for part in 1..<max(1, parts) {
            var end = max(start, Parallel.chunk(part, of: lines.count, parts: parts).lowerBound)
            if paragraphs {
                while end < lines.count && !Self.isBlank(lines[end]) { end += 1 }
                end = min(lines.count, end + 1)
            }
            if end > start && end < lines.count { ranges.append(start..<end); start = end }
        }
        ranges.append(start..<lines.count)
        return ranges
    }

    static func isBlank(_ line: String) -> Bool { line.unicodeScalars.allSatisfy(\.properties.isWhitespace) }

    /// One piece of lines, tokenised on the calling thread.
    static func tokenize(_ lines: ArraySlice<String>, _ tokenizer: Tokenizer, paragraphs: Bool) throws -> Corpus {
        var sentences: [[String]] = []
        var empty = 0
        var pending: [String] = []
        func flush() throws {
            guard !pending.isEmpty else { return }
            for (n, s) in try tokenizer.sentences(pending.joined(separator: " ")).enumerated() {
                if n % 1024 == 0 { try Interruption.check("tokenising") }
                let tokens = try tokenizer.tokenize(s)
                if tokens.isEmpty { empty += 1 } else { sentences.append(tokens) }
            }
            pending.removeAll()
        }
        for (n, line) in lines.enumerated() {
            if n % 1024 == 0 { try Interruption.check("tokenising") }
            if paragraphs {
                // A blank line ends a paragraph; lines within one are joined.
                if isBlank(line) { try flush() } else { pending.append(line) }
            } else {
                let tokens = try tokenizer.tokenize(line)
                if tokens.isEmpty { empty += 1 } else { sentences.append(tokens) }
            }
        }
        try flush()
        return Corpus(sentences: sentences, empty: empty)
    }
}
