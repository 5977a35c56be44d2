import ArgumentParser
import Foundation
import TextVAE

struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score each sentence of a file: rec at z = μ, KL, and target count, as JSON lines.",
        discussion: """
            rec is −log p(x | z = μ) summed over the sentence's tokens and <eos>; kl is
            KL(q(z|x) ‖ N(0, I)). Both are deterministic, so they compare exactly with
            another implementation (../shared/bench/torch_ref's `score` prints the same
            lines). A last line gives the means. Blank lines are skipped.
              textvae score -m model.safetensors valid.txt > scores.jsonl
            """
    )

    @Option(name: .shortAndLong, help: "Model file.") var model: String
    @Argument(help: "Sentences, one per line.") var file: String

    func run() throws {
        try BLAS.load()
        let loaded = try ModelFile.load(model)
        let tokenizer = try Tokenizer(loaded.tokenizer)
        let corpus = try Corpus.read(file, tokenizer: tokenizer)
        let cap = loaded.model.config.maxLength
        let ids = corpus.sentences.map { loaded.vocabulary.ids(Array($0.prefix(cap))) }
        let cut = corpus.sentences.filter { $0.count > cap }.count
        if cut > 0 { FileHandle.standardError.write(Data("warning: \(cut) sentences cut to the model's \(cap) tokens\n".utf8)) }
        var rng = Random(seed: 0)
        let s = loaded.model.score(ids, batchSize: 64, useMean: true, rng: &rng)
        var out = ""
        for i in 0..<s.count { out += "{\"rec\": \(s.rec[i]), \"kl\": \(s.kl[i]), \"tokens\": \(s.targets[i])}\n" }
        out += "# sentences \(s.count)  tokens \(s.targetTotal)  rec \(f(s.meanRec, 3))  kl \(f(s.meanKL, 4))  nelbo \(f(s.meanNELBO, 3))\n"
        print(out, terminator: "")
    }
}
