import Foundation

/// The training metrics log: JSON lines next to the model, one row per
/// logging step and per epoch (`MetricsRow.Step`, `MetricsRow.Epoch`), for
/// `textvae plot`, pandas (`pd.read_json(path, lines=True)`) or anything else.
package struct MetricsLog {
    package let path: String

    package init(path: String) { self.path = path }

    /// Adds one row. Throws when the log cannot be written (a full disk, a removed folder): a run
    /// whose log silently stopped would draw curves that end without saying why.
    package func append(_ row: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(row) + Data("\n".utf8)
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else {
            throw TextVAEError.file(
                path, "cannot be written (\(String(cString: strerror(errno))))",
                fix: "check the folder's permissions and free space, then resume with --resume")
        }
        defer { close(fd) }
        let failure = AtomicFile.writeAll(data, to: fd)
        if failure != 0 {
            throw TextVAEError.file(
                path, "writing a row failed (\(String(cString: strerror(failure))))",
                fix: "free disk space, then resume with --resume; the checkpoint is intact")
        }
    }

    /// Drops rows past `step` (a resumed run repeats the steps after its checkpoint).
    package func truncate(afterStep step: Int) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
        let kept = text.split(separator: "\n").filter { line in
            guard let row = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let s = row["step"] as? Int
            else { return false }
            return s <= step
        }
        try AtomicFile.write(Data(kept.map { $0 + "\n" }.joined().utf8), to: path)
    }

    package static func read(_ path: String) throws -> [[String: Any]] {
        try TextFile.readLines(path).lines.compactMap { line in
            line.isEmpty ? nil : (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }
}
