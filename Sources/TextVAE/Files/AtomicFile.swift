import Foundation

/// Writes files so that a reader never sees half of one: write to a temporary
/// file in the same folder, flush it to disk, then rename it over the target.
/// A crash, a kill or a full disk leaves the previous file as it was.
///
/// Only regular files are replaced that way. A symbolic link is followed and its
/// target written (the link stays a link); a device, FIFO or socket (`/dev/full`,
/// `/dev/stdout` redirected to a pipe, a named pipe) is written in place, since
/// renaming over it would replace the device node rather than send it the data.
/// Every write error, such as a full disk, is an error.
package enum AtomicFile {
    package static func write(_ data: Data, to path: String) throws {
        if let fd = openDescriptor(path) {
            // /dev/stdout and friends name a descriptor this process already has: write there, at its
            // offset, as a shell's `>` or `>>` set it up (reopening the file would start at 0).
            return try writeInPlace(data, to: fd, named: path)
        }
        let target = try destination(path)
        if let special = target.special {
            let fd = open(special, O_WRONLY)
            guard fd >= 0 else {
                throw TextVAEError.file(
                    path, "cannot be opened for writing (\(String(cString: strerror(errno))))",
                    fix: "choose a file you can write to")
            }
            defer { close(fd) }
            return try writeInPlace(data, to: fd, named: path)
        }
        try replace(target.path, with: data, named: path)
    }

    /// The descriptor that `/dev/stdout`, `/dev/stderr`, `/dev/fd/N` or `/proc/self/fd/N` names, if open.
    static func openDescriptor(_ path: String) -> Int32? {
        let fd: Int32?
        switch path {
        case "/dev/stdout": fd = 1
        case "/dev/stderr": fd = 2
        default:
            fd = ["/dev/fd/", "/proc/self/fd/"].lazy.compactMap { path.hasPrefix($0) ? Int32(path.dropFirst($0.count)) : nil }.first
        }
        guard let fd, fcntl(fd, F_GETFD) != -1 else { return nil }
        return fd
    }

    /// Whether `path` is this process's standard output itself (`/dev/stdout`, or the file or pipe that
    /// stdout is redirected to): a command then prints its summary on stderr, not into its own data.
    package static func isStandardOutput(_ path: String) -> Bool {
        var file = stat(), out = stat()
        return stat(path, &file) == 0 && fstat(1, &out) == 0 && file.st_dev == out.st_dev && file.st_ino == out.st_ino
    }

    /// Where `path` really leads: the regular file to replace (a symlink's target, which may
    /// not exist yet), or, in `special`, a device, FIFO or socket to write in place.
    static func destination(_ path: String) throws -> (path: String, special: String?) {
        var info = stat()
        // Following every link: a device, FIFO or socket is written in place. This also covers links
        // whose target is no path, such as /proc/self/fd/N -> "pipe:[1234]".
        if stat(path, &info) == 0 {
            let type = info.st_mode & S_IFMT
            if type != S_IFREG && type != S_IFDIR { return (path, path) }
        }
        var resolved = path
        for _ in 0..<40 {  // as the kernel's limit on nested links
            guard lstat(resolved, &info) == 0 else { return (resolved, nil) }  // new file
            switch info.st_mode & S_IFMT {
            case S_IFLNK:
                resolved = try linkTarget(resolved)
            case S_IFDIR:
                throw TextVAEError.file(path, "is a folder, not a file", fix: "give a file name inside it, such as \(path)/out")
            case S_IFREG:
                return (resolved, nil)
            default:
                return (resolved, resolved)
            }
        }
        throw TextVAEError.file(path, "is a chain of more than 40 symbolic links", fix: "point it at a real file")
    }

    /// The path a symbolic link points to, relative targets taken from the link's folder.
    private static func linkTarget(_ link: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(link, &buffer, buffer.count - 1)
        guard n >= 0 else {
            throw TextVAEError.file(
                link, "is a symbolic link that cannot be read (\(String(cString: strerror(errno))))",
                fix: "check the link, or write to another path")
        }
        let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if target.hasPrefix("/") { return target }
        return URL(fileURLWithPath: link).deletingLastPathComponent().appendingPathComponent(target).path
    }

    /// The temporary file, flushed, then renamed over `path` (a regular file or none).
    private static func replace(_ path: String, with data: Data, named shown: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TextVAEError.file(shown, "its folder \(folder) does not exist", fix: "create it or choose another output path")
        }
        let prefix = "." + url.lastPathComponent + ".tmp-"
        removeAbandoned(prefix, in: folder)
        let temporary = folder + "/" + prefix + "\(getpid())"
        unlink(temporary)  // one of ours, left by a process with our pid that was killed
        // O_EXCL | O_NOFOLLOW: never write through a link someone planted under the temporary name.
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644)
        guard fd >= 0 else {
            throw TextVAEError.file(
                shown, "cannot write in \(folder) (\(String(cString: strerror(errno))))",
                fix: "choose a folder you can write to")
        }
        var failure = writeAll(data, to: fd)
        var previous = stat()
        if failure == 0 && stat(path, &previous) == 0 && fchmod(fd, previous.st_mode & 0o7777) != 0 { failure = errno }  // keep its mode
        if failure == 0 && fsync(fd) != 0 { failure = errno }
        if close(fd) != 0 && failure == 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw TextVAEError.file(
                shown, "writing failed (\(String(cString: strerror(failure))))",
                fix: "free disk space or choose another folder; any previous file there is intact")
        }
        if rename(temporary, path) != 0 {
            let e = errno
            unlink(temporary)
            throw TextVAEError.file(shown, "cannot replace it (\(String(cString: strerror(e))))", fix: "check the folder's permissions")
        }
    }

    /// Writes into an open device, FIFO, socket or standard stream as it is.
    private static func writeInPlace(_ data: Data, to fd: Int32, named shown: String) throws {
        let failure = writeAll(data, to: fd)
        if failure != 0 {
            throw TextVAEError.file(
                shown, "writing failed (\(String(cString: strerror(failure))))",
                fix: "free space on its device or write to another path")
        }
    }

    /// Writes all of `data`; the errno of the first failure, or 0.
    static func writeAll(_ data: Data, to fd: Int32) -> Int32 {
        data.withUnsafeBytes { raw -> Int32 in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; return errno }
                offset += n
            }
            return 0
        }
    }

    /// Removes temporary files of this name left by processes that no longer run
    /// (killed in the middle of a write); a live writer's file is left alone.
    static func removeAbandoned(_ prefix: String, in folder: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count)), pid > 0 else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink(folder + "/" + name) }
        }
    }
}
