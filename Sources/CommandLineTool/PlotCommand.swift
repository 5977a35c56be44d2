import ArgumentParser
import Foundation
import TextVAE

struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw a training run's curves (rec, KL, β, validation −ELBO) as one SVG file.",
        discussion: """
            Reads the metrics log that 'textvae train' writes next to the model and draws
            three panels on a shared step axis: reconstruction with validation −ELBO, KL,
            and the KL weight β, in nats per sentence. The SVG is self-contained: open it
            in a browser, or convert it (rsvg-convert -o curves.png curves.svg). 'textvae
            train --plot' redraws MODEL.curves.svg at the end of every epoch.

            Examples:
              textvae plot model.metrics.jsonl                # writes model.curves.svg
              textvae plot runs/a.metrics.jsonl -o a.svg
            """
    )

    @Argument(help: "Metrics log written by 'textvae train' (MODEL.metrics.jsonl).")
    var log: String

    @Option(name: .shortAndLong, help: "Where to write the SVG (default: the log's name with .curves.svg).")
    var output: String?

    func validate() throws {
        if log.hasSuffix(".safetensors") {
            throw ValidationError("give the metrics log, not the model: \(sibling(log, ".metrics.jsonl"))")
        }
        if let output, !output.lowercased().hasSuffix(".svg") {
            throw ValidationError("--output should end in .svg (it is an SVG file), e.g. -o curves.svg")
        }
    }

    var outputPath: String {
        if let output { return output }
        let base =
            log.hasSuffix(".metrics.jsonl")
            ? String(log.dropLast(".metrics.jsonl".count))
            : (log as NSString).deletingPathExtension
        return base + ".curves.svg"
    }

    func run() throws {
        try refuseOutputThatIsAnInput(outputPath, inputs: [(log, "the metrics log")])
        let curves = try CurvePlot.write(log: log, to: outputPath)
        var line = "wrote \(outputPath): \(curves.steps.count) step rows, \(curves.epochs.count) epoch rows"
        if let last = curves.epochs.last {
            line += String(
                format: "; last validation −ELBO %.3f (rec %.3f + KL %.3f) at step %d", last.validNELBO, last.validRec, last.validKL,
                last.step)
        }
        let say = summary(writing: outputPath)
        say(line)
        if curves.skippedLines > 0 {
            warn("note: skipped \(curves.skippedLines) lines of \(log) that are not metrics rows")
        }
    }
}
