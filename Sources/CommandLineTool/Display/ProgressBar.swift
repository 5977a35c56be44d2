import Foundation

/// A progress bar with ETA on stderr: redrawn in place on a terminal, a line
/// per tenth otherwise (so logs stay short).
final class ProgressBar {
    let label: String
    let terminal = isatty(2) != 0
    let start = Date()
    var lastDraw = Date.distantPast
    var lastTenth = -1
    var shown = false

    init(_ label: String) { self.label = label }

    /// - Parameter detail: shown after the ETA (rates, current losses).
    func update(_ done: Int, of total: Int, detail: String = "") {
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let elapsed = Date().timeIntervalSince(start)
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : .infinity
        let width = 24, filled = Int(fraction * Double(width))
        let bar = "[" + String(repeating: "=", count: filled) + (filled < width ? ">" : "")
            + String(repeating: " ", count: max(0, width - filled - 1)) + "]"
        let text = "\(label) \(bar) \(done)/\(total) ETA \(duration(eta))" + (detail.isEmpty ? "" : " | \(detail)")
        if terminal {
            if Date().timeIntervalSince(lastDraw) > 0.2 || done == total {
                FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
                lastDraw = Date()
                shown = true
            }
        } else if Int(fraction * 10) > lastTenth {
            lastTenth = Int(fraction * 10)
            warn(text)
        }
    }

    func finish() {
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)); shown = false }
    }
}
