import ArgumentParser
import Foundation
import TextVAE

struct ImputeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "impute",
        abstract: "Fill the blanks (___) of a sentence with the words the model finds most likely.",
        discussion: """
            Bowman et al. 2016 (§5) impute missing words with a sentence VAE. textvae does
            it by scoring: the blanks start as <unk>; then, blank by blank, every candidate
            word is tried in its place, the whole sentence is scored by its −ELBO at z = μ
            (rec + KL), and the best word is kept. Rounds over the blanks repeat until
            nothing changes (or --rounds). Unlike left-to-right decoding, the score also
            weighs the words after a blank. Candidates are the vocabulary's words (tokens
            with a letter or digit: a blank is a missing word, not punctuation). Each blank
            costs one forward pass per candidate per round: --candidates N tries only the N
            most frequent words.

            Examples:
              textvae impute -m model.safetensors "the ___ sat on the ___ ."
              textvae impute -m model.safetensors "a ___ ___ of wine" --candidates 2000 --show-rounds
            """
    )

    @OptionGroup var modelArgument: ModelArgument

    @Argument(help: "Sentences with blanks: tokens made of underscores (___), with spaces around them.")
    var sentences: [String]

    @Option(help: "At most this many passes over the blanks.")
    var rounds = 5

    @Option(help: "Try only the N most frequent words of the vocabulary (default: all).")
    var candidates: Int?

    @Flag(help: "Print the sentence after each round, with its score (on stderr).")
    var showRounds = false

    @OptionGroup(title: "Output (jsonl: one object per sentence, with input, text and its −ELBO)") var output: FormatOptions

    func validate() throws {
        try modelArgument.check()
        if sentences.isEmpty { throw ValidationError("give a sentence with blanks, e.g. \"the ___ sat on the mat\"") }
        if rounds < 1 { throw ValidationError("--rounds must be at least 1") }
        _ = try output.chosen([.text, .jsonl])
        if let c = candidates, c < 1 { throw ValidationError("--candidates must be at least 1 (or leave it out for all words)") }
    }

    func run() throws {
        let trained = try modelArgument.load()
        try trained.requireLatent(for: "fill blanks")
        let words = trained.candidateWords(candidates)
        if words.isEmpty {
            throw TextVAEError.modelLacks("\(modelArgument.model): the vocabulary has no words to fill blanks with; train on a real corpus")
        }
        for sentence in sentences {
            let (tokens, blanks) = try trained.template(sentence)
            if let note = try trained.unknownWordsNote(sentence, except: { $0.allSatisfy { $0 == "_" } }) { warn(note) }
            let result = trained.model.impute(tokens, blanks: blanks, candidates: words, rounds: rounds, workspace: trained.workspace)
            if showRounds {
                for (round, s) in result.history.enumerated() {
                    let score = trained.model.scoreSentences([s], workspace: trained.workspace)[0]
                    warn(String(format: "round %d  −ELBO %8.3f  ", round, score) + trained.text(s))
                }
            }
            if try output.chosen([.text, .jsonl]) == .jsonl {
                let score = trained.model.scoreSentences([result.tokens], workspace: trained.workspace)[0]
                print(
                    JSON.object([
                        ("input", JSON.string(sentence)), ("text", JSON.string(trained.text(result.tokens))),
                        ("nelbo", JSON.number(score)),
                    ]))
            } else {
                print(trained.text(result.tokens))
            }
            if showRounds {
                warn(
                    "\(blanks.count) blank\(blanks.count == 1 ? "" : "s"), \(words.count) candidate words, "
                        + (result.converged
                            ? "stable after \(result.history.count - 1) rounds"
                            : "still changing after \(rounds) rounds (try more --rounds)"))
            }
        }
    }
}
