import ArgumentParser
import Foundation
import TextVAE

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score a model on a text file: rec, kl, −ELBO, importance-sampled NLL, perplexity, MI, active units.",
        discussion: """
            The metrics, as the documentation's "Evaluation metrics" article defines them, means over
            the file's sentences:
              rec    reconstruction term −log p(x|z), one z ~ q(z|x) per sentence
              kl     KL(q(z|x) ‖ N(0, I))
              nelbo  rec + kl, the negative ELBO (an upper bound on nll)
              nll    −log p(x) by importance sampling with k samples per sentence
              ppl    exp(Σ nll / Σ (T + 1)), per token (word, or subword piece), <eos> counted
              word_ppl  exp(Σ nll / Σ (words + 1)): per word for any vocabulary, so word
                     and subword models compare (the same as ppl for a word model)
              mi     mutual information I(x; z): He et al. 2019's estimate over batches
                     of 32 sentences in file order; at most log 32 ≈ 3.47
              au     active units: dimensions whose μ varies over the file (var > 0.01)

            Examples:
              textvae evaluate -m model.safetensors valid.txt
              textvae evaluate -m model.safetensors valid.txt -k 100 --json

            The cost is k decoder passes per sentence (the encoder runs once per sentence;
            a progress bar shows the ETA); -k 50 gives a quick, noisier nll. Sentences are
            scored whole, also those longer than the model's max_length (which bounds
            training and decoding only), so that nll and ppl compare with published
            figures. The same --seed gives the same numbers.
            """
    )

    @OptionGroup var model: ModelArgument

    @Argument(help: "Sentences, one per line ('-': standard input).")
    var file: String

    @Option(name: .customShort("k"), help: "Importance samples per sentence for nll.")
    var samples = 500

    @Flag(help: "Print one JSON line instead of a table.")
    var json = false

    @Option(help: "Random seed for the samples.")
    var seed: UInt64 = 0

    func validate() throws {
        if samples < 1 || samples > 1_000_000 { throw ValidationError("-k must be between 1 and 1000000") }
        try model.check()
    }

    func run() throws {
        let trained = try model.load()
        let input = try model.readInput(file, for: trained)
        let bar = ProgressBar("importance sampling (k = \(samples))")
        var r = trained.model.evaluate(input.ids, samples: samples, seed: seed, workspace: trained.workspace) { done, total in bar.update(done, of: total) }
        r.countWords(input.ids.map(trained.vocabulary.wordCount))
        bar.finish()
        if json {
            let pairs: [(String, String)] = [
                ("file", JSON.string(file)), ("sentences", String(r.sentences)), ("tokens", String(r.tokens)), ("k", String(r.samples)),
                ("rec", JSON.number(r.rec)), ("kl", JSON.number(r.kl)), ("nelbo", JSON.number(r.nelbo)),
                ("nll", JSON.number(r.nll)), ("nll_se", JSON.number(r.nllStandardError)), ("ppl", JSON.number(r.ppl)),
                ("words", String(r.words)), ("word_ppl", JSON.number(r.wordPPL)),
                ("mi", JSON.number(r.mi)), ("mi_batch", String(r.miBatch)), ("au", String(r.au)),
                ("mu_var", "[" + r.muVariance.map(JSON.number).joined(separator: ",") + "]"), ("seed", String(seed)),
            ]
            print(JSON.object(pairs))
            return
        }
        let columns = ["sentences", "tokens", "k", "rec", "kl", "nelbo", "nll", "ppl", "word_ppl", "mi", "au"]
        let values = [String(r.sentences), String(r.tokens), String(r.samples), f(r.rec, 4), f(r.kl, 4), f(r.nelbo, 4),
                      f(r.nll, 4), f(r.ppl, 4), f(r.wordPPL, 4), f(r.mi, 4), String(r.au)]
        print(columns.map { pad($0) }.joined(separator: " "))
        print(values.map { pad($0) }.joined(separator: " "))
        print("nll ± \(f(r.nllStandardError, 4)) (Monte-Carlo standard error); mi is an estimate (He et al. 2019, "
              + "batches of \(r.miBatch) in file order, at most log \(r.miBatch) = \(f(log(Double(r.miBatch)), 2)))")
    }

    func pad(_ s: String) -> String { String(repeating: " ", count: max(0, 10 - s.count)) + s }
}
