import ArgumentParser
import Foundation
import TextVAE

enum DecoderName: String, ExpressibleByArgument, CaseIterable { case greedy, sample, beam }

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Generate sentences from the prior: z ~ N(0, I), then decode.",
        discussion: """
            Prints one sentence per line. The same --seed gives the same sentences, and the
            first n sentences of a larger -n are the same as with -n n.

            Decoders:
              greedy  the most probable word at each step (default)
              sample  draw each word; --temperature (<1 sharper, >1 wilder), --top-k,
                      --top-p (nucleus) narrow the choice
              beam    beam search with --beam-width hypotheses; prints the best one
                      (jsonl lists them all with their log-probabilities)

            Examples:
              textvae sample -m model.safetensors -n 10
              textvae sample -m model.safetensors -n 5 --decoder sample --top-p 0.9 --seed 7
              textvae sample -m model.safetensors --decoder beam --beam-width 5 --format jsonl

            Every decoder follows one rule by default: a word that would repeat a 3-gram of
            its sentence, or make a third <unk> in a row, is not chosen (the next best word
            is). Without it, greedy decoding from some z falls into loops such as "the
            <unk> <unk> <unk> ..." that it never leaves: 358 of 1,000 greedy samples of a
            Penn Treebank model trained with the PyTorch reference's settings. --raw shows
            the model's own choices; --stats counts the degenerate sentences (a 3-gram
            twice, or three <unk> in a row). log_prob is always the model's own.
            The stronger the decoder, the more greedy decoding loops: without the rule,
            646 of 1,000 greedy samples of a Penn Treebank model trained with --preset
            large, against 45 of 1,000 drawn with --top-p 0.9, which also read more like
            real text: read such a model with --top-p 0.9.

            With --format jsonl each line is {"text", "tokens", "log_prob", "length_cap",
            "z"}: log_prob is log p(sentence + <eos> | z) under the model (untempered).
            """
    )

    @OptionGroup var model: ModelArgument

    @Option(name: .customShort("n"), help: "Number of sentences.")
    var count = 10

    @Option(help: "Random seed for z (and for --decoder sample).")
    var seed: UInt64 = 0

    @Option(
        help:
            "How to choose words: \(DecoderName.allCases.map(\.rawValue).joined(separator: ", ")) (default: greedy; sample when --temperature, --top-k or --top-p is given; beam with --beam-width)."
    )
    var decoder: DecoderName?

    @Option(help: "Sampling temperature (> 0).")
    var temperature: Float?

    @Option(help: "Sample among the k most probable words only (0 = all).")
    var topK: Int?

    @Option(help: "Sample among the most probable words that together reach this probability (0 < p ≤ 1).")
    var topP: Float?

    @Option(help: "Hypotheses kept by beam search (default 5).")
    var beamWidth: Int?

    @OptionGroup var length: LengthOptions

    @OptionGroup(title: "Classes") var classOptions: ClassOptions

    @OptionGroup(title: "Output (jsonl adds tokens, z, the log-probability, and the class for a model with classes)") var output:
        FormatOptions

    @Flag(help: "On stderr, after the sentences: how many are degenerate (a 3-gram twice, or three <unk> in a row).")
    var stats = false

    @Flag(help: "On stderr: how long loading and decoding took, and the BLAS kernel.")
    var verbose = false

    func validate() throws {
        if count < 1 || count > 10_000_000 { throw ValidationError("-n must be between 1 and 10000000") }
        try model.check()
        try length.check()
        try classOptions.check()
        _ = try output.chosen([.text, .jsonl])
        _ = try decodingMethod()
    }

    /// The method the options ask for; conflicting options are an error that says which to drop.
    func decodingMethod() throws -> DecodingMethod {
        let choice = DecodingChoice(decoder: decoder?.rawValue, temperature: temperature, topK: topK, topP: topP, beamWidth: beamWidth)
        do {
            return try choice.method { "--" + $0.replacingOccurrences(of: "_", with: "-") }
        } catch let error as TextVAEError {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        let began = Date()
        let file = try model.load()
        let loadSeconds = Date().timeIntervalSince(began)
        var decodeSeconds = 0.0
        let Z = file.model.config.latent
        let options = DecodingOptions(
            method: try decodingMethod(), maxLength: length.maxLength, forbidUnknown: length.noUnk,
            repetition: length.repetition)
        if file.isLanguageModel, case .greedy = options.method, count > 1 {
            warn(
                "note: \(model.model) is a language model without a latent, so greedy decoding gives the same sentence every time; "
                    + "sample words instead (--decoder sample)")
        }
        var rng = Random(seed: seed)
        // A model with classes: every sentence of the asked class, or each of a class drawn uniformly.
        let K = file.classes
        let sampleClasses = file.priorClasses(count: count, seed: seed, fixed: try classOptions.resolve(file))
        let format = try output.chosen([.text, .jsonl])
        var out = OutputBuffer()
        var degenerate = 0
        let batchRows = SentenceVAE.decodingBatchSize  // how much output is written at a time (decode splits further for beams)
        for start in stride(from: 0, to: count, by: batchRows) {
            let rows = min(batchRows, count - start)
            let z = (0..<rows * Z).map { _ in rng.normal() }
            let rowClasses = K == 0 ? [] : Array(sampleClasses[start..<start + rows])
            let decodeStart = Date()
            let decoded = file.decode(
                z, classes: K == 0 ? nil : rowClasses.flatMap(file.oneHot), options: options,
                rowSeeds: SentenceVAE.rowSeeds(seed, rows: start..<start + rows))
            decodeSeconds += Date().timeIntervalSince(decodeStart)
            for (r, hypotheses) in decoded.enumerated() {
                let best = hypotheses[0]
                if RepetitionRule.isDegenerate(best.tokens) { degenerate += 1 }
                switch format {
                case .text:
                    out.line(file.text(best.tokens))
                case .jsonl, .json:
                    var pairs = fields(best, file)
                    pairs.append(("z", JSON.array(z[r * Z..<(r + 1) * Z])))
                    if K > 0 { pairs.append(("class", JSON.string(file.classNames[rowClasses[r]]))) }
                    if case .beam = options.method {
                        pairs.append(("beam", "[" + hypotheses.map { JSON.object(fields($0, file)) }.joined(separator: ",") + "]"))
                    }
                    out.line(JSON.object(pairs))
                }
            }
        }
        out.flush()
        if stats {
            warn(
                "degenerate: \(degenerate) of \(count) (\(f(100 * Double(degenerate) / Double(count), 1))%): a 3-gram twice, or three <unk> in a row"
                    + (length.raw ? "" : " (the repetition rule was on; --raw counts the model's own choices)"))
        }
        if verbose {
            warn(
                "loaded \(model.model) in \(f(loadSeconds * 1000, 1)) ms; decoded \(count) sentences in \(f(decodeSeconds * 1000, 1)) ms "
                    + "(\(f(Double(count) / decodeSeconds, 1)) sentences/s, batches of \(SentenceVAE.decodingRows(options.method))); "
                    + "\(BLAS.description(threads: file.threads)); \(BF16OutputLayer.description); "
                    + "\(f(Date().timeIntervalSince(began) * 1000, 1)) ms in all")
        }
    }

    func fields(_ h: Hypothesis, _ file: TrainedModel) -> [(String, String)] {
        [
            ("text", JSON.string(file.text(h.tokens))),
            ("tokens", "[" + h.tokens.map { JSON.string(file.vocabulary.tokens[Int($0)]) }.joined(separator: ",") + "]"),
            ("log_prob", JSON.number(h.logProbability)),
            ("length_cap", h.reachedLengthCap ? "true" : "false"),
        ]
    }
}
