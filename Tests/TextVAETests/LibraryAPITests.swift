import Foundation
import Testing
import TextVAE

/// `TextVAEModel`, the library's entry point for applications: the Getting Started article's example runs
/// here as written, and its answers are the commands' answers.
@Suite struct LibraryAPITests {
    /// The Getting Started article's example, on a model the command line trained.
    static func gettingStarted(_ path: String) async throws -> [String] {
        var printed: [String] = []
        func print(_ items: Any...) { printed.append(items.map { "\($0)" }.joined(separator: " ")) }
        // --- the article's code, from here
        let model = try TextVAEModel(path: path)
        for sample in try await model.sample(count: 3, seed: 1) {
            print(sample.text)
        }
        let means = try await model.encode(["the cat sees a dog", "a bird eats the fish"])
        print("z has", means[0].count, "numbers")
        for step in try await model.interpolate("the cat sees a dog", "a bird eats the fish", steps: 5) {
            print(step.t, step.text)
        }
        // --- to here
        return printed
    }

    @Test func theArticlesExampleRunsAndAgreesWithTheCommands() async throws {
        let folder = try temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try (GrammarCorpus.sentences(count: 600, seed: 2).joined(separator: "\n") + "\n")
            .write(toFile: folder + "/g.txt", atomically: true, encoding: .utf8)
        let train = try TextVAEProgram.run(
            [
                "train", "g.txt", "-o", "m.safetensors", "--embedding", "16", "--hidden", "24", "--latent", "4",
                "--epochs", "2", "--tokenizer", "whitespace", "--quiet",
            ], in: folder)
        try #require(train.status == 0, "\(train)")
        let path = folder + "/m.safetensors"

        let printed = try await Self.gettingStarted(path)
        #expect(printed.count == 3 + 1 + 5 && printed[3] == "z has 4 numbers", "\(printed)")

        // The same seed gives `textvae sample`'s sentences; interpolate gives `textvae interpolate`'s.
        let model = try TextVAEModel(path: path)
        let samples = try await model.sample(count: 7, seed: 3)
        let cli = try TextVAEProgram.run(["sample", "-m", "m.safetensors", "-n", "7", "--seed", "3"], in: folder)
        #expect(samples.map(\.text) == GenerationCLITests.lines(cli.stdout), "\(samples.map(\.text)) against \(cli.stdout)")
        #expect(samples.allSatisfy { $0.z.count == 4 && $0.logProbability <= 0 && $0.className == nil })
        let walk = try await model.interpolate("the cat sees a dog", "a bird eats the fish", steps: 5)
        let cliWalk = try TextVAEProgram.run(
            ["interpolate", "-m", "m.safetensors", "the cat sees a dog", "a bird eats the fish"], in: folder)
        #expect(walk.map { "\(String(format: "%.2f", $0.t))\t\($0.text)" } == GenerationCLITests.lines(cliWalk.stdout))
        let negative = await #expect(throws: TextVAEError.self) { try await model.reconstruct(["a bird"], refine: -1) }
        #expect(negative?.isCase(.invalidInput("")) == true, "\(String(describing: negative))")
        // reconstruct and score agree with their definitions; errors name the sentence.
        let again = try await model.reconstruct(["the cat sees a dog"])
        let cliAgain = try TextVAEProgram.run(["reconstruct", "-m", "m.safetensors"], in: folder, stdin: "the cat sees a dog\n")
        #expect(again == [String(GenerationCLITests.lines(cliAgain.stdout)[0].split(separator: "\t")[1])])
        let scores = try await model.score(["the cat sees a dog", "a bird eats the fish"])
        #expect(scores.count == 2 && scores.allSatisfy { $0 > 0 && $0.isFinite })
        // An application matches the kind of problem by case.
        let empty = await #expect(throws: TextVAEError.self) { try await model.encode(["fine words", "   "]) }
        #expect(empty?.isCase(.invalidInput("")) == true, "\(String(describing: empty))")
        let noClasses = await #expect(throws: TextVAEError.self) { try await model.classify(["the cat sees a dog"]) }
        #expect(noClasses?.isCase(.modelLacks("")) == true, "\(String(describing: noClasses))")
        let missing = #expect(throws: TextVAEError.self) { try TextVAEModel(path: folder + "/missing.safetensors") }
        #expect(missing?.isCase(.file("")) == true, "\(String(describing: missing))")
    }

    /// `refine` gives the commands' --refine answers, on sentences whose codes refinement moves (so that a call
    /// that ignored it would give μ's answers and fail); interpolate refines by default, as the command does.
    @Test func refinementGivesTheCommandsAnswers() async throws {
        let folder = try temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = try GenerationCLITests.saveModel(folder, TinyModel.varied(latentToInputs: true))
        let trained = try TrainedModel(file: file, threads: 1)
        let sentences = TinyModel.sentencesRefinementMoves(trained, steps: 20).map(trained.text)
        try #require(sentences.count == 2, "refinement moved the codes of \(sentences.count) distinct sentences")
        let model = try TextVAEModel(path: folder + "/model.safetensors")
        let stdin = sentences.joined(separator: "\n") + "\n"
        func column(_ run: Run, _ k: Int) -> [String] {
            GenerationCLITests.lines(run.stdout).map { String($0.split(separator: "\t", omittingEmptySubsequences: false)[k]) }
        }

        let codes = try await model.encode(sentences, refine: 20), means = try await model.encode(sentences)
        let cliCodes = try TextVAEProgram.run(["encode", "-m", "model.safetensors", "--refine", "20"], in: folder, stdin: stdin)
        let cliRows = GenerationCLITests.lines(cliCodes.stdout).map { $0.split(separator: "\t").map { Float(String($0)) ?? .nan } }
        #expect(codes != means && cliRows.count == 2, "\(codes) against μ \(means)")
        #expect(zip(codes, cliRows).allSatisfy { zip($0, $1).allSatisfy { abs($0 - $1) < 1e-5 } }, "\(codes) against \(cliRows)")

        let standard = DecodingOptions(repetition: .standard)
        let back = try await model.reconstruct(sentences, refine: 20, options: standard)
        let cliBack = try TextVAEProgram.run(["reconstruct", "-m", "model.safetensors", "--refine", "20"], in: folder, stdin: stdin)
        let backFromMeans = try await model.reconstruct(sentences, options: standard)
        #expect(back == column(cliBack, 1) && back != backFromMeans, "\(back) against μ's \(backFromMeans)")

        let walk = try await model.interpolate(sentences[0], sentences[1], options: standard).map(\.text)
        let cliWalk = try TextVAEProgram.run(["interpolate", "-m", "model.safetensors"] + sentences, in: folder)
        let unrefined = try await model.interpolate(sentences[0], sentences[1], refine: 0, options: standard).map(\.text)
        #expect(walk == column(cliWalk, 1) && walk != unrefined, "\(walk) against \(unrefined)")
    }

    /// The article's code is the code above, and it compiles in a module outside the package: with `import
    /// TextVAE` alone it sees only the public API, so `package` internals cannot slip into what apps are shown.
    @Test func theArticlesCodeNeedsOnlyThePublicAPI() throws {
        let root = testsFolder.deletingLastPathComponent().deletingLastPathComponent()
        let article = try String(contentsOf: root.appendingPathComponent("Sources/TextVAE/TextVAE.docc/GettingStarted.md"), encoding: .utf8)
        let blocks = article.components(separatedBy: "```swift\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        let example = try #require(blocks.first { $0.hasPrefix("import TextVAE\n") }, "GettingStarted.md has no `import TextVAE` example")
        let source = try String(contentsOf: testsFolder.appendingPathComponent("LibraryAPITests.swift"), encoding: .utf8)
        let here = source.components(separatedBy: "// --- the article's code, from here\n")[1].components(
            separatedBy: "        // --- to here")[0]
        let dedented = here.split(separator: "\n", omittingEmptySubsequences: false).map { $0.dropFirst(8) }.joined(separator: "\n")
        #expect(
            "import TextVAE\n\n" + dedented == example.replacingOccurrences(of: #""model.safetensors""#, with: "path"),
            "the article's example and gettingStarted(_:) differ")

        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // What SwiftPM gives an app that depends on the library: the Swift modules, and the C shims' module maps
        // (loaded, not visible: TextVAE imports them `internal`).
        let build = URL(fileURLWithPath: try TextVAEProgram.path()).deletingLastPathComponent()
        let shims = ["CBLAS", "CICU", "CKernels", "CMPI"].flatMap { shim in
            [
                "-Xcc", "-fmodule-map-file=" + build.appendingPathComponent("\(shim).build/module.modulemap").path,
                "-Xcc", "-I" + root.appendingPathComponent("Sources/\(shim)/include").path,
            ]
        }
        func typecheck(_ code: String) throws -> Run {
            try code.write(to: folder.appendingPathComponent("main.swift"), atomically: true, encoding: .utf8)
            return try runProcess(
                "/usr/bin/env", ["swiftc", "-typecheck", "-I", build.appendingPathComponent("Modules").path] + shims + ["main.swift"],
                in: folder.path)
        }
        let app = try typecheck(example)
        #expect(app.status == 0, "the article's example does not compile outside the package: \(app.stderr)")
        // The control: an internal type is out of reach from there, so the check above means something.
        let inside = try typecheck("import TextVAE\nlet model = try TrainedModel.load(\"m.safetensors\", threads: 1)\n")
        #expect(inside.status != 0 && inside.stderr.contains("TrainedModel"), "\(inside)")
    }
}
