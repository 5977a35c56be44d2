import Foundation

/// A corpus tokenised once and stored as token ids, so that training reads ids instead of text: a second
/// run on the same corpus starts in seconds, and a corpus larger than memory trains from the page cache.
///
/// The layout (all numbers little-endian):
///
///     "TVTOKENS"                    8 bytes
///     header length                 UInt64
///     header                        JSON (`TokenFile.Header`): the source file's size and modification
///                                   time, how it was read (`Recipe`), the vocabulary, the counts
///     zero padding                  to a multiple of 8 bytes
///     offsets                       Int64 × (sentences + 1): sentence k is ids[offsets[k]..<offsets[k+1]]
///     ids                           Int32 × tokens
///     labels (format 2 only)        Int32 × sentences: each sentence's label as an index into the header's
///                                   `labels`, or −1 for a sentence without one
///
/// A labelled corpus (a label column, or a file of labels) makes a file of format 2; one without labels
/// stays format 1, which every textvae that reads token files reads.
/// Every sentence of the source is stored (none cut, none held out): the hold-out and the cut to the
/// model's length are made when training reads it, as for a text corpus.
package struct TokenFile {
    static let magic = Array("TVTOKENS".utf8)

    /// The source text file as it was when the token file was written: a different size or
    /// modification time makes the token file stale.
    package struct Source: Codable, Equatable, Sendable {
        package var path: String
        package var bytes: Int64
        /// Seconds since 1970, to the nanosecond the file system keeps.
        package var modified: Double

        /// The file as it is now.
        package init(path: String) throws {
            var info = stat()
            guard stat(path, &info) == 0 else { throw TextVAEError.file(path, "no such file", fix: "check the path") }
            self.path = path
            bytes = Int64(info.st_size)
            modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) * 1e-9
        }

        /// Same file content, as far as size and modification time tell (the path may differ: moved).
        func matches(_ other: Source) -> Bool { bytes == other.bytes && modified == other.modified }
    }

    /// How the text became ids: what must be the same for a token file to stand for a training run's data.
    package struct Recipe: Codable, Equatable, Sendable {
        package var tokenizer: TokenizerSettings
        package var paragraphs: Bool
        package var skipInvalid: Bool
        /// The vocabulary was built from all sentences but the share a run without `--valid` holds out
        /// (every (1/fraction)-th); nil: from all of them (a run with `--valid`).
        package var heldOutFraction: Double?
        package var minCount: Int
        package var maxSize: Int
        package var subwords: Int?
        /// The fingerprint of a given vocabulary file's text, instead of building one.
        package var vocabularyFile: String?
        /// Where each line's label came from (nil: a corpus without labels).
        package var labels: LabelReading?

        package init(
            tokenizer: TokenizerSettings, paragraphs: Bool, skipInvalid: Bool, heldOutFraction: Double?, minCount: Int,
            maxSize: Int, subwords: Int?, vocabularyFile: String?, labels: LabelReading? = nil
        ) {
            self.labels = labels
            self.tokenizer = tokenizer
            self.paragraphs = paragraphs
            self.skipInvalid = skipInvalid
            self.heldOutFraction = heldOutFraction
            self.minCount = minCount
            self.maxSize = maxSize
            self.subwords = subwords
            self.vocabularyFile = vocabularyFile
        }
    }

    /// How a labelled corpus gives its labels: tab-separated columns, or a file with one label per line.
    package struct LabelReading: Codable, Equatable, Sendable {
        package var columns: LabelledLines.Columns
        /// The labels file as it was when the token file was written (nil: the labels are a column).
        package var labelsFile: Source?

        package init(columns: LabelledLines.Columns, labelsFile: Source?) {
            self.columns = columns
            self.labelsFile = labelsFile
        }
    }

    package struct Header: Codable, Equatable, Sendable {
        package var format = 1
        package var producer = TextVAEVersion.producer
        package var source: Source
        package var recipe: Recipe
        /// The vocabulary file's text (`Vocabulary.fileText`) and its fingerprint.
        package var vocabulary: String
        package var vocabularyFingerprint: String
        package var sentences: Int
        package var tokens: Int
        /// Distinct tokens (words, before any subword splitting) in the text.
        package var distinct: Int
        /// Lines dropped as invalid UTF-8 (with `skipInvalid`), and lines that gave no tokens.
        package var skippedInvalid: Int
        package var empty: Int
        /// Share of the vocabulary's training tokens that are not `<unk>`, as words (before subword splitting).
        package var coverage: Double
        /// The distinct non-empty labels, in the order they first appear (format 2); nil without labels.
        package var labels: [String]?
    }

    package let path: String
    package let header: Header
    package let vocabulary: Vocabulary
    /// All sentences, uncut.
    package let sentences: SentenceIDs
    /// Each sentence's label, or nil where it has none; nil for a file without labels.
    package let labels: [String?]?

    /// Whether `path` is a token file (by its first bytes), rather than text.
    /// Only a regular file is looked into: reading the first bytes of a pipe (`<(cat corpus.txt)`) would take them
    /// from the text that is read next.
    package static func isTokenFile(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        return (try? handle.read(upToCount: magic.count)).map(Array.init) == magic
    }

    /// FNV-1a of a text, as hexadecimal: the vocabulary's fingerprint.
    package static func fingerprint(_ text: String) -> String {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return String(h, radix: 16)
    }

    /// Maps a token file and checks it: its header, that its offsets rise within the ids, and that every id
    /// is in the vocabulary (a damaged file is refused, never read out of bounds).
    package static func open(_ path: String) throws -> TokenFile {
        let fix = "delete it and run 'textvae prepare' (or 'textvae train') on the text again"
        let fd = Foundation.open(path, O_RDONLY)
        guard fd >= 0 else {
            throw TextVAEError.file(
                path, FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file",
                fix: "check the path")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw TextVAEError.file(path, "is not a token file", fix: "give a file written by 'textvae prepare'")
        }
        let size = Int(info.st_size)
        guard size >= 16, let map = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), map != MAP_FAILED else {
            throw TextVAEError.file(path, "is not a token file (too short, or it cannot be mapped)", fix: fix)
        }
        var keep = false
        defer { if !keep { munmap(map, size) } }
        let bytes = UnsafeRawBufferPointer(start: map, count: size)
        guard Array(bytes[0..<8]) == magic else {
            throw TextVAEError.file(
                path, "is not a token file (it does not start with TVTOKENS)", fix: "give a file written by 'textvae prepare'")
        }
        // Compared as UInt64 before it becomes an Int: a length of 2⁶⁴ − 1 must be refused, not trap.
        let rawLength = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        guard rawLength > 0, rawLength <= UInt64(size - 16) else { throw TextVAEError.file(path, "has a damaged header", fix: fix) }
        let headerLength = Int(rawLength)
        guard headerLength > 0, headerLength <= size - 16,
            let header = try? JSONDecoder().decode(Header.self, from: Data(bytes[16..<(16 + headerLength)]))
        else {
            throw TextVAEError.file(path, "has a damaged header", fix: fix)
        }
        guard header.format == 1 || (header.format == 2 && header.labels != nil) else {
            throw TextVAEError.file(path, "is a token file of format \(header.format), which this textvae cannot read", fix: fix)
        }
        let offsetsStart = (16 + headerLength + 7) / 8 * 8
        let n = header.sentences, t = header.tokens, labelled = header.format == 2
        // Bounds far beyond any file (2⁴⁰ sentences, 2⁴⁴ tokens) keep the size's arithmetic from overflowing.
        guard n >= 0, t >= 0, n < 1 << 40, t < 1 << 44,
            offsetsStart + 8 * (n + 1) + 4 * t + (labelled ? 4 * n : 0) == size
        else {
            throw TextVAEError.file(
                path, "is \(size) bytes, not what its header says (\(n) sentences, \(t) tokens): it is cut short or damaged", fix: fix)
        }
        let vocabulary: Vocabulary
        do {
            vocabulary = try Vocabulary.parse(
                header.vocabulary.split(separator: "\n", omittingEmptySubsequences: false).map(String.init),
                name: path + " (its vocabulary)")
        } catch {
            throw TextVAEError.file(path, "has a damaged vocabulary", fix: fix)
        }
        guard fingerprint(header.vocabulary) == header.vocabularyFingerprint else {
            throw TextVAEError.file(path, "has a vocabulary that does not match its fingerprint", fix: fix)
        }
        let offsets = UnsafeBufferPointer(start: (map + offsetsStart).assumingMemoryBound(to: Int64.self), count: n + 1)
        let ids = UnsafeBufferPointer(start: (map + offsetsStart + 8 * (n + 1)).assumingMemoryBound(to: Int32.self), count: t)
        guard offsets[0] == 0, offsets[n] == Int64(t) else { throw TextVAEError.file(path, "has damaged sentence offsets", fix: fix) }
        for k in 0..<n where offsets[k + 1] <= offsets[k] {
            throw TextVAEError.file(path, "has damaged sentence offsets (sentence \(k) is empty or negative)", fix: fix)
        }
        let V = Int32(vocabulary.count)
        let parts = Workspace.defaultThreads
        var firstBad = [Int?](repeating: nil, count: parts)
        firstBad.withUnsafeMutableBufferPointer { out in
            Parallel.forEachChunk(of: t, parts: parts) { part, range in out[part] = range.first { ids[$0] < 0 || ids[$0] >= V } }
        }
        let bad = firstBad.compactMap { $0 }.first
        if let bad {
            throw TextVAEError.file(path, "holds token id \(ids[bad]) at position \(bad), outside its vocabulary of \(V)", fix: fix)
        }
        var labels: [String?]?
        if let names = header.labels, labelled {
            let column = UnsafeBufferPointer(
                start: (map + offsetsStart + 8 * (n + 1) + 4 * t).assumingMemoryBound(to: Int32.self), count: n)
            if let bad = column.firstIndex(where: { $0 < -1 || Int($0) >= names.count }) {
                throw TextVAEError.file(path, "holds label \(column[bad]) for sentence \(bad), outside its \(names.count) labels", fix: fix)
            }
            labels = column.map { $0 < 0 ? nil : names[Int($0)] }
        }
        keep = true
        let storage: SentenceIDs.Storage
        let dataBytes = size - offsetsStart - (labelled ? 4 * n : 0)
        if Double(dataBytes) <= MemoryLimit.bytes / 4 {
            // Copied, when memory allows: a mapping that is cut short under the run (`truncate`, a rewrite by
            // another program) would end it with SIGBUS at its next read; a copy cannot change.
            let copy = UnsafeMutableRawPointer.allocate(byteCount: dataBytes, alignment: 8)
            copy.copyMemory(from: map + offsetsStart, byteCount: dataBytes)
            munmap(map, size)
            storage = SentenceIDs.Storage(
                ids: UnsafeBufferPointer(start: (copy + 8 * (n + 1)).assumingMemoryBound(to: Int32.self), count: t),
                offsets: UnsafeBufferPointer(start: copy.assumingMemoryBound(to: Int64.self), count: n + 1)
            ) { copy.deallocate() }
        } else {
            storage = SentenceIDs.Storage(ids: ids, offsets: offsets) { munmap(map, size) }
        }
        return TokenFile(path: path, header: header, vocabulary: vocabulary, sentences: SentenceIDs(storage: storage), labels: labels)
    }

    /// Why this file cannot stand for `source` read by `recipe`, or nil when it can.
    package func staleness(source: Source, recipe: Recipe) -> String? {
        if header.recipe != recipe { return "it was prepared with other settings" }
        if !header.source.matches(source) { return "\(source.path) changed since it was prepared" }
        return nil
    }
}
