import Foundation

/// The training metrics log: JSON lines next to the model, one row per
/// logging step (`"kind": "step"`) and per epoch (`"kind": "epoch"`), for
/// `textvae plot`, pandas (`pd.read_json(path, lines=True)`) or anything else.
public struct MetricsLog {
    public let path: String

    public init(path: String) { self.path = path }

    public func append(_ row: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: row, options: [.sortedKeys]) else { return }
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: data + Data("\n".utf8))
    }

    /// Drops rows past `step` (a resumed run repeats the steps after its checkpoint).
    public func truncate(afterStep step: Int) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
        let kept = text.split(separator: "\n").filter { line in
            guard let row = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let s = row["step"] as? Int else { return false }
            return s <= step
        }
        try AtomicFile.write(Data(kept.map { $0 + "\n" }.joined().utf8), to: path)
    }

    public static func read(_ path: String) throws -> [[String: Any]] {
        try TextFile.readLines(path).lines.compactMap { line in
            line.isEmpty ? nil : (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }
}
