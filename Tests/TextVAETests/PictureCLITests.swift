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
        return try TextVAEProgram.run(
            [
                "train", "g.txt", "-o", "g.safetensors", "--embedding", "8", "--hidden", "16", "--latent", "4",
                "--epochs", "2", "--batch-size", "8", "--threads", "1", "--quiet",
            ] + (plot ? ["--plot"] : []),
            in: folder)
    }

    @Test func helpNamesTheOptionsAndShowsExamples() throws {
        try withScratchFolder { folder in
            let cases: [(arguments: [String], mentions: [String])] = [
                (["plot", "--help"], ["<log>", "--output", "train --plot", "Examples:"]),
                (["train", "--help"], ["--plot"]),
                (["map", "--help"], ["--model", "--label-column", "--text-column", "--label-file", "--tsv", "--limit", "Examples:"]),
                (["neighbours", "--help"], ["--in", "-k", "--metric", "cosine", "euclidean", "Examples:"]),
                (["impute", "--help"], ["___", "--rounds", "--candidates", "--show-rounds", "Examples:"]),
                (["analogy", "--help"], ["--from", "--to", "--scale", "--no-unk", "--max-length", "Examples:"]),
            ]
            for c in cases {
                let run = try TextVAEProgram.run(c.arguments, in: folder)
                #expect(run.status == 0, "\(c.arguments): \(run)")
                for m in c.mentions {
                    #expect(run.stdout.contains(m), "textvae \(c.arguments.joined(separator: " ")) does not mention \(m)")
                }
            }
        }
    }

    @Test func trainPlotDrawsTheCurvesNextToTheModelAndPlotRedrawsThem() throws {
        try withScratchFolder { folder in
            let train = try Self.trainTiny(in: folder, plot: true)
            #expect(train.status == 0, "\(train)")
            let drawn = try String(contentsOfFile: folder + "/g.curves.svg", encoding: .utf8)
            let summary = SVGSummary(drawn)
            let logged = try TrainingCurves.read(folder + "/g.metrics.jsonl")
            let series = logged.steps.count >= 8 ? 8 : 6  // with a trailing mean of the batch rows, or without
            #expect(summary.error == nil && summary.classes["series"] == series, "\(summary.classes) \(summary.error ?? "")")
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
            for (arguments, name) in [
                (["plot", "missing.metrics.jsonl"], "missing.metrics.jsonl"),
                (["plot", "empty.metrics.jsonl"], "empty.metrics.jsonl"),
                (["plot", "model.safetensors"], "model.metrics.jsonl"),
            ] {
                let run = try TextVAEProgram.run(arguments, in: folder)
                #expect(run.failedCleanly && run.stdout.isEmpty, "\(arguments): \(run)")
                #expect(run.stderr.contains(name), "\(arguments): \(run)")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["empty.metrics.jsonl"], "no picture for a bad log")
        }
    }

    @Test func mapNeighboursAndImputeOnATrainedModel() throws {
        try withScratchFolder { folder in
            let train = try Self.trainTiny(in: folder)
            #expect(train.status == 0, "\(train)")
            let lines = try String(contentsOfFile: folder + "/g.txt", encoding: .utf8).split(separator: "\n").prefix(60)
            let labelled = lines.map { "\($0.split(separator: " ")[1])\t\($0)" }.joined(separator: "\n")
            try Data(labelled.utf8).write(to: URL(fileURLWithPath: folder + "/l.tsv"))

            let map = try TextVAEProgram.run(
                ["map", "-m", "g.safetensors", "l.tsv", "--label-column", "1", "-o", "m.svg", "--tsv", "m.tsv"], in: folder)
            #expect(map.status == 0, "\(map)")
            #expect(map.stdout.contains("60 sentences") && map.stdout.contains("PC1 explains"), "\(map)")
            let summary = SVGSummary(try String(contentsOfFile: folder + "/m.svg", encoding: .utf8))
            #expect(summary.error == nil && summary.classes["point"] == 60, "\(summary.classes)")
            let table = try String(contentsOfFile: folder + "/m.tsv", encoding: .utf8).split(separator: "\n")
            #expect(table.count == 61 && table[1].hasSuffix("\t" + lines[0]), "\(table.prefix(2))")

            let query = String(lines[3])
            let near = try TextVAEProgram.run(["neighbours", "-m", "g.safetensors", query, "--in", "g.txt", "-k", "3"], in: folder)
            #expect(near.status == 0, "\(near)")
            let rows = near.stdout.split(separator: "\n").filter { $0.hasPrefix("  ") }
            #expect(rows.count == 3, "\(near)")
            #expect(rows.first.map { $0.contains("0.0000") && $0.hasSuffix(query) } == true, "the sentence itself comes first: \(near)")

            try Data(lines.prefix(20).joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: folder + "/a.txt"))
            try Data(lines.suffix(20).joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: folder + "/b.txt"))
            let analogy = try TextVAEProgram.run(
                [
                    "analogy", "-m", "g.safetensors", "--from", "a.txt", "--to", "b.txt", query,
                    "--scale", "0,1", "--scale", "2.5",
                ], in: folder)
            let scaleLines = analogy.stdout.split(separator: "\n").filter { $0.hasPrefix("scale ") }
            #expect(analogy.status == 0 && scaleLines.count == 3 && analogy.stderr.contains("(20 sentences)"), "\(analogy)")
            #expect(scaleLines.map { $0.split(separator: " ", maxSplits: 2)[1] } == ["0", "1", "2.5"], "\(analogy)")

            let impute = try TextVAEProgram.run(["impute", "-m", "g.safetensors", "the ___ likes a robot ."], in: folder)
            let filled = impute.stdout.split(separator: "\n").last.map(String.init) ?? ""
            #expect(
                impute.status == 0 && filled.hasPrefix("the ") && filled.hasSuffix(" likes a robot.")
                    && !filled.contains("_") && !filled.contains("<unk>"), "\(impute)")
        }
    }

    @Test func mapAndNeighboursRefuseWhatTheyCannotUse() throws {
        try withScratchFolder { folder in
            try Data("one line\n".utf8).write(to: URL(fileURLWithPath: folder + "/s.txt"))
            let cases: [(arguments: [String], mention: String)] = [
                (["map", "-m", "missing.safetensors", "s.txt"], "missing.safetensors"),
                (["map", "-m", "m.safetensors", "s.txt", "--label-column", "1", "--label-file", "l.txt"], "not both"),
                (["map", "-m", "m.safetensors", "s.txt", "--label-column", "0"], "counts from 1"),
                (["neighbours", "-m", "missing.safetensors", "a sentence", "--in", "s.txt"], "missing.safetensors"),
                (["neighbours", "-m", "m.safetensors", "a sentence", "--in", "s.txt", "-k", "0"], "-k"),
                (["analogy", "-m", "m.safetensors", "--from", "s.txt", "--to", "s.txt", "a sentence", "--scale", "1,x"], "--scale"),
                (["analogy", "-m", "missing.safetensors", "--from", "s.txt", "--to", "s.txt", "a sentence"], "missing.safetensors"),
            ]
            for c in cases {
                let run = try TextVAEProgram.run(c.arguments, in: folder)
                #expect(run.failedCleanly && run.stderr.contains(c.mention), "\(c.arguments): \(run)")
            }
        }
    }
}
