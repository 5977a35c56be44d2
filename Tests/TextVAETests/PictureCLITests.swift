import Foundation
import Testing
@testable import TextVAE

/// The picture and latent-space commands, run as a user would, on a model
/// trained in a second or so.
@Suite struct PictureCLITests {
    /// Trains a tiny model on 400 grammar sentences in `folder`: g.txt, g.safetensors, g.metrics.jsonl.
    static func trainTiny(in folder: String, plot: Bool = false) throws -> Run {
        let grammar = try TextVAEProgram.run(["grammar", "-n", "400", "-o", "g.txt"], in: folder)
        #expect(grammar.status == 0, "\(grammar)")
        return try TextVAEProgram.run(["train", "g.txt", "-o", "g.safetensors", "--embedding", "8", "--hidden", "16", "--latent", "4",
                                       "--epochs", "2", "--batch-size", "8", "--threads", "1", "--quiet"] + (plot ? ["--plot"] : []),
                                      in: folder)
    }

    @Test func trainPlotDrawsTheCurvesNextToTheModelAndPlotRedrawsThem() throws {
        try withScratchFolder { folder in
            let train = try Self.trainTiny(in: folder, plot: true)
            #expect(train.status == 0, "\(train)")
            let drawn = try String(contentsOfFile: folder + "/g.curves.svg", encoding: .utf8)
            let summary = SVGSummary(drawn)
            #expect(summary.error == nil && summary.classes["series"] == 6, "\(summary.classes) \(summary.error ?? "")")
            #expect(drawn.contains("2 validation passes"), "the picture was drawn after the last epoch")

            try FileManager.default.removeItem(atPath: folder + "/g.curves.svg")
            let plot = try TextVAEProgram.run(["plot", "g.metrics.jsonl"], in: folder)
            #expect(plot.status == 0 && plot.stdout.contains("wrote g.curves.svg"), "\(plot)")
            #expect(try String(contentsOfFile: folder + "/g.curves.svg", encoding: .utf8) == drawn, "the same log gives the same picture")
        }
    }

    @Test func plotErrorsAreOneLineNamingTheFile() throws {
        try withScratchFolder { folder in
            try Data().write(to: URL(fileURLWithPath: folder + "/empty.metrics.jsonl"))
            for (arguments, name) in [(["plot", "missing.metrics.jsonl"], "missing.metrics.jsonl"),
                                      (["plot", "empty.metrics.jsonl"], "empty.metrics.jsonl"),
                                      (["plot", "model.safetensors"], "model.metrics.jsonl")] {
                let run = try TextVAEProgram.run(arguments, in: folder)
                #expect(run.status != 0 && run.stdout.isEmpty, "\(arguments): \(run)")
                #expect(run.stderr.contains(name), "\(arguments): \(run)")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["empty.metrics.jsonl"], "no picture for a bad log")
        }
    }
}
