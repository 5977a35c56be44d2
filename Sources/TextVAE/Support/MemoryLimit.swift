import Foundation

/// How much memory this process may use: the machine's, or a container's limit
/// (cgroup v2 `memory.max`, or v1 `memory.limit_in_bytes`) when that is lower.
enum MemoryLimit {
    static var bytes: Double {
        var limit = Double(ProcessInfo.processInfo.physicalMemory)
        for path in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            if let text = try? String(contentsOfFile: path, encoding: .utf8),
                let value = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)), value > 0
            {
                limit = min(limit, value)
            }
        }
        return limit
    }
}
