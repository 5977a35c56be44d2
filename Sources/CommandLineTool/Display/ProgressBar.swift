import Foundation

/// A progress bar with ETA on stderr: redrawn in place on a terminal; when stderr is a file or a pipe,
/// a line at most every `logInterval` seconds, counted across bars (so that a log of a short run holds
/// only the epochs' summary lines, and a long one a line every half-minute).
final class ProgressBar {
    let label: String
    let terminal = isatty(2) != 0
    let start = Date()
    var lastDraw = Date.distantPast
    var shown = false
    static let logInterval: TimeInterval = 30
    /// When any bar last wrote a line to a file or pipe (the first after `logInterval` seconds of the process).
    nonisolated(unsafe) static var lastLogged = Date()

    init(_ label: String) { self.label = label }

    /// - Parameter detail: shown after the ETA (rates, current losses).
    func update(_ done: Int, of total: Int, detail: String = "") {
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let elapsed = Date().timeIntervalSince(start)
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : .infinity
        let width = 24, filled = Int(fraction * Double(width))
        let bar =
            "[" + String(repeating: "=", count: filled) + (filled < width ? ">" : "")
            + String(repeating: " ", count: max(0, width - filled - 1)) + "]"
        let text = "\(label) \(bar) \(done)/\(total) ETA \(duration(eta))" + (detail.isEmpty ? "" : " | \(detail)")
        if terminal {
            if Date().timeIntervalSince(lastDraw) > 0.2 || done == total {
                FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
                lastDraw = Date()
                shown = true
            }
        } else if Date().timeIntervalSince(Self.lastLogged) >= Self.logInterval {
            Self.lastLogged = Date()
            warn(text)
        }
    }

    func finish() {
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)); shown = false }
    }
}
