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
        let train = try TextVAEProgram.run(["train", "g.txt", "-o", "m.safetensors", "--embedding", "16", "--hidden", "24", "--latent", "4",
                                            "--epochs", "2", "--tokenizer", "whitespace", "--quiet"], in: folder)
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
        let cliWalk = try TextVAEProgram.run(["interpolate", "-m", "m.safetensors", "the cat sees a dog", "a bird eats the fish"], in: folder)
        #expect(walk.map { "\(String(format: "%.2f", $0.t))\t\($0.text)" } == GenerationCLITests.lines(cliWalk.stdout))
        // reconstruct and score agree with their definitions; errors name the sentence.
        let again = try await model.reconstruct(["the cat sees a dog"])
        let cliAgain = try TextVAEProgram.run(["reconstruct", "-m", "m.safetensors"], in: folder, stdin: "the cat sees a dog\n")
        #expect(again == [String(GenerationCLITests.lines(cliAgain.stdout)[0].split(separator: "\t")[1])])
        let scores = try await model.score(["the cat sees a dog", "a bird eats the fish"])
        #expect(scores.count == 2 && scores.allSatisfy { $0 > 0 && $0.isFinite })
        await #expect(throws: TextVAEError.self) { try await model.encode(["fine words", "   "]) }
        await #expect(throws: TextVAEError.self) { try await model.classify(["the cat sees a dog"]) }
        #expect(throws: TextVAEError.self) { try TextVAEModel(path: folder + "/missing.safetensors") }
    }
}
