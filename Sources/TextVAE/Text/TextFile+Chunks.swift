import Foundation

extension TextFile {
    /// Reads a text file a chunk of lines at a time, so that a file larger than memory can be read: each
    /// chunk is checked and cleaned as `readLines` does, and errors name the file's own line and byte.
    /// Chunks end after a line, or in paragraph mode after a blank line, so that no sentence is split
    /// between two (a paragraph mode file without blank lines is read whole).
    /// - Parameters:
    ///   - body: the chunk's lines and how many bytes of the file have been read so far.
    /// - Returns: lines dropped as invalid UTF-8 (with `skipInvalid`).
    @discardableResult
    package static func forEachChunk(
        _ path: String, chunkBytes: Int = 16 << 20, paragraphs: Bool, skipInvalid: Bool,
        _ body: (_ lines: [String], _ bytesRead: Int64) throws -> Void
    ) throws -> Int {
        try checkIsFile(path)
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw TextVAEError.file(path, "cannot be read", fix: "check its permissions") }
        defer { close(fd) }

        var pending: [UInt8] = [], atEnd = false
        var lineNumber = 1, byteOffset = 0, skipped = 0
        var block = [UInt8](repeating: 0, count: max(1, chunkBytes))
        while !atEnd {
            let n = block.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw TextVAEError.file(
                    path, "cannot be read (\(String(cString: strerror(errno))))", fix: "check the file and its permissions")
            }
            atEnd = n == 0
            // Checked as the data arrive, so that neither a binary stream nor text without breaks fills memory.
            if let nul = block[0..<n].firstIndex(of: 0) { throw binaryFile(path, offset: byteOffset + pending.count + nul) }
            pending += block[0..<n]
            let end: Int? = atEnd ? pending.count : lastCut(in: pending, paragraphs: paragraphs)
            if end == nil && pending.count > (paragraphs ? maxParagraphBytes : maxLineBytes) {
                if !paragraphs { throw lineTooLong(path, line: lineNumber) }
                throw TextVAEError.file(
                    path,
                    "has no blank line in \(pending.count) bytes from line \(lineNumber): with --paragraphs, paragraphs are separated by blank lines",
                    fix: "leave out --paragraphs for one sentence per line, or raise --max-line-bytes")
            }
            guard let cut = end, cut > 0 else { continue }
            let chunk = Array(pending[0..<cut])
            pending.removeFirst(cut)
            let decoded = try lines(of: chunk, name: path, skipInvalid: skipInvalid, lineNumber: lineNumber, byteOffset: byteOffset)
            skipped += decoded.skippedInvalid
            lineNumber += chunk.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            byteOffset += cut
            try body(decoded.lines, Int64(byteOffset))
        }
        return skipped
    }

    /// Where a chunk may end: after the last line feed, or in paragraph mode after the last blank line
    /// (white space only); nil when there is none yet.
    static func lastCut(in bytes: [UInt8], paragraphs: Bool) -> Int? {
        var end = bytes.count - 1
        while end >= 0 && bytes[end] != 0x0A { end -= 1 }
        if !paragraphs { return end >= 0 ? end + 1 : nil }
        while end >= 0 {
            // The line that ends at the line feed `end`: blank if it is only spaces, tabs and a CR.
            var start = end - 1, blank = true
            while start >= 0 && bytes[start] != 0x0A {
                if bytes[start] != 0x20 && bytes[start] != 0x09 && bytes[start] != 0x0D { blank = false }
                start -= 1
            }
            if blank { return end + 1 }
            end = start
        }
        return nil
    }
}
