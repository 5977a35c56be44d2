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

            A model with classes (trained with labels or --classes): kl_c is KL(q(c|x) ‖
            uniform) with c drawn from q(c|x), nelbo includes it, and nll sums over the K
            classes exactly inside each importance sample (K decoder passes per sample):
            every figure is of the sentences alone, without their labels. Given labels
            (--label-column or --label-file), it adds the accuracy of q(c|x).
            """
    )

    @OptionGroup var model: ModelArgument

    @Argument(help: "Sentences, one per line ('-': standard input).")
    var file: String

    @Flag(help: "Read running text as 'train --paragraphs' does: paragraphs separated by blank lines, split into sentences.")
    var paragraphs = false

    @Option(name: .customShort("k"), help: "Importance samples per sentence for nll.")
    var samples = 500

    @OptionGroup(title: "Output (json: one JSON object)") var output: FormatOptions

    @Option(help: "Random seed for the samples.")
    var seed: UInt64 = 0

    @OptionGroup(title: "Labels (a model with classes)") var gold: LabelInputOptions

    func validate() throws {
        try gold.check()
        _ = try output.chosen([.text, .json])
        if samples < 1 || samples > 1_000_000 { throw ValidationError("-k must be between 1 and 1000000") }
        try model.check()
    }

    func run() throws {
        let trained = try model.load()
        var ids: [[Int32]], labels: [Int?]?
        if gold.given {
            if paragraphs {
                throw TextVAEError.conflict("labels belong to lines: leave out --paragraphs with --label-column or --label-file")
            }
            guard trained.classes > 0 else {
                throw TextVAEError.modelLacks(
                    "\(model.model) has no classes, so labels have nothing to score; leave out --label-column and --label-file")
            }
            let input = try SentenceFile.read(file, model: trained, columns: gold.columns, labelsFile: gold.labelFile)
            for note in input.notes { warn("note: \(note)") }
            ids = input.tokens
            labels = input.labels.map { LabelInputOptions.classes(of: $0, in: trained) }
        } else {
            ids = try model.readInput(file, for: trained, paragraphs: paragraphs).ids
        }
        let bar = ProgressBar(
            "importance sampling (k = \(samples)\(trained.classes > 0 ? ", summing over \(trained.classes) classes" : ""))")
        var r = trained.model.evaluate(ids, labels: labels, samples: samples, seed: seed, workspace: trained.workspace) { done, total in
            bar.update(done, of: total)
        }
        r.countWords(ids.map(trained.vocabulary.wordCount))
        bar.finish()
        let unknown = Vocabulary.unknownShare(ids)  // what the vocabulary leaves out: figures compare only at equal shares
        let reconstruction = trained.isLanguageModel ? nil : Self.reconstruction(ids, trained)
        if try output.chosen([.text, .json]) == .json {
            let pairs: [(String, String)] = [
                ("file", JSON.string(file)), ("sentences", String(r.sentences)), ("tokens", String(r.tokens)), ("k", String(r.samples)),
                ("rec", JSON.number(r.rec)), ("kl", JSON.number(r.kl)), ("nelbo", JSON.number(r.nelbo)),
                ("nll", JSON.number(r.nll)), ("nll_se", JSON.number(r.nllStandardError)), ("ppl", JSON.number(r.ppl)),
                ("words", String(r.words)), ("word_ppl", JSON.number(r.wordPPL)), ("unk_share", JSON.number(unknown)),
                ("mi", JSON.number(r.mi)), ("mi_batch", String(r.miBatch)), ("au", String(r.au)),
                ("mu_var", "[" + r.muVariance.map(JSON.number).joined(separator: ",") + "]"), ("seed", String(seed)),
            ]
            var classPairs: [(String, String)] = []
            if trained.classes > 0 { classPairs += [("classes", String(trained.classes)), ("kl_c", JSON.number(r.classKL))] }
            if let accuracy = r.labelAccuracy { classPairs += [("accuracy", JSON.number(accuracy)), ("labelled", String(r.labelled))] }
            if let (score, bleu) = reconstruction {
                classPairs += [
                    ("recon_exact", JSON.number(score.exactShare)), ("recon_token_accuracy", JSON.number(score.tokenAccuracy)),
                    ("recon_bleu", JSON.number(bleu.score)),
                ]
            }
            print(JSON.object(pairs + classPairs))
            return
        }
        let columns = ["sentences", "tokens", "k", "rec", "kl", "nelbo", "nll", "ppl", "word_ppl", "mi", "au"]
        let values = [
            String(r.sentences), String(r.tokens), String(r.samples), f(r.rec, 4), f(r.kl, 4), f(r.nelbo, 4),
            f(r.nll, 4), f(r.ppl, 4), f(r.wordPPL, 4), f(r.mi, 4), String(r.au),
        ]
        print(columns.map { pad($0) }.joined(separator: " "))
        print(values.map { pad($0) }.joined(separator: " "))
        print(
            "nll ± \(f(r.nllStandardError, 4)) (Monte-Carlo standard error); mi is an estimate (He et al. 2019, "
                + "batches of \(r.miBatch) in file order, at most log \(r.miBatch) = \(f(log(Double(r.miBatch)), 2))); "
                + "<unk> is \(f(100 * unknown, 2))% of the tokens (compare models only at equal shares)")
        if let (score, bleu) = reconstruction {
            print(
                "greedy decoding of each sentence's posterior mean, as 'textvae reconstruct' gives it: \(f(100 * score.exactShare, 2))% "
                    + "exactly the sentence, token accuracy \(f(100 * score.tokenAccuracy, 2))%, BLEU-4 \(f(100 * bleu.score, 2))")
        }
        if trained.classes > 0 {
            print(
                "classes: \(trained.classes); kl_c \(f(r.classKL, 4)) (in nelbo); nll sums over the classes exactly (uniform prior on c)"
                    + (r.labelAccuracy.map { "; label accuracy of q(c|x) \(f(100 * $0, 2))% on \(r.labelled) labelled sentences" } ?? ""))
        }
    }

    /// How the greedy decoding of each sentence's posterior mean (with its most likely class, in a model with
    /// classes; the repetition rule on, as `reconstruct` decodes by default) gives the sentence back.
    static func reconstruction(_ ids: [[Int32]], _ trained: TrainedModel) -> (ReconstructionScore, CorpusBLEU) {
        let posteriors = trained.encode(ids)
        let classes = trained.classes == 0 ? nil : posteriors.mostLikelyClasses.flatMap(trained.oneHot)
        let decoded = trained.decodeGreedily(posteriors.mu, classes: classes, repetition: .standard)
        var score = ReconstructionScore(), bleu = CorpusBLEU()
        for (input, output) in zip(ids, decoded) {
            score.add(input: input, output: output)
            bleu.add(candidate: output, reference: input)
        }
        return (score, bleu)
    }

    func pad(_ s: String) -> String { String(repeating: " ", count: max(0, 10 - s.count)) + s }
}
