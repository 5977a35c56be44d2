import ArgumentParser
import Foundation
import TextVAE

struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score each sentence of a file: rec at z = μ, KL, and target count, as JSON lines.",
        discussion: """
            rec is −log p(x | z = μ) summed over the sentence's tokens and <eos>; kl is
            KL(q(z|x) ‖ N(0, I)). Both are deterministic, so they compare exactly with
            another implementation (Tests/Reference/svae.py's `score` prints the same
            lines). A last line on stderr gives the means. Blank lines and lines without
            tokens are skipped, and sentences longer than 2,000 tokens, the longest textvae
            reads, are cut (both said on stderr); the model's max_length does not apply.
              textvae score -m model.safetensors valid.txt > scores.jsonl
            """
    )

    @OptionGroup var model: ModelArgument
    @Argument(help: "Sentences, one per line ('-': standard input).") var file: String
    @OptionGroup(title: "Output (jsonl only: one object per sentence)") var output: FormatOptions

    func validate() throws {
        try model.check()
        if output.format != nil || output.json { _ = try output.chosen([.jsonl]) }
    }

    func run() throws {
        let trained = try model.load()
        let input = try model.readInput(file, for: trained)
        var rng = Random(seed: 0)
        let s = trained.model.score(input.ids, batchSize: 64, useMean: true, rng: &rng, workspace: trained.workspace)
        var out = ""
        for i in 0..<s.count { out += "{\"rec\": \(s.rec[i]), \"kl\": \(s.kl[i]), \"tokens\": \(s.targets[i])}\n" }
        print(out, terminator: "")
        warn("# sentences \(s.count)  tokens \(s.targetTotal)  rec \(f(s.meanRec, 3))  kl \(f(s.meanKL, 4))  nelbo \(f(s.meanNELBO, 3))")
    }
}
