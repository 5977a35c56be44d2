import ArgumentParser
import Foundation
import TextVAE

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure training, sampling and encoding speed; prints one JSON line.",
        discussion: """
            Times what the PyTorch reference's `bench` (Tests/Reference/svae.py) times, on
            the same data, so the two compare as a ratio
            (Tests/Scripts/bench/bench-vs-torch.py runs both in turn):
              textvae bench --train ptb/train.txt --valid ptb/valid.txt
            Sampling and encoding run as `textvae sample` and `textvae encode` run them.
            --profile also prints where a training update's wall time goes, by phase, and
            each phase's matrix products: their GFLOP, the rate the phase achieved, and the
            rate its heaviest product shape reaches alone on this machine (a probe in the
            same run), so the share is true on any CPU. Benchmark on an idle machine: a
            second busy process halves what two threads gain.
            """,
        shouldDisplay: false
    )

    @Option(help: "Training file (whitespace-tokenised).") var train: String
    @Option(help: "Validation file, for the encoding figure.") var valid: String
    @Option(help: "Timed updates.") var steps = 200
    @Option(help: "Threads for matrix products.") var threads = Workspace.defaultThreads
    @Option(help: "Also write the benchmarked model here (to time start-up with it).") var save: String?
    @Flag(help: "Time each phase of the training update, count its matrix products, and compare each with a probe of this machine's bound.")
    var profile = false

    func validate() throws {
        if steps < 1 { throw ValidationError("--steps must be at least 1") }
        if threads < 1 || threads > 256 { throw ValidationError("--threads must be between 1 and 256") }
    }

    func run() throws {
        var benchmark = Benchmark()
        benchmark.timedSteps = steps
        benchmark.profile = profile
        let (result, trainer) = try benchmark.run(train: train, valid: valid, threads: threads) {
            FileHandle.standardError.write(Data(($0 + "\n").utf8))
        }
        if let save { try trainer.checkpoint.file.save(to: save) }
        if let phases = result.profile {
            let total = phases.values.reduce(0, +)
            var table = String(format: "training update, wall time by phase (%d updates, %.1f ms each):\n", steps, total)
            for (name, ms) in phases.sorted(by: { $0.value > $1.value }) {
                table +=
                    "  " + name.padding(toLength: 36, withPad: " ", startingAt: 0)
                    + String(format: "%7.2f ms  %5.1f%%\n", ms, 100 * ms / total)
            }
            FileHandle.standardError.write(Data(table.utf8))
        }
        if let products = result.products {
            var table =
                "matrix products by phase, against a probe of each phase's heaviest shape run alone (same process, \(threads) threads):\n"
            table +=
                "  phase                                  GFLOP/update  achieved GFLOP/s  probe shape               probe GFLOP/s  share\n"
            for p in products {
                table +=
                    "  " + p.phase.padding(toLength: 38, withPad: " ", startingAt: 0)
                    + String(format: "%12.3f  %16.1f  ", p.gigaflopsPerUpdate, p.achievedGFLOPS)
                    + p.probeShape.padding(toLength: 24, withPad: " ", startingAt: 0)
                    + String(format: "%14.1f  %4.0f%%\n", p.probeGFLOPS, 100 * p.shareOfProbe)
            }
            for p in products {
                guard let bf16 = p.bf16ProbeGFLOPS else { continue }
                table += String(
                    format: "  the logits' shape in bfloat16 (textvae's AVX-512 BF16 kernel, as scoring and training use it on AMD): "
                        + "%.1f GFLOP/s, %.2fx the float32 probe\n", bf16, bf16 / p.probeGFLOPS)
            }
            table += "  on \(result.cpu)\n"
            FileHandle.standardError.write(Data(table.utf8))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(result), as: UTF8.self))
    }
}
