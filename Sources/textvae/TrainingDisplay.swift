import Foundation
import TextVAE

/// Draws training progress on stderr: a live bar with ETA on a terminal, a
/// line every tenth of an epoch otherwise; a summary line per epoch on stdout.
final class TrainingDisplay {
    let quiet: Bool
    let terminal = isatty(2) != 0
    var lastDraw = Date.distantPast
    var lastReportedTenth = -1
    var epochStart = Date()
    var barShown = false

    init(quiet: Bool) { self.quiet = quiet }

    func line(_ s: String) {
        guard !quiet else { return }
        clearBar()
        print(s)
        fflush(nil)
    }

    func show(_ event: TrainingEvent) {
        switch event {
        case .step(let s):
            guard !quiet else { return }
            if s.batch == 1 { epochStart = Date(); lastReportedTenth = -1 }
            let fraction = Double(s.batch) / Double(s.batches)
            let elapsed = Date().timeIntervalSince(epochStart)
            let eta = s.batch > 0 ? elapsed / Double(s.batch) * Double(s.batches - s.batch) : 0
            let text = "epoch \(s.epoch) \(bar(fraction)) \(s.batch)/\(s.batches) ETA \(duration(eta)) | "
                + "\(Int(s.tokensPerSecond)) tok/s | rec \(f(s.rec, 2)) kl \(f(s.kl, 2)) β \(f(Double(s.beta), 3))"
            if terminal {
                if Date().timeIntervalSince(lastDraw) > 0.2 || s.batch == s.batches {
                    FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
                    lastDraw = Date(); barShown = true
                }
            } else if Int(fraction * 10) > lastReportedTenth {
                lastReportedTenth = Int(fraction * 10)
                FileHandle.standardError.write(Data((text + "\n").utf8))
            }
        case .epoch(let e):
            line("epoch \(e.epoch) step \(e.step) β \(f(Double(e.beta), 4)) | train rec \(f(e.trainRec, 3)) kl \(f(e.trainKL, 3)) "
                 + "| valid rec \(f(e.valid.meanRec, 3)) kl \(f(e.valid.meanKL, 3)) −elbo \(f(e.valid.meanNELBO, 3)) "
                 + "ppl≤ \(f(e.valid.elboPerplexity, 1)) | \(f(e.seconds, 1)) s, \(Int(e.tokensPerSecond)) tok/s"
                 + (e.improved ? " (best, saved)" : ""))
        case .note(let s):
            line(s)
        case .warning(let s):
            clearBar()
            FileHandle.standardError.write(Data("warning: \(s)\n".utf8))
        }
    }

    func finish() { clearBar() }

    private func clearBar() {
        if barShown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)); barShown = false }
    }

    private func bar(_ fraction: Double, width: Int = 24) -> String {
        let filled = Int((fraction * Double(width)).rounded(.down))
        return "[" + String(repeating: "=", count: filled) + (filled < width ? ">" : "") + String(repeating: " ", count: max(0, width - filled - 1)) + "]"
    }
}

func f(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }

/// 75 → "1m15s".
func duration(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "?" }
    let s = Int(seconds.rounded())
    return s >= 3600 ? "\(s / 3600)h\(s % 3600 / 60)m" : s >= 60 ? "\(s / 60)m\(s % 60)s" : "\(s)s"
}
