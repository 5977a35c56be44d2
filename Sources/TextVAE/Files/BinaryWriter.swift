import Foundation

/// Writes a large file through a buffer, and says what went wrong (a full disk) in words.
final class BinaryWriter {
    let path: String
    private var file: UnsafeMutablePointer<FILE>?

    /// Creates `path`, which must not exist: O_EXCL | O_NOFOLLOW, so that a file or link planted under a
    /// temporary name is never written through (the callers name their scratch files by process id).
    init(_ path: String) throws {
        self.path = path
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644)
        guard fd >= 0, let file = fdopen(fd, "wb") else {
            let reason = String(cString: strerror(errno))
            throw TextVAEError.file(path, "cannot be written (\(reason))", fix: "choose a folder you can write to")
        }
        setvbuf(file, nil, _IOFBF, 1 << 20)
        self.file = file
    }

    deinit { if let file { fclose(file) } }

    func write<T>(_ values: [T]) throws {
        guard !values.isEmpty, let file else { return }
        let written = values.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        if written != values.count * MemoryLayout<T>.stride { throw failure() }
    }

    func close(sync: Bool = false) throws {
        guard let file else { return }
        self.file = nil
        let flushed = fflush(file) == 0 && (!sync || fsync(fileno(file)) == 0)
        let error = failure()
        if fclose(file) != 0 || !flushed { throw error }
    }

    private func failure() -> TextVAEError {
        TextVAEError.file(
            path, "could not be written (\(String(cString: strerror(errno))))", fix: "free some disk space, or choose another folder")
    }
}
