import Foundation

/// Turns a text corpus into a `TokenFile` in bounded memory: it never holds the corpus's text or all of
/// its token strings, only one chunk of lines at a time and one copy of each distinct token.
///
/// 1. Read the text in chunks, tokenise each on every thread (`NumberedPiece`), give each distinct
///    token a provisional number, and write the sentences as provisional numbers to a scratch file.
/// 2. Now that the number of sentences is known, so is the hold-out: count each token over the
///    sentences training will use, and build the vocabulary as `Vocabulary(building:)` would.
/// 3. Stream the scratch file twice into the token file: the sentences' offsets, then their vocabulary ids
///    (a word's pieces, with subwords); the file is written beside its final place and renamed over it.
///
/// The ids are exactly those the in-memory route (`TrainingRun.read`) gives, which the tests check.
package enum CorpusPreparation {
    /// How far the first pass has read.
    package struct Progress: Sendable {
        package var bytesRead: Int64
        package var bytes: Int64
        package var sentences: Int
    }

    /// Prepares `source` into a token file at `output`.
    /// - Parameters:
    ///   - vocabulary: a vocabulary to use instead of building one (`recipe.vocabularyFile` names it).
    ///   - threads: threads that tokenise (the file does not depend on how many).
    package static func prepare(
        _ source: String, to output: String, recipe: TokenFile.Recipe, vocabulary given: Vocabulary? = nil,
        threads: Int = ThreadCount.default, chunkBytes: Int = 16 << 20,
        progress: (Progress) -> Void = { _ in }
    ) throws -> TokenFile {
        if recipe.labels != nil && recipe.paragraphs {
            throw TextVAEError.conflict("labels belong to lines: leave out --paragraphs when the corpus has labels")
        }
        try refuseOutputThatIsAnInput(
            output, inputs: [(source, "the corpus")] + (recipe.labels?.labelsFile.map { [($0.path, "the labels file")] } ?? []))
        let sourceInfo = try TokenFile.Source(path: source)
        let place = try scratchPlace(for: output)
        let scratchPath = place.name(".scratch-")
        unlink(scratchPath)  // one of ours, left by a killed process that had our pid
        defer { unlink(scratchPath) }

        // With labels: the labels file, read whole (a short label a line), and each sentence's label as an index
        // into the table of distinct labels (−1: none).
        let labelsFile = recipe.labels?.labelsFile.map(\.path)
        let givenLabels = try labelsFile.map { try LabelledLines.labels(inFile: $0) }
        var labelTable: [String] = [], labelIndex: [String: Int32] = [:], sentenceLabels: [Int32] = []
        var lineCount = 0

        // 1. Text → provisional numbers. Each thread tokenises its piece of a chunk and numbers the piece's
        // distinct tokens itself; only those few are then looked up in the corpus-wide table, one thread.
        var types: [ExactToken: Int32] = [:], typeTexts: [String] = []
        var sentences = 0, tokens = 0, empty = 0
        let scratch = try BinaryWriter(scratchPath)
        let tokenizers = try (0..<max(1, threads)).map { _ in try Tokenizer(recipe.tokenizer) }
        let skipped = try TextFile.forEachChunk(
            source, chunkBytes: chunkBytes, paragraphs: recipe.paragraphs,
            skipInvalid: recipe.skipInvalid
        ) { lines, bytesRead in
            var texts = lines, labels: [String]?
            if let reading = recipe.labels {
                let given = givenLabels.map { all in all[min(all.count, lineCount)..<min(all.count, lineCount + lines.count)] }
                if let given, given.count < lines.count {  // the labels file ran out: counted in full below
                    lineCount += lines.count
                    return
                }
                let split = try LabelledLines(lines, path: source, columns: reading.columns, given: given, firstLine: lineCount + 1)
                (texts, labels) = (split.texts, split.labels)
            }
            lineCount += lines.count
            for var piece in try NumberedPiece.tokenize(texts, labels: labels, tokenizers: tokenizers, paragraphs: recipe.paragraphs) {
                for label in piece.labels {
                    if label.isEmpty {
                        sentenceLabels.append(-1)
                    } else if let k = labelIndex[label] {
                        sentenceLabels.append(k)
                    } else {
                        labelIndex[label] = Int32(labelTable.count)
                        sentenceLabels.append(Int32(labelTable.count))
                        labelTable.append(label)
                    }
                }
                var global = [Int32](repeating: 0, count: piece.types.count)
                for (local, text) in piece.types.enumerated() {
                    let key = ExactToken(text)
                    if let n = types[key] {
                        global[local] = n
                    } else {
                        guard typeTexts.count < Int32.max else {
                            throw TextVAEError.file(source, "has more than 2³¹ distinct tokens", fix: "split it")
                        }
                        types[key] = Int32(typeTexts.count)
                        global[local] = Int32(typeTexts.count)
                        typeTexts.append(text)
                    }
                }
                piece.renumber(global)
                try scratch.write(piece.numbers)
                sentences += piece.sentences
                tokens += piece.tokens
                empty += piece.empty
            }
            progress(Progress(bytesRead: bytesRead, bytes: sourceInfo.bytes, sentences: sentences))
        }
        try scratch.close()
        if let labelsFile, let givenLabels {
            if skipped > 0 {
                throw TextVAEError.file(
                    source, "has \(skipped) lines that are not valid UTF-8, and skipping them would put its labels out of line",
                    fix: "repair the file (iconv -f LATIN1 -t UTF-8, say), or give the labels in a column with --label-column")
            }
            try LabelledLines.checkLineCount(givenLabels.count, labelsFile: labelsFile, lines: lineCount, path: source)
        }
        types = [:]  // the texts alone are needed from here on
        guard sentences > 0 else {
            throw TextVAEError.file(source, "holds no sentences (it is empty or blank)", fix: "give a text file with one sentence per line")
        }

        // 2. Counts over the sentences training uses, and the vocabulary.
        let holdOut = recipe.heldOutFraction.map { HoldOut(fraction: $0, sentences: sentences) }
        var counts = [Int](repeating: 0, count: typeTexts.count), allCounts = counts
        try forEachSentence(inScratch: scratchPath) { k, numbers in
            let training = !(holdOut?.isHeldOut(k) ?? false)
            for n in numbers {
                allCounts[Int(n)] += 1
                if training { counts[Int(n)] += 1 }
            }
        }
        let vocabulary: Vocabulary
        if let given {
            vocabulary = given
        } else {
            var byToken: [ExactToken: Int] = [:]
            for (n, count) in counts.enumerated() where count > 0 { byToken[ExactToken(typeTexts[n])] = count }
            vocabulary =
                try recipe.subwords.map { try Vocabulary(learningSubwords: byToken, size: $0) }
                ?? Vocabulary(counts: byToken, minCount: recipe.minCount, maxSize: recipe.maxSize)
        }
        var known = 0
        for (n, count) in allCounts.enumerated() where vocabulary.knows(typeTexts[n]) { known += count }

        // 3. Provisional numbers → ids: each distinct token's ids (one, or its pieces) once.
        var idStart = [Int](repeating: 0, count: typeTexts.count + 1), idList: [Int32] = []
        for (n, text) in typeTexts.enumerated() {
            idList += vocabulary.ids([text])
            idStart[n + 1] = idList.count
        }
        typeTexts = []
        var total = 0
        for (n, count) in allCounts.enumerated() { total += count * (idStart[n + 1] - idStart[n]) }
        let vocabularyText = vocabulary.fileText
        var header = TokenFile.Header(
            source: sourceInfo, recipe: recipe, vocabulary: vocabularyText,
            vocabularyFingerprint: TokenFile.fingerprint(vocabularyText), sentences: sentences,
            tokens: total, distinct: idStart.count - 1, skippedInvalid: skipped, empty: empty,
            coverage: tokens == 0 ? 0 : Double(known) / Double(tokens), labels: recipe.labels == nil ? nil : labelTable)
        if recipe.labels != nil { header.format = 2 }
        let partial = place.name(".partial-")
        unlink(partial)
        defer { unlink(partial) }
        let out = try BinaryWriter(partial)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys  // the same corpus and settings give the same file, byte for byte
        let headerBytes = Array(try encoder.encode(header))
        try out.write(TokenFile.magic)
        try out.write([UInt64(headerBytes.count).littleEndian])
        try out.write(headerBytes)
        try out.write([UInt8](repeating: 0, count: (8 - (16 + headerBytes.count) % 8) % 8))
        // The offsets, then the ids, each streamed from the scratch file: neither is held whole.
        var offsets: [Int64] = [0], at: Int64 = 0
        try forEachSentence(inScratch: scratchPath) { _, numbers in
            for n in numbers { at += Int64(idStart[Int(n) + 1] - idStart[Int(n)]) }
            offsets.append(at.littleEndian)
            if offsets.count >= 1 << 18 { try out.write(offsets); offsets.removeAll(keepingCapacity: true) }
        }
        try out.write(offsets)
        var buffer: [Int32] = []
        try forEachSentence(inScratch: scratchPath) { _, numbers in
            for n in numbers { buffer += idList[idStart[Int(n)]..<idStart[Int(n) + 1]] }
            if buffer.count >= 1 << 20 { try out.write(buffer.map(\.littleEndian)); buffer.removeAll(keepingCapacity: true) }
        }
        try out.write(buffer.map(\.littleEndian))
        if recipe.labels != nil { try out.write(sentenceLabels.map(\.littleEndian)) }
        try out.close(sync: true)
        guard rename(partial, place.target) == 0 else {
            throw TextVAEError.file(
                output, "cannot be written (\(String(cString: strerror(errno))))", fix: "choose a folder you can write to")
        }
        return try TokenFile.open(output)
    }

    /// Where a token file is made: as `AtomicFile` writes every output, the regular file that `output` leads to
    /// (a link's target) is replaced by a rename from its own folder, and scratch files that killed runs left
    /// there are removed first. A device or pipe is refused: a token file is read back by mapping it.
    static func scratchPlace(for output: String) throws -> (target: String, name: (String) -> String) {
        let destination = try AtomicFile.destination(output)
        if destination.special != nil || AtomicFile.openDescriptor(output) != nil {
            throw TextVAEError.file(
                output, "is not a regular file (a device, pipe or socket): a token file is read back from disk",
                fix: "give -o a file path, such as corpus.tokens")
        }
        let url = URL(fileURLWithPath: destination.path)
        let folder = url.deletingLastPathComponent().path
        for kind in [".scratch-", ".partial-"] { AtomicFile.removeAbandoned("." + url.lastPathComponent + kind, in: folder) }
        return (destination.path, { kind in folder + "/." + url.lastPathComponent + kind + "\(getpid())" })
    }

    /// Calls `body(k, numbers)` for each sentence of the scratch file (a length, then that many numbers),
    /// reading it in blocks: read, not mapped, so that its pages do not stay in this process's memory.
    static func forEachSentence(inScratch path: String, _ body: (Int, ArraySlice<Int32>) throws -> Void) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw TextVAEError.file(path, "cannot be read back", fix: "check the folder's free space and permissions") }
        defer { close(fd) }
        var pending: [Int32] = [], block = [Int32](repeating: 0, count: 1 << 20), k = 0
        while true {
            // Fill the block (a read may return less than asked); the file holds whole numbers.
            var filled = 0
            while filled < block.count * 4 {
                let n = block.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, $0.count - filled) }
                if n < 0 && errno == EINTR { continue }
                if n < 0 { throw TextVAEError.file(path, "cannot be read back", fix: "check the folder's free space and permissions") }
                if n == 0 { break }
                filled += n
            }
            guard filled > 0 else { break }
            pending += block[0..<(filled / 4)]
            var at = 0
            while at < pending.count, at + 1 + Int(pending[at]) <= pending.count {
                let length = Int(pending[at])
                try body(k, pending[(at + 1)..<(at + 1 + length)])
                at += 1 + length
                k += 1
            }
            pending.removeFirst(at)
        }
    }
}
