import ArgumentParser
import Foundation
import TextVAE

struct GrammarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grammar",
        abstract: "Write sentences from textvae's test grammar, whose entropy is known.",
        discussion: """
            A tiny probabilistic grammar (see GrammarCorpus.swift) with exactly one
            derivation per sentence, so its true entropy per sentence is computable; a
            trained model's validation −ELBO can approach it but not go below it.
              textvae grammar -n 20000 -o grammar.txt
            """
    )

    @Option(name: .customShort("n"), help: "Number of sentences.") var count = 20_000
    @Option(name: .shortAndLong, help: "Output file.") var output: String
    @Option(help: "Random seed.") var seed: UInt64 = 1

    func validate() throws { if count < 1 { throw ValidationError("-n must be at least 1") } }

    func run() throws {
        let text = GrammarCorpus.sentences(count: count, seed: seed).joined(separator: "\n") + "\n"
        try AtomicFile.write(Data(text.utf8), to: output)
        let say = summary(writing: output)
        say(
            "wrote \(output): \(count) sentences; true entropy \(f(GrammarCorpus.entropyPerSentence, 3)) nats per sentence, "
                + "\(f(GrammarCorpus.meanTokensPerSentence, 2)) tokens per sentence on average")
    }
}
