import Foundation
import TextVAE

/// Draws training progress on stderr: a `ProgressBar` per epoch (live on a
/// terminal, a line every tenth otherwise); a summary line per epoch on stdout.
final class TrainingDisplay {
    let quiet: Bool
    var bar: ProgressBar?

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
            if s.batch == 1 || bar == nil { bar?.finish(); bar = ProgressBar("epoch \(s.epoch)") }
            bar?.update(
                s.batch, of: s.batches,
                detail: "\(Int(s.tokensPerSecond)) tok/s | rec \(f(s.rec, 2)) kl \(f(s.kl, 2)) β \(f(Double(s.beta), 3))")
        case .epoch(let e):
            line(
                "epoch \(e.epoch) step \(e.step) β \(f(Double(e.beta), 4)) | train rec \(f(e.trainRec, 3)) kl \(f(e.trainKL, 3)) "
                    + "| valid rec \(f(e.valid.meanRec, 3)) kl \(f(e.valid.meanKL, 3))"
                    + (e.valid.classKL.isEmpty ? "" : " kl(c) \(f(e.valid.meanClassKL, 3))")
                    + (e.validAccuracy.map { " accuracy \(f(100 * $0, 1))%" } ?? "")
                    // With an adversarial prior the bound is astronomically loose (ppl≤ 10¹³ on WordNet's examples):
                    // left out here, still in the metrics log.
                    + (e.klTrained ? " −elbo \(f(e.valid.meanNELBO, 3)) ppl≤ \(f(e.valid.elboPerplexity, 1))" : "")
                    + " | \(f(e.seconds, 1)) s, \(Int(e.tokensPerSecond)) tok/s"
                    + (e.improved ? " (best, saved)" : e.savedWhileWarmingUp ? " (saved; β still rising)" : ""))
        case .note(let s):
            line(s)
        case .warning(let s):
            clearBar()
            FileHandle.standardError.write(Data("warning: \(s)\n".utf8))
        }
    }

    func finish() { clearBar() }

    private func clearBar() { bar?.finish() }
}
