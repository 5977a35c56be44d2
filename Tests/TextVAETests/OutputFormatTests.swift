import Foundation
import Testing

@testable import TextVAE

/// One output contract: every command that prints data takes `--format jsonl` (or `json` for one result), and
/// then its stdout is JSON line by line; summaries and notes go to stderr.
@Suite struct OutputFormatTests {
    @Test func everyDataCommandPrintsJSONLinesOnStdout() throws {
        try withScratchFolder { folder in
            _ = try GenerationCLITests.saveModel(folder)
            // A model with classes (untrained: the format is what is tested), for classify.
            let config = ModelConfig(vocabulary: 4 + TinyModel.words.count, embedding: 8, hidden: 8, latent: 4, classes: 2)
            try ModelFile(
                model: SentenceVAE(config: config, seed: 3), vocabulary: TinyModel.vocabulary(),
                tokenizer: TokenizerSettings(name: .whitespace), classNames: ["cats", "dogs"]
            )
            .save(to: folder + "/classes.safetensors")
            try "the cat sat on the mat\na dog ran\nthe dog sat\n".write(toFile: folder + "/s.txt", atomically: true, encoding: .utf8)
            let m = ["-m", "model.safetensors"]
            let commands: [(name: String, arguments: [String], format: String)] = [
                ("sample", ["sample"] + m + ["-n", "3"], "jsonl"),
                ("interpolate", ["interpolate"] + m + ["the cat sat", "a dog ran"], "jsonl"),
                ("reconstruct", ["reconstruct"] + m + ["s.txt", "--stats"], "jsonl"),
                ("encode", ["encode"] + m + ["s.txt"], "jsonl"),
                ("evaluate", ["evaluate"] + m + ["s.txt", "-k", "3"], "json"),
                ("score", ["score"] + m + ["s.txt"], "jsonl"),
                ("classify", ["classify", "-m", "classes.safetensors", "s.txt"], "jsonl"),
                ("neighbours", ["neighbours"] + m + ["the cat sat", "--in", "s.txt", "-k", "2"], "jsonl"),
                ("analogy", ["analogy"] + m + ["--from", "s.txt", "--to", "s.txt", "the cat sat", "--scale", "0,1"], "jsonl"),
                ("impute", ["impute"] + m + ["the ___ sat", "--show-rounds"], "jsonl"),
            ]
            for c in commands {
                let run = try TextVAEProgram.run(c.arguments + ["--format", c.format], in: folder)
                #expect(run.status == 0, "\(c.name): \(run)")
                let lines = GenerationCLITests.lines(run.stdout)
                #expect(!lines.isEmpty, "\(c.name) printed no data")
                for line in lines {
                    let object = try? JSONSerialization.jsonObject(with: Data(line.utf8))
                    #expect(object is [String: Any], "\(c.name): not a JSON object: \(line)")
                }
            }
            // --json is the short form; a format a command does not offer is refused with the ones it offers.
            let short = try TextVAEProgram.run(["interpolate"] + m + ["the cat sat", "a dog ran", "--json"], in: folder)
            #expect(short.status == 0 && GenerationCLITests.lines(short.stdout).count == 5 && short.stdout.hasPrefix("{"), "\(short)")
            let refused = try TextVAEProgram.run(["score"] + m + ["s.txt", "--format", "text"], in: folder)
            #expect(refused.status != 0 && refused.stderr.contains("jsonl"), "\(refused)")
        }
    }
}
