#if Server
    import Foundation

    /// `--access-log FILE`: one JSON object per answered request (time, method, path, route, status, seconds), appended
    /// to FILE, or to standard error for `-`; a line a log shipper or `jq` reads without parsing prose.
    final class AccessLog: @unchecked Sendable {  // writes serialised by `lock`
        private let handle: FileHandle
        private let lock = NSLock()

        /// Opens `path` for appending (created if missing); `-` is standard error.
        init(path: String) throws {
            if path == "-" {
                handle = FileHandle.standardError
                return
            }
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw AccessLogError(
                    message:
                        "the access log \(path) cannot be opened for appending (\(String(cString: strerror(errno)))); give a writable file, or - for standard error"
                )
            }
            handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        }

        func record(method: String, path: String, route: String, status: Int, seconds: Double) {
            let time = Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
            let fields: [String: Any] = [
                "time": time, "method": method, "path": path, "route": route, "status": status,
                "seconds": (seconds * 1e6).rounded() / 1e6,
            ]
            guard var line = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]) else {
                return
            }
            line.append(0x0A)
            lock.lock()
            defer { lock.unlock() }
            // A full disk must not fail the request that was answered; the metrics still count it.
            try? handle.write(contentsOf: line)
        }
    }

    struct AccessLogError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
#endif
