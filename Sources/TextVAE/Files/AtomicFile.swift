import Foundation

/// Writes files so that a reader never sees half of one: write to a temporary
/// file in the same folder, flush it to disk, then rename it over the target.
/// A crash, a kill or a full disk leaves the previous file as it was.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TextVAEError.file(path, "its folder \(folder) does not exist", fix: "create it or choose another output path")
        }
        let prefix = "." + url.lastPathComponent + ".tmp-"
        removeAbandoned(prefix, in: folder)
        let temporary = folder + "/" + prefix + "\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else {
            throw TextVAEError.file(path, "cannot write in \(folder) (\(String(cString: strerror(errno))))",
                                    fix: "choose a folder you can write to")
        }
        var failure: Int32 = 0
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; failure = errno; return }
                offset += n
            }
        }
        if failure == 0 && fsync(fd) != 0 { failure = errno }
        close(fd)
        if failure != 0 {
            unlink(temporary)
            throw TextVAEError.file(path, "writing failed (\(String(cString: strerror(failure))))",
                                    fix: "free disk space or choose another folder; any previous file there is intact")
        }
        if rename(temporary, path) != 0 {
            let e = errno
            unlink(temporary)
            throw TextVAEError.file(path, "cannot replace it (\(String(cString: strerror(e))))", fix: "check the folder's permissions")
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
