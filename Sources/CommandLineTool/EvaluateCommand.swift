import ArgumentParser
import Foundation
import TextVAE

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score a model on a text file: rec, kl, −ELBO, importance-sampled NLL, perplexity, MI, active units.",
        discussion: """
            The metrics, as the documentation's "Evaluation metrics" article defines them,
            means over the file's sentences:
              rec    reconstruction term −log p(x|z), one z ~ q(z|x) per sentence
              kl     KL(q(z|x) ‖ N(0, I))
              nelbo  rec + kl, the negative ELBO (an upper bound on nll)
              nll    −log p(x) by importance sampling with k samples per sentence
              ppl    exp(Σ nll / Σ (T + 1)), per token (word or subword piece; <eos> too)
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

            Prior samples (--samples N): the sentences that 'textvae sample -n N --seed S'
            prints are scored for how they read: the share that is degenerate when the same
            codes are decoded without the repetition rule (a 3-gram twice, or three <unk>
            in a row), distinct-1 and distinct-2 (distinct n-grams over all n-grams: low
            means the samples repeat each other), and with --lm, a language model trained
            on the same training file (textvae train TRAIN --baseline lm), their perplexity
            beside the perplexity of this file's sentences under that model:
              textvae train train.txt --baseline lm -o lm.safetensors
              textvae evaluate -m model.safetensors valid.txt --lm lm.safetensors
            Greedy decoding of a strong decoder falls into loops and picks the most
            probable words; --samples-top-p 0.9 scores samples drawn as 'textvae sample
            --top-p 0.9' draws them (the same codes and seeds, without the rule, give the
            degenerate share).

            Paths (--paths N): N pairs of this file's sentences of at most 15 words, drawn
            with --seed, joined as 'textvae interpolate' joins two sentences (5 steps,
            greedy): the share of paths that start and end at exactly their two sentences,
            the distinct sentences a path passes through, the words changed from one step
            to the next (edit distance), and the share of paths whose distance from their
            first line never falls.

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
    var importanceSamples = 500

    @Option(
        name: .customLong("samples"),
        help:
            "Also score this many prior samples: degenerate share, distinct-1/2, and with --lm their perplexity (default: 1000 with --lm or --samples-top-p, else none)."
    )
    var priorSamples: Int?

    @Option(
        name: .customLong("samples-top-p"),
        help: ArgumentHelp(
            "Draw the prior samples' words from the nucleus of this probability, as 'textvae sample --top-p P' does, instead of decoding greedily.",
            valueName: "p")
    )
    var samplesTopP: Float?

    @Option(
        name: .customLong("lm"),
        help:
            "A language model trained on the same training file (textvae train TRAIN --baseline lm) that scores the prior samples and this file's sentences."
    )
    var languageModel: String?

    @Option(
        name: .customLong("paths"),
        help:
            "Also decode this many homotopies, as 'textvae interpolate' prints them, between pairs of this file's sentences of at most \(Self.pathMaxWords) words: ends given back exactly, distinct sentences, how gradually they move (default: none)."
    )
    var paths: Int?

    @OptionGroup var refinement: RefineOption

    @OptionGroup(title: "Output (json: one JSON object)") var output: FormatOptions

    @Option(help: "Random seed for the samples.")
    var seed: UInt64 = 0

    @OptionGroup(title: "Labels (a model with classes)") var gold: LabelInputOptions

    func validate() throws {
        try gold.check()
        _ = try output.chosen([.text, .json])
        if importanceSamples < 1 || importanceSamples > 1_000_000 { throw ValidationError("-k must be between 1 and 1000000") }
        if let n = priorSamples, n < 1 || n > 1_000_000 { throw ValidationError("--samples must be between 1 and 1000000") }
        if let p = samplesTopP, !(p > 0 && p <= 1) { throw ValidationError("--samples-top-p must be more than 0 and at most 1 (try 0.9)") }
        if let n = paths, n < 1 || n > 100_000 { throw ValidationError("--paths must be between 1 and 100000") }
        try refinement.check()
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
            "importance sampling (k = \(importanceSamples)\(trained.classes > 0 ? ", summing over \(trained.classes) classes" : ""))")
        var r = trained.model.evaluate(ids, labels: labels, samples: importanceSamples, seed: seed, workspace: trained.workspace) {
            done, total in
            bar.update(done, of: total)
        }
        r.countWords(ids.map(trained.vocabulary.wordCount))
        bar.finish()
        let unknown = Vocabulary.unknownShare(ids)  // what the vocabulary leaves out: figures compare only at equal shares
        let reconstruction = trained.isLanguageModel ? nil : Self.reconstruction(ids, trained, refinement: refinement)
        let geometry = trained.isLanguageModel ? nil : trained.latentGeometry(ids, seed: seed)
        let quality = try sampleQuality(trained, reference: ids)
        if paths != nil && trained.isLanguageModel {
            throw TextVAEError.modelLacks("\(model.model) is a language model without a latent: it has no paths; leave out --paths")
        }
        let pathQuality = paths.flatMap {
            trained.pathQuality(
                ids, count: $0, steps: Interpolation.defaultSteps, maxWords: Self.pathMaxWords, seed: seed, refine: refinement.refine)
        }
        if paths != nil && pathQuality == nil {
            warn("note: fewer than two sentences of 1 to \(Self.pathMaxWords) words in \(file): no paths to score")
        }
        let figures = Figures(
            report: r, unknownShare: unknown, reconstruction: reconstruction, geometry: geometry, samples: quality, paths: pathQuality)
        if try output.chosen([.text, .json]) == .json {
            print(json(figures, classes: trained.classes, precision: trained.scoringPrecision))
        } else {
            printText(figures, classes: trained.classes, precision: trained.scoringPrecision)
        }
    }

    /// The longest sentences, in tokens, that `--paths` joins: what users type to `interpolate` is short.
    static let pathMaxWords = 15

    /// How the prior samples read (nil when none of --samples, --samples-top-p and --lm is given).
    func sampleQuality(_ trained: TrainedModel, reference: [[Int32]]) throws -> SampleQuality? {
        guard priorSamples != nil || languageModel != nil || samplesTopP != nil else { return nil }
        var scorer: TrainedModel?
        if let path = languageModel {
            let lm = try TrainedModel.load(path, threads: trained.threads)
            guard lm.isLanguageModel else {
                throw TextVAEError.invalidInput(
                    "--lm \(path) has a latent, so it cannot give an exact perplexity; train a language model on the same "
                        + "training file with: textvae train TRAIN --baseline lm -o lm.safetensors")
            }
            if lm.vocabulary != trained.vocabulary {
                warn("note: \(path) has another vocabulary than \(model.model); the samples' words are looked up in it")
            }
            scorer = lm
        }
        return trained.sampleQuality(
            count: priorSamples ?? 1000, seed: seed, languageModel: scorer, reference: reference, topP: samplesTopP)
    }

    /// How the greedy decoding of each sentence's posterior mean (with its most likely class, in a model with
    /// classes; the repetition rule on, as `reconstruct` decodes by default) gives the sentence back.
    static func reconstruction(_ ids: [[Int32]], _ trained: TrainedModel, refinement: RefineOption) -> (ReconstructionScore, CorpusBLEU) {
        let posteriors = trained.encode(ids)
        let mostLikely = trained.classes == 0 ? nil : posteriors.mostLikelyClasses
        let z = trained.refinedMeans(ids, posteriors, steps: refinement.refine)
        let decoded = trained.decodeGreedily(z, classes: mostLikely?.flatMap(trained.oneHot), repetition: .standard)
        var score = ReconstructionScore(), bleu = CorpusBLEU()
        for (input, output) in zip(ids, decoded) {
            score.add(input: input, output: output)
            bleu.add(candidate: output, reference: input)
        }
        return (score, bleu)
    }

    func pad(_ s: String) -> String { String(repeating: " ", count: max(0, 10 - s.count)) + s }
}
