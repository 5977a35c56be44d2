import Foundation
import Testing

@testable import TextVAE

/// sample, interpolate, reconstruct, encode and evaluate, run as a user runs
/// them, on a tiny model saved in a scratch folder.
@Suite struct GenerationCLITests {
    /// Saves the tiny model as model.safetensors in `folder`.
    static func saveModel(_ folder: String, _ model: SentenceVAE = TinyModel.make()) throws -> ModelFile {
        let file = try TinyModel.file(model)
        try file.save(to: folder + "/model.safetensors")
        return file
    }

    static func lines(_ s: String) -> [String] { s.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }

    @Test func helpMentionsTheKeyOptions() throws {
        let cases: [(String, [String])] = [
            (
                "sample",
                [
                    "--model", "-n", "--seed", "--decoder", "--temperature", "--top-k", "--top-p", "--beam-width", "--max-length",
                    "--no-unk",
                    "--format", "--raw", "--stats", "3-gram",
                ]
            ),
            ("interpolate", ["--model", "--steps", "--slerp", "--collapse", "--seed"]),
            ("reconstruct", ["--model", "--sample", "--stats", "standard input"]),
            ("encode", ["--model", "--format", "--output", "--logv", "npy"]),
            ("evaluate", ["--model", "-k", "--json", "--seed", "estimate"]),
        ]
        try withScratchFolder { folder in
            let top = try TextVAEProgram.run(["--help"], in: folder)
            for (command, options) in cases {
                #expect(top.stdout.contains(command), "textvae --help does not list \(command)")
                let run = try TextVAEProgram.run([command, "--help"], in: folder)
                #expect(run.status == 0, "\(run)")
                for o in options { #expect(run.stdout.contains(o), "textvae \(command) --help does not mention \(o)") }
            }
        }
    }

    @Test func sampleIsReproducibleAndTheFirstLinesDoNotDependOnN() throws {
        try withScratchFolder { folder in
            _ = try Self.saveModel(folder)
            for decoder in ["greedy", "sample", "beam"] {
                let seven = try TextVAEProgram.run(
                    ["sample", "-m", "model.safetensors", "-n", "7", "--seed", "3", "--decoder", decoder], in: folder)
                #expect(seven.status == 0 && Self.lines(seven.stdout).count == 7, "\(decoder): \(seven)")
                let again = try TextVAEProgram.run(
                    ["sample", "-m", "model.safetensors", "-n", "7", "--seed", "3", "--decoder", decoder], in: folder)
                #expect(again.stdout == seven.stdout, "\(decoder)")
                let three = try TextVAEProgram.run(
                    ["sample", "-m", "model.safetensors", "-n", "3", "--seed", "3", "--decoder", decoder], in: folder)
                #expect(Self.lines(three.stdout) == Array(Self.lines(seven.stdout).prefix(3)), "\(decoder)")
            }
            let other = try TextVAEProgram.run(["sample", "-m", "model.safetensors", "-n", "7", "--seed", "4"], in: folder)
            let first = try TextVAEProgram.run(["sample", "-m", "model.safetensors", "-n", "7", "--seed", "3"], in: folder)
            #expect(other.stdout != first.stdout)
        }
    }

    @Test func sampleJSONLinesCarryZAndTheModelsLogProbability() throws {
        try loadBLAS()
        try withScratchFolder { folder in
            let file = try Self.saveModel(folder)
            let run = try TextVAEProgram.run(
                [
                    "sample", "-m", "model.safetensors", "-n", "4", "--decoder", "beam", "--beam-width", "3",
                    "--format", "jsonl",
                ], in: folder)
            #expect(run.status == 0, "\(run)")
            let rows = try Self.lines(run.stdout).map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
            #expect(rows.count == 4)
            for row in rows {
                let z = try #require(row["z"] as? [Double]).map(Float.init)
                let tokens = try #require(row["tokens"] as? [String])
                let logProb = try #require(row["log_prob"] as? Double)
                #expect(z.count == 4 && row["text"] is String && row["length_cap"] is Bool)
                let beam = try #require(row["beam"] as? [[String: Any]])
                #expect(beam.count == 3)
                let scores = beam.compactMap { $0["log_prob"] as? Double }
                #expect(scores == scores.sorted(by: >) && scores.first == logProb)
                if !tokens.isEmpty {
                    let reference = file.model.logProbability(file.vocabulary.ids(tokens), z: z[...])
                    // Decoding in bfloat16 (AMD CPUs with AVX-512 BF16) rounds the logits to 8 bits of mantissa: 6e-4
                    // of the figure at most here.
                    let tolerance = BF16OutputLayer.available ? 3e-3 : 1e-4
                    #expect(abs(logProb - reference) <= tolerance * abs(reference), "\(tokens): \(logProb) vs \(reference)")
                }
            }
        }
    }

    @Test func sampleOptionsThatConflictAreRefusedWithAFix() throws {
        try withScratchFolder { folder in
            _ = try Self.saveModel(folder)
            let cases: [([String], String)] = [
                (["--decoder", "greedy", "--temperature", "0.5"], "--decoder sample"),
                (["--decoder", "sample", "--beam-width", "3"], "--decoder beam"),
                (["--temperature", "0"], "--temperature"),
                (["--top-p", "1.5"], "--top-p"),
                (["-n", "0"], "-n"),
                (["--max-length", "0"], "--max-length"),
            ]
            for (arguments, mention) in cases {
                let run = try TextVAEProgram.run(["sample", "-m", "model.safetensors"] + arguments, in: folder)
                #expect(run.failedCleanly && run.stderr.contains(mention) && run.stdout.isEmpty, "\(arguments): \(run)")
            }
            for steps in ["0", "-3"] {
                let run = try TextVAEProgram.run(["interpolate", "-m", "model.safetensors", "--steps=\(steps)"], in: folder)
                #expect(run.failedCleanly && run.stderr.contains("--steps") && run.stdout.isEmpty, "steps \(steps): \(run)")
            }
            let missing = try TextVAEProgram.run(["sample", "-m", "nothing.safetensors"], in: folder)
            #expect(missing.failedCleanly && missing.stderrLines.count == 1 && missing.stderr.contains("nothing.safetensors"), "\(missing)")
        }
    }

    @Test func sampleHonoursNoUnkAndTheLengthCap() throws {
        try withScratchFolder { folder in
            _ = try Self.saveModel(folder, TinyModel.make(biases: [Vocabulary.unk: 4, Vocabulary.eos: -20]))
            let free = try TextVAEProgram.run(["sample", "-m", "model.safetensors", "-n", "5", "--max-length", "4"], in: folder)
            #expect(free.status == 0 && free.stdout.contains("<unk>"), "\(free)")
            for line in Self.lines(free.stdout) { #expect(line.split(separator: " ").count == 4, "\(line)") }
            let strict = try TextVAEProgram.run(
                ["sample", "-m", "model.safetensors", "-n", "5", "--no-unk", "--decoder", "sample"], in: folder)
            #expect(
                strict.status == 0 && !strict.stdout.contains("<unk>") && !strict.stdout.contains("<pad>")
                    && !strict.stdout.contains("<bos>"), "\(strict)")
            for line in Self.lines(strict.stdout) { #expect(line.split(separator: " ").count == 12, "the model's max_length: \(line)") }
        }
    }

    /// A model that loops (see DecodingTests): --raw shows the loops and --stats counts them; by default the
    /// repetition rule leaves none.
    @Test func sampleCountsDegenerateSentencesAndAvoidsThemUnlessRaw() throws {
        try withScratchFolder { folder in
            _ = try Self.saveModel(folder, TinyModel.make(biases: [Vocabulary.eos: -6, Vocabulary.unk: 4, 4: 4]))
            let raw = try TextVAEProgram.run(["sample", "-m", "model.safetensors", "-n", "40", "--raw", "--stats"], in: folder)
            let count = try #require(raw.stderr.firstMatch(of: /degenerate: (\d+) of 40/).map { Int($0.1) ?? 0 }, "\(raw)")
            #expect(raw.status == 0 && count > 10, "\(raw)")
            let ruled = try TextVAEProgram.run(["sample", "-m", "model.safetensors", "-n", "40", "--stats"], in: folder)
            #expect(ruled.status == 0 && ruled.stderr.contains("degenerate: 0 of 40"), "\(ruled)")
            #expect(Self.lines(ruled.stdout).count == 40 && ruled.stdout != raw.stdout)
        }
    }

    @Test func interpolateGoesFromOneReconstructionToTheOther() throws {
        try withScratchFolder { folder in
            _ = try Self.saveModel(folder)
            let a = "the cat sat on the mat", b = "a dog ran"
            let run = try TextVAEProgram.run(["interpolate", "-m", "model.safetensors", a, b, "--steps", "6", "--refine", "0"], in: folder)
            #expect(run.status == 0, "\(run)")
            let lines = Self.lines(run.stdout).map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
            #expect(lines.count == 6)
            #expect(lines.map { $0[0] } == ["0.00", "0.20", "0.40", "0.60", "0.80", "1.00"])
            let recon = try runTextVAE(["reconstruct", "-m", "model.safetensors", "-"], in: folder, stdin: a + "\n" + b + "\n")
            let ends = Self.lines(recon.stdout).map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)[1] }
            #expect(lines.first?.last == ends[0] && lines.last?.last == ends[1], "interpolation \(lines), reconstructions \(ends)")
            // Ends that are not the typed sentences are named on stderr, with what to try; ends that are, are not.
            for (i, (typed, end)) in zip([a, b], ends).enumerated() {
                let note = "path \(i == 0 ? "starts" : "ends") at \"\(end)\", not at sentence \(i + 1)"
                #expect(run.stderr.contains(note) == (typed != end), "\(note): \(run.stderr)")
            }
            var fixed = ends[0]  // a sentence the model gives back: reconstruct until nothing changes
            for _ in 0..<8 {
                let again = try runTextVAE(["reconstruct", "-m", "model.safetensors", "-"], in: folder, stdin: fixed + "\n")
                let next = Self.lines(again.stdout)[0].split(separator: "\t", omittingEmptySubsequences: false).map(String.init)[1]
                if next == fixed { break }
                fixed = next
            }
            let kept = try TextVAEProgram.run(["interpolate", "-m", "model.safetensors", fixed, fixed], in: folder)
            #expect(kept.status == 0 && !kept.stderr.contains("note:"), "'\(fixed)' comes back, yet: \(kept)")
            #expect(run.stderr.contains("leave out --refine 0") == (a != ends[0] || b != ends[1]), "\(run.stderr)")
            // By default the ends are what reconstruct --refine 20 gives back.
            let refinedRun = try TextVAEProgram.run(["interpolate", "-m", "model.safetensors", a, b, "--steps", "6"], in: folder)
            let refinedRecon = try runTextVAE(
                ["reconstruct", "-m", "model.safetensors", "--refine", "20", "-"], in: folder, stdin: a + "\n" + b + "\n")
            let refinedEnds = Self.lines(refinedRecon.stdout).map {
                $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)[1]
            }
            let refinedLines = Self.lines(refinedRun.stdout).map {
                $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)[1]
            }
            #expect(
                refinedRun.status == 0 && [refinedLines.first, refinedLines.last] == [refinedEnds[0], refinedEnds[1]], "\(refinedRun)")
            #expect(refinedRun.stderr.contains("after 20 refinement steps") == (refinedEnds != [a, b]), "\(refinedRun.stderr)")
            #expect(refinedRun.stderr.contains("--preset homotopy") == (refinedEnds != [a, b]), "what to try: \(refinedRun.stderr)")

            for extra in [["--slerp"], ["--collapse"], ["--seed", "2"]] {
                let arguments =
                    ["interpolate", "-m", "model.safetensors", "--steps", "9"] + (extra == ["--seed", "2"] ? extra : [a, b] + extra)
                let r = try TextVAEProgram.run(arguments, in: folder)
                let rows = Self.lines(r.stdout)
                #expect(r.status == 0 && !rows.isEmpty, "\(extra): \(r)")
                if extra == ["--collapse"] {
                    let texts = rows.map { $0.split(separator: "\t", omittingEmptySubsequences: false)[1] }
                    #expect(zip(texts, texts.dropFirst()).allSatisfy { $0 != $1 }, "collapsed lines repeat: \(rows)")
                    #expect(rows.first!.hasPrefix("0.00") && rows.last!.split(separator: "\t")[0].hasSuffix("1.00"))
                } else {
                    #expect(rows.count == 9)
                }
            }
            let one = try TextVAEProgram.run(["interpolate", "-m", "model.safetensors", a], in: folder)
            #expect(one.failedCleanly && one.stderr.contains("two sentences"), "\(one)")
        }
    }

    @Test func reconstructReadsStandardInputAndReportsBadLines() throws {
        try withScratchFolder { folder in
            _ = try Self.saveModel(folder)
            let long = Array(repeating: "cat", count: 70).joined(separator: " ")
            let text = "the cat sat\n\nzebra yak\n\(long)\na dog ran\n"
            let run = try runTextVAE(["reconstruct", "-m", "model.safetensors", "--stats"], in: folder, stdin: text)
            #expect(run.status == 0, "\(run)")
            let lines = Self.lines(run.stdout)
            #expect(lines.count == 4, "stdout holds the sentences only: \(run)")
            #expect(lines[0].hasPrefix("the cat sat\t") && lines[1].hasPrefix("<unk> <unk>\t"))
            let stats = run.stderr.split(separator: "\n").filter { $0.hasPrefix("# ") }
            #expect(
                stats.count == 2 && stats[0].hasPrefix("# exact ") && stats[0].contains("/4") && stats[1].hasPrefix("# token accuracy "),
                "\(run)")
            #expect(run.stderr.contains("line 3") && run.stderr.contains("does not know"), "\(run.stderr)")
            #expect(
                !run.stderr.contains("cut to"), "a 70-token line is read whole (the model's max_length bounds decoding only): \(run.stderr)"
            )
            let sampled = try runTextVAE(["reconstruct", "-m", "model.safetensors", "--sample", "--seed", "1"], in: folder, stdin: text)
            #expect(sampled.status == 0 && Self.lines(sampled.stdout).count == 4)
        }
    }

    @Test func encodeWritesTheMeansInEachFormat() throws {
        try loadBLAS()
        try withScratchFolder { folder in
            let file = try Self.saveModel(folder)
            let text = "the cat sat\na dog ran on the mat\n\ncat\n"
            try writeFile(Array(text.utf8), folder + "/in.txt")
            let ids: [[Int32]] = [[4, 5, 6], [9, 10, 11, 7, 4, 8], [5]]
            let expected = file.model.encode(ids)

            let tsv = try TextVAEProgram.run(["encode", "-m", "model.safetensors", "in.txt"], in: folder)
            let rows = Self.lines(tsv.stdout).map { $0.split(separator: "\t").map { Float($0)! } }
            #expect(tsv.status == 0 && rows.count == 3 && rows.allSatisfy { $0.count == 4 }, "\(tsv)")
            #expect(rows.flatMap { $0 } == expected.mu, "tsv round-trips the floats exactly")

            let npy = try TextVAEProgram.run(["encode", "-m", "model.safetensors", "in.txt", "-o", "codes.npy", "--logv"], in: folder)
            #expect(npy.status == 0 && npy.stdout.contains("3 rows × 8"), "\(npy)")
            let bytes = [UInt8](try #require(FileManager.default.contents(atPath: folder + "/codes.npy")))
            let expectedValues = (0..<3).flatMap { Array(expected.mu($0)) + Array(expected.logv($0)) }
            #expect(bytes == [UInt8](NPY.encode(rows: 3, columns: 8, values: expectedValues)))

            let jsonl = try TextVAEProgram.run(["encode", "-m", "model.safetensors", "in.txt", "--format", "jsonl"], in: folder)
            let objects = try Self.lines(jsonl.stdout).map {
                try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            #expect(objects.map { $0["line"] as? Int } == [1, 2, 4])
            #expect(objects[2]["text"] as? String == "cat" && objects[0]["logv"] == nil)
            #expect(try objects.flatMap { try #require($0["mu"] as? [Double]).map(Float.init) } == expected.mu)

            let noOutput = try TextVAEProgram.run(["encode", "-m", "model.safetensors", "in.txt", "--format", "npy"], in: folder)
            #expect(noOutput.failedCleanly && noOutput.stderr.contains("-o"), "\(noOutput)")
        }
    }

    @Test func evaluatePrintsATableOrJSON() throws {
        try withScratchFolder { folder in
            _ = try Self.saveModel(folder)
            try writeFile(Array("the cat sat\na dog ran on the mat\n\ncat\n".utf8), folder + "/in.txt")
            let json = try TextVAEProgram.run(["evaluate", "-m", "model.safetensors", "in.txt", "-k", "20", "--json"], in: folder)
            #expect(json.status == 0, "\(json)")
            let r = try #require(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            for key in ["sentences", "tokens", "k", "rec", "kl", "nelbo", "nll", "nll_se", "ppl", "mi", "au", "mu_var"] {
                #expect(r[key] != nil, "no \(key) in \(json.stdout)")
            }
            for key in ["recon_exact", "recon_token_accuracy", "recon_bleu"] {
                #expect((r[key] as? Double).map { (0...1).contains($0) } == true, "\(key) in \(json.stdout)")
            }
            // The same decoding as `reconstruct` gives by default.
            let rebuilt = try TextVAEProgram.run(["reconstruct", "-m", "model.safetensors", "in.txt", "--stats"], in: folder)
            let counts = rebuilt.stderr.split(separator: "\n").first { $0.hasPrefix("# token accuracy") }?
                .split(separator: " ")[3].split(separator: "/").compactMap { Double($0) }
            #expect(counts?.count == 2 && abs(counts![0] / counts![1] - (r["recon_token_accuracy"] as? Double ?? -1)) < 1e-9, "\(rebuilt)")
            #expect(r["sentences"] as? Int == 3 && r["tokens"] as? Int == 4 + 7 + 2 && r["k"] as? Int == 20)
            let (rec, kl, nelbo) = (r["rec"] as! Double, r["kl"] as! Double, r["nelbo"] as! Double)
            #expect(abs(nelbo - (rec + kl)) < 1e-9)
            #expect(!json.stdout.contains("importance sampling"), "progress belongs on stderr: \(json.stdout)")

            let table = try TextVAEProgram.run(["evaluate", "-m", "model.safetensors", "in.txt", "-k", "20"], in: folder)
            let lines = Self.lines(table.stdout)
            #expect(
                lines.count == 5 && lines[0].contains("nll") && lines[0].contains("au") && lines[2].contains("estimate")
                    && lines[3].contains("BLEU-4") && lines[4].hasPrefix("latent geometry"), "\(table)")
            let again = try TextVAEProgram.run(["evaluate", "-m", "model.safetensors", "in.txt", "-k", "20"], in: folder)
            #expect(again.stdout == table.stdout, "the same seed gives the same numbers")

            // A sentence longer than the model's max_length (12) is scored whole: all its 20 tokens and <eos>.
            let long = Array(repeating: "the cat sat on the mat", count: 4).joined(separator: " ").split(separator: " ").prefix(20)
            try writeFile(Array((long.joined(separator: " ") + "\n").utf8), folder + "/long.txt")
            let whole = try TextVAEProgram.run(["evaluate", "-m", "model.safetensors", "long.txt", "-k", "5", "--json"], in: folder)
            let w = try #require(JSONSerialization.jsonObject(with: Data(whole.stdout.utf8)) as? [String: Any], "\(whole)")
            #expect(w["tokens"] as? Int == 21 && !whole.stderr.contains("cut"), "\(whole)")
        }
    }

    /// `evaluate --samples N --lm LM`: the samples are those `sample` prints, and every figure is recomputed here
    /// from them (distinct-1, the language model's perplexity of the samples and of the file).
    @Test func evaluateScoresPriorSamplesUnderALanguageModel() throws {
        try withScratchFolder { folder in
            _ = try Self.saveModel(folder)
            var lm = SentenceVAE(config: ModelConfig(vocabulary: 12, embedding: 8, hidden: 8, latent: 0, maxLength: 12), seed: 9)
            let bias = lm.layout.range(.outputBias).lowerBound
            lm.parameters[bias + Vocabulary.eos] += 1  // sentences of a few words
            try ModelFile(model: lm, vocabulary: try TinyModel.vocabulary(), tokenizer: TokenizerSettings(name: .whitespace))
                .save(to: folder + "/lm.safetensors")
            // The last sentence repeats a 3-gram: degenerate by the samples' test, as real text sometimes is.
            try writeFile(Array("the cat sat\na dog ran on the mat\ncat\nthe cat sat on the cat sat\n".utf8), folder + "/in.txt")

            let plain = try TextVAEProgram.run(
                ["evaluate", "-m", "model.safetensors", "in.txt", "-k", "2", "--samples", "40", "--json"], in: folder)
            let p = try #require(JSONSerialization.jsonObject(with: Data(plain.stdout.utf8)) as? [String: Any], "\(plain)")
            #expect(p["prior_samples"] as? Int == 40 && p["samples_lm_ppl"] == nil, "\(plain)")

            let run = try TextVAEProgram.run(
                ["evaluate", "-m", "model.safetensors", "in.txt", "-k", "2", "--samples", "40", "--lm", "lm.safetensors", "--json"],
                in: folder)
            let r = try #require(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run)")
            let sampled = try TextVAEProgram.run(["sample", "-m", "model.safetensors", "-n", "40", "--format", "jsonl"], in: folder)
            let samples = try Self.lines(sampled.stdout).map { line in
                let row = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                return try TinyModel.vocabulary().ids(try #require(row["tokens"] as? [String]))
            }
            #expect(samples.count == 40)
            #expect(abs((r["samples_distinct_1"] as? Double ?? -1) - SampleQuality.distinct(samples, n: 1)) < 1e-12, "\(r)")
            #expect(r["samples_distinct_1"] as? Double == p["samples_distinct_1"] as? Double)
            let scorer = try TrainedModel.load(folder + "/lm.safetensors", threads: 1)
            let perplexity = SampleQuality.perplexity(of: samples.filter { !$0.isEmpty }, under: scorer)
            #expect(r["samples_empty"] as? Int == samples.filter(\.isEmpty).count)
            #expect(abs((r["samples_lm_ppl"] as? Double ?? -1) - perplexity) < 1e-9 * perplexity, "\(r) against \(perplexity)")
            // The file's perplexity under the language model is what `evaluate` of that model says.
            let own = try TextVAEProgram.run(["evaluate", "-m", "lm.safetensors", "in.txt", "--json"], in: folder)
            let o = try #require(JSONSerialization.jsonObject(with: Data(own.stdout.utf8)) as? [String: Any], "\(own)")
            let filePPL = try #require(o["ppl"] as? Double)
            #expect(abs((r["file_lm_ppl"] as? Double ?? -1) - filePPL) < 1e-5 * filePPL, "\(r) against \(o)")
            let degenerate = try #require(r["samples_degenerate_raw"] as? Double)
            #expect((0...1).contains(degenerate))
            #expect(r["file_degenerate"] as? Double == 0.25, "one of the file's 4 sentences repeats a 3-gram: \(r)")
            #expect(r["samples_top_p"] == nil)

            // --samples-top-p: the samples `sample --top-p` draws, and the same draws without the rule for the share.
            let nucleus = try TextVAEProgram.run(
                ["evaluate", "-m", "model.safetensors", "in.txt", "-k", "2", "--samples", "40", "--samples-top-p", "0.9", "--json"],
                in: folder)
            let n = try #require(JSONSerialization.jsonObject(with: Data(nucleus.stdout.utf8)) as? [String: Any], "\(nucleus)")
            let drawn = try TextVAEProgram.run(
                ["sample", "-m", "model.safetensors", "-n", "40", "--top-p", "0.9", "--format", "jsonl"], in: folder)
            let drawnSamples = try Self.lines(drawn.stdout).map { line in
                let row = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                return try TinyModel.vocabulary().ids(try #require(row["tokens"] as? [String]))
            }
            #expect(drawnSamples != samples, "nucleus samples differ from greedy ones")
            #expect(abs((n["samples_distinct_2"] as? Double ?? -1) - SampleQuality.distinct(drawnSamples, n: 2)) < 1e-12, "\(n)")
            #expect(n["samples_top_p"] as? Double == 0.9, "\(n)")
            let raw = try TextVAEProgram.run(
                ["sample", "-m", "model.safetensors", "-n", "40", "--top-p", "0.9", "--raw", "--stats"], in: folder)
            let counted = try #require(raw.stderr.firstMatch(of: /degenerate: (\d+) of 40/).map { Double(String($0.1))! })
            #expect(abs((n["samples_degenerate_raw"] as? Double ?? -1) - counted / 40) < 1e-12, "\(n) against \(raw.stderr)")
            let outOfRange = try TextVAEProgram.run(
                ["evaluate", "-m", "model.safetensors", "in.txt", "--samples-top-p", "1.5"], in: folder)
            #expect(outOfRange.failedCleanly && outOfRange.stderr.contains("--samples-top-p"), "\(outOfRange)")

            let text = try TextVAEProgram.run(
                ["evaluate", "-m", "model.safetensors", "in.txt", "-k", "2", "--lm", "lm.safetensors"], in: folder)
            #expect(
                text.status == 0 && text.stdout.contains("1000 prior samples") && text.stdout.contains("perplexity under lm.safetensors"),
                "\(text)")
            let refused = try TextVAEProgram.run(["evaluate", "-m", "lm.safetensors", "in.txt", "--lm", "model.safetensors"], in: folder)
            #expect(refused.failedCleanly && refused.stderr.contains("--baseline lm"), "\(refused)")
        }
    }

    /// `evaluate --paths`: its figures are those of the paths `interpolate` prints for the same pairs of sentences.
    @Test func evaluatePathsScoreWhatInterpolatePrints() throws {
        try withScratchFolder { folder in
            _ = try Self.saveModel(folder)
            let sentences = ["the cat sat", "a dog ran on the mat", "cat", "the dog sat on a mat", "a cat ran"]
            try writeFile(Array((sentences.joined(separator: "\n") + "\n").utf8), folder + "/in.txt")
            let run = try TextVAEProgram.run(
                ["evaluate", "-m", "model.safetensors", "in.txt", "-k", "2", "--paths", "6", "--json"], in: folder)
            let r = try #require(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run)")
            let vocabulary = try TinyModel.vocabulary()
            let ids = sentences.map { vocabulary.ids($0.split(separator: " ").map(String.init)) }
            var expected = PathQuality()
            for (a, b) in PathQuality.pairs(count: 6, among: Array(ids.indices), seed: 0) {
                let printed = try TextVAEProgram.run(
                    ["interpolate", "-m", "model.safetensors", sentences[a], sentences[b], "--format", "jsonl"], in: folder)
                let path = try Self.lines(printed.stdout).map { line in
                    let row = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                    return vocabulary.ids(try #require(row["text"] as? String).split(separator: " ").map(String.init))
                }
                expected.add(path: path, from: ids[a], to: ids[b])
            }
            #expect(r["paths"] as? Int == 6 && r["path_steps"] as? Int == 5, "\(r)")
            #expect(r["geometry_copies"] as? Int == 4 && (0...1).contains(r["geometry_own_neighbour"] as? Double ?? -1), "\(r)")
            #expect(r["path_both_ends_exact"] as? Double == expected.bothEndsExactShare, "\(r) against \(expected)")
            #expect(r["path_ends_exact"] as? Double == expected.endsExactShare)
            #expect(r["path_distinct"] as? Double == expected.meanDistinct && expected.meanDistinct > 1)
            #expect(r["path_step_edit"] as? Double == expected.meanStepDistance)
            #expect(r["path_monotone"] as? Double == expected.monotoneShare)
            let text = try TextVAEProgram.run(["evaluate", "-m", "model.safetensors", "in.txt", "-k", "2", "--paths", "6"], in: folder)
            #expect(text.status == 0 && text.stdout.contains("6 paths of 5 steps"), "\(text)")
        }
    }

    /// `--refine N` in the commands that encode sentences to decode them: the refined codes are the library's,
    /// it is refused where there is no μ to refine, and what it did is said.
    @Test func refineMovesTheCodesTheLibraryMoves() throws {
        try withScratchFolder { folder in
            let file = try Self.saveModel(folder, TinyModel.varied(latentToInputs: true))
            let trained = try TrainedModel(file: file, threads: 1)
            let sentences = TinyModel.sentencesRefinementMoves(trained, steps: 20).map(trained.text)
            try #require(sentences.count == 2, "refinement moved the codes of \(sentences.count) distinct sentences")
            let refined = try runTextVAE(
                ["reconstruct", "-m", "model.safetensors", "--refine", "20", "--format", "jsonl"], in: folder,
                stdin: sentences.joined(separator: "\n") + "\n")
            #expect(refined.status == 0, "\(refined)")
            let ids = sentences.map { trained.vocabulary.ids($0.split(separator: " ").map(String.init)) }
            let z = trained.refinedCodes(ids, from: trained.encode(ids).mu, steps: 20, options: DecodingOptions(repetition: .standard))
            let expected = trained.decodeGreedily(z, repetition: .standard).map(trained.text)
            let outputs = try Self.lines(refined.stdout).map { line in
                try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])["output"] as? String
            }
            #expect(outputs == expected, "\(outputs) against \(expected)")
            // encode --refine: the same codes, as "z" beside "mu" in jsonl and in place of μ in tsv.
            let encoded = try runTextVAE(
                ["encode", "-m", "model.safetensors", "--refine", "20", "--format", "jsonl"], in: folder,
                stdin: sentences.joined(separator: "\n") + "\n")
            let rows = try Self.lines(encoded.stdout).map { line in
                try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            }
            let mu = trained.encode(ids).mu, Z = trained.latent
            let refinedRows: [[Float]] = (0..<2).map { Array(z[$0 * Z..<($0 + 1) * Z]) }
            let meanRows: [[Float]] = (0..<2).map { Array(mu[$0 * Z..<($0 + 1) * Z]) }
            // The command runs on more threads than this test: sums in another order, a few ulps apart.
            func near(_ a: [[Float]?], _ b: [[Float]]) -> Bool {
                a.count == b.count && zip(a, b).allSatisfy { x, y in x.map { zip($0, y).allSatisfy { abs($0 - $1) < 1e-5 } } ?? false }
            }
            let zColumn: [[Float]?] = rows.map { ($0["z"] as? [Double])?.map(Float.init) }
            let muColumn: [[Float]?] = rows.map { ($0["mu"] as? [Double])?.map(Float.init) }
            #expect(near(zColumn, refinedRows) && near(muColumn, meanRows) && !near(muColumn, refinedRows), "\(rows)")
            let tsv = try runTextVAE(
                ["encode", "-m", "model.safetensors", "--refine", "20"], in: folder, stdin: sentences.joined(separator: "\n") + "\n")
            let tsvRows: [[Float]] = Self.lines(tsv.stdout).map { $0.split(separator: "\t").map { Float(String($0)) ?? .nan } }
            #expect(near(tsvRows, refinedRows), "\(tsv)")

            let sampled = try runTextVAE(
                ["reconstruct", "-m", "model.safetensors", "--refine", "3", "--sample"], in: folder, stdin: "cat\n")
            #expect(sampled.failedCleanly && sampled.stderr.contains("--sample"), "\(sampled)")
            // interpolate --refine: the path's ends are the refined reconstructions, and a missed end says so.
            let path = try TextVAEProgram.run(["interpolate", "-m", "model.safetensors", "--refine", "20"] + sentences, in: folder)
            #expect(path.status == 0, "\(path)")
            let lines = Self.lines(path.stdout).map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)[1] }
            #expect(lines.first == expected[0] && lines.last == expected[1], "\(lines) against \(expected)")
            #expect(path.stderr.contains("after 20 refinement steps") == (expected != sentences), "\(path.stderr)")
            try writeFile(Array((sentences.joined(separator: "\n") + "\n").utf8), folder + "/in.txt")
            let evaluated = try TextVAEProgram.run(
                ["evaluate", "-m", "model.safetensors", "in.txt", "-k", "2", "--refine", "20", "--paths", "2", "--json"], in: folder)
            let r = try #require(JSONSerialization.jsonObject(with: Data(evaluated.stdout.utf8)) as? [String: Any], "\(evaluated)")
            let exact = Double(zip(outputs, sentences).filter { $0 == $1 }.count) / 2
            #expect(r["refine"] as? Int == 20 && r["recon_exact"] as? Double == exact, "\(r)")
        }
    }
}
