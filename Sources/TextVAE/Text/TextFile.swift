import Foundation

/// Reads a user's text file as lines of valid UTF-8.
///
/// Messy files are normal input, so each problem gets a message naming the
/// file and, where there is one, the line and byte offset: a missing file, a
/// folder, an empty file, NUL bytes (a binary file), invalid UTF-8. A BOM is
/// dropped, CRLF endings are accepted, ANSI escape sequences are removed and
/// other control characters become spaces.
package enum TextFile {
    /// How many lines with invalid UTF-8 were dropped with `skipInvalid`.
    package struct Lines {
        package var lines: [String]
        package var skippedInvalid: Int
    }

    /// The longest line textvae reads, in bytes (`--max-line-bytes`, default 1 MiB). A longer one is not a
    /// sentence but a file without line breaks, or a stream such as /dev/zero: reading on would only fill memory.
    /// Set once by the command line before any file is read.
    nonisolated(unsafe) package static var maxLineBytes = 1 << 20

    /// The most text a command reads into memory at once (2 GiB): the files that commands read whole, such as
    /// the sentences to encode. Training corpora are streamed into token files and are not bound by it.
    package static let maxTextBytes = 2 << 30

    /// In paragraph mode, the most text read without a blank line (16 lines of the longest length).
    package static var maxParagraphBytes: Int { 16 * maxLineBytes }

    static func checkIsFile(_ path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw TextVAEError.file(path, "no such file", fix: "check the path")
        }
        if isDirectory.boolValue {
            throw TextVAEError.file(path, "is a folder, not a file", fix: "name a text file inside it")
        }
    }

    /// A file's bytes, whole: for binary files (models), which are mapped or read at their stated size.
    package static func readBytes(_ path: String) throws -> [UInt8] {
        try checkIsFile(path)
        // read(2) straight into the array: FileManager's Data and a copy of it cost
        // twice the memory traffic, which shows when a model is loaded to sample one sentence.
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw TextVAEError.file(path, "cannot be read", fix: "check its permissions") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw TextVAEError.file(path, "cannot be read", fix: "check its permissions") }
        var failure: Int32 = 0
        var bytes = [UInt8](unsafeUninitializedCapacity: max(Int(info.st_size), 0)) { buffer, count in
            count = 0
            while count < buffer.count {
                let n = read(fd, buffer.baseAddress! + count, buffer.count - count)
                if n < 0 { if errno == EINTR { continue }; failure = errno; return }
                if n == 0 { return }
                count += n
            }
        }
        // More than st_size said (the file grew, or it is a /proc file): read on in chunks.
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while failure == 0 {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 { if errno == EINTR { continue }; failure = errno; break }
            if n == 0 { break }
            bytes += chunk[0..<n]
        }
        if failure != 0 {
            throw TextVAEError.file(
                path, "cannot be read (\(String(cString: strerror(failure))))", fix: "check the file and its permissions")
        }
        return bytes
    }

    /// Calls `body` with the file's bytes mapped into memory (read, when the file
    /// cannot be mapped). For model files: no copy of tens of megabytes before
    /// the tensors are copied out. textvae replaces files by renaming
    /// (AtomicFile), so a mapped file never shrinks under the reader.
    static func withMappedBytes<T>(_ path: String, _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            return try readBytes(path).withUnsafeBytes(body)  // its errors name the problem
        }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw TextVAEError.file(path, "cannot be read", fix: "check its permissions") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size > 0, (info.st_mode & S_IFMT) == S_IFREG,
            let map = mmap(nil, Int(info.st_size), PROT_READ, MAP_PRIVATE, fd, 0), map != MAP_FAILED
        else {
            return try readBytes(path).withUnsafeBytes(body)
        }
        defer { munmap(map, Int(info.st_size)) }
        return try body(UnsafeRawBufferPointer(start: map, count: Int(info.st_size)))
    }

    /// The file's lines (split on LF, a trailing CR removed), blank lines kept.
    package static func readLines(_ path: String, skipInvalid: Bool = false) throws -> Lines {
        let bytes = try readTextBytes(path)
        return try lines(of: bytes, name: path, skipInvalid: skipInvalid)
    }

    /// A text file's bytes, read in blocks and checked as they arrive, so that memory stays bounded whatever
    /// the input (a device, a pipe that never ends): a NUL byte stops the read at once (a binary file), and so
    /// do a line longer than `maxLineBytes` and more than `maxTextBytes` in all.
    static func readTextBytes(_ path: String) throws -> [UInt8] {
        try checkIsFile(path)
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw TextVAEError.file(path, "cannot be read", fix: "check its permissions") }
        defer { close(fd) }
        var info = stat(), bytes: [UInt8] = []
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG { bytes.reserveCapacity(min(Int(info.st_size), maxTextBytes) + 1) }
        var block = [UInt8](repeating: 0, count: 1 << 20)
        var lineStart = 0  // where the line being read began
        while true {
            let n = block.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw TextVAEError.file(
                    path, "cannot be read (\(String(cString: strerror(errno))))", fix: "check the file and its permissions")
            }
            if n == 0 { return bytes }
            let new = block[0..<n]
            if let nul = new.firstIndex(of: 0) { throw binaryFile(path, offset: bytes.count + nul) }
            if let lastBreak = new.lastIndex(of: 0x0A) { lineStart = bytes.count + lastBreak + 1 }
            bytes += new
            if bytes.count - lineStart > maxLineBytes {
                throw lineTooLong(path, line: 1 + bytes[0..<lineStart].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) })
            }
            if bytes.count > maxTextBytes {
                throw TextVAEError.file(
                    path, "is larger than \(maxTextBytes >> 30) GiB, more than this command reads into memory",
                    fix: "give a smaller file, or split it (split -l 1000000)")
            }
        }
    }

    static func binaryFile(_ path: String, offset: Int) -> TextVAEError {
        TextVAEError.file(
            path, "looks like a binary file (NUL byte at byte offset \(offset))",
            fix: "give a UTF-8 text file with one sentence per line")
    }

    static func lineTooLong(_ path: String, line: Int) -> TextVAEError {
        TextVAEError.file(
            path, "line \(line) is longer than \(maxLineBytes) bytes (a file without line breaks?)",
            fix: "give text with one sentence per line, or raise --max-line-bytes")
    }

    /// - Parameters:
    ///   - lineNumber, byteOffset: where `bytes` start in the file (for a piece of a file read in chunks):
    ///     errors name the file's line and byte, and only the file's first bytes may be a BOM.
    package static func lines(
        of bytes: [UInt8], name: String, skipInvalid: Bool = false,
        lineNumber firstLine: Int = 1, byteOffset: Int = 0
    ) throws -> Lines {
        if let nul = bytes.firstIndex(of: 0) { throw binaryFile(name, offset: byteOffset + nul) }
        var start = 0
        if byteOffset == 0 && bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }  // BOM
        var result: [String] = []
        var skipped = 0
        var lineNumber = firstLine - 1
        while start < bytes.count {
            lineNumber += 1
            if lineNumber % 65536 == 0 { try Interruption.check("reading \(name)") }
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            if end - start > maxLineBytes { throw lineTooLong(name, line: lineNumber) }
            var lineEnd = end
            if lineEnd > start && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            let slice = bytes[start..<lineEnd]
            if let bad = firstInvalidUTF8(slice) {
                if !skipInvalid {
                    throw TextVAEError.file(
                        name, "invalid UTF-8 on line \(lineNumber) at byte offset \(byteOffset + bad)",
                        fix: "convert the file to UTF-8 (iconv -f LATIN1 -t UTF-8) or pass --skip-invalid to drop such lines")
                }
                skipped += 1
            } else {
                result.append(cleanControls(String(decoding: slice, as: UTF8.self)))
            }
            start = end + 1
        }
        return Lines(lines: result, skippedInvalid: skipped)
    }

    /// The absolute byte offset of the first byte that is not valid UTF-8, or nil.
    static func firstInvalidUTF8(_ bytes: ArraySlice<UInt8>) -> Int? {
        var i = bytes.startIndex
        let end = bytes.endIndex
        while i < end {
            let b0 = bytes[i]
            if b0 < 0x80 { i += 1; continue }
            let length: Int
            var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
            switch b0 {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: return i
            }
            if i + length > end { return i }
            if bytes[i + 1] < lower || bytes[i + 1] > upper { return i }
            for k in 2..<max(2, length) where bytes[i + k] & 0xC0 != 0x80 { return i }
            i += length
        }
        return nil
    }

    /// Removes ANSI escape sequences (CSI, and OSC-style strings) and turns other C0/C1
    /// control characters except tab into spaces, so that terminal junk pasted
    /// into a corpus does not become tokens.
    static func cleanControls(_ line: String) -> String {
        guard line.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || (0x7F...0x9F).contains($0.value) })
        else { return line }
        var out = String.UnicodeScalarView()
        var scalars = line.unicodeScalars.makeIterator()
        while let s = scalars.next() {
            if s.value == 0x1B {
                guard let next = scalars.next() else { break }
                switch next {
                case "[":
                    // CSI: ESC [ parameters intermediates final (0x40-0x7E).
                    while let c = scalars.next(), !(0x40...0x7E).contains(c.value) {}
                case "]", "P", "X", "^", "_":
                    // OSC, DCS, SOS, PM, APC: a string ended by BEL or ST (ESC \).
                    // Terminals write these into logs (window titles, hyperlinks).
                    while let c = scalars.next() {
                        if c.value == 0x07 { break }
                        if c.value == 0x1B { _ = scalars.next(); break }
                    }
                default:
                    break  // other escapes: ESC + one character
                }
                continue
            }
            if s.value < 0x20 && s != "\t" || (0x7F...0x9F).contains(s.value) {
                out.append(" ")
            } else {
                out.append(s)
            }
        }
        return String(out)
    }
}
