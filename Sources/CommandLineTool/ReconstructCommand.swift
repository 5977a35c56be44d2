import ArgumentParser
import Foundation
import TextVAE

struct ReconstructCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconstruct",
        abstract: "Encode each sentence and decode it again, to see what the code keeps.",
        discussion: """
            Prints, per sentence, the input as the model sees it (tokenised, unknown words
            as <unk>), a tab, and the greedy decoding of its posterior mean (or of one z ~
            q(z|x) with --sample). Reads FILE, or standard input for '-' or none.

            Examples:
              textvae reconstruct -m model.safetensors valid.txt | head
              echo "the cat sat on the mat ." | textvae reconstruct -m model.safetensors
              textvae reconstruct -m model.safetensors valid.txt --stats --sample --seed 1
              textvae reconstruct -m model.safetensors valid.txt --stats --refine 20

            --stats adds two '#' lines on stderr: the share of sentences reconstructed
            exactly, and the token accuracy (position by position, <eos> included, over all
            T + 1 targets of the inputs).
            """
    )

    @OptionGroup var model: ModelArgument

    @Argument(help: "Sentences, one per line ('-' or nothing: standard input).")
    var file = "-"

    @Flag(help: "Read running text as 'train --paragraphs' does: paragraphs separated by blank lines, split into sentences.")
    var paragraphs = false

    @Flag(help: "Decode one z ~ q(z|x) instead of the posterior mean.")
    var sample = false

    @Option(help: "Random seed for --sample.")
    var seed: UInt64 = 0

    @Flag(help: "Print the exact-match share and the token accuracy.")
    var stats = false

    @OptionGroup var refinement: RefineOption

    @OptionGroup var length: LengthOptions

    @OptionGroup(title: "Classes") var classOptions: ClassOptions

    @OptionGroup(title: "Output (jsonl: one object per sentence, with its line, input and output)") var output: FormatOptions

    func validate() throws {
        try length.check()
        try refinement.check()
        if sample && refinement.refine > 0 { throw ValidationError("--refine refines the posterior mean: leave out --sample") }
        try classOptions.check()
        try model.check()
        _ = try output.chosen([.text, .jsonl])
    }

    func run() throws {
        let trained = try model.load()
        try trained.requireLatent(for: "reconstruct sentences")
        let input = try model.readInput(file, for: trained, paragraphs: paragraphs)
        let posteriors = trained.encode(input.ids)
        let options = DecodingOptions(
            method: .greedy, maxLength: length.maxLength, forbidUnknown: length.noUnk,
            repetition: length.repetition)
        // A model with classes keeps each sentence's most likely class, or takes the one asked for (its z kept:
        // style or topic transfer).
        let asked = try classOptions.resolve(trained)
        let classes = trained.classes == 0 ? nil : (asked.map { k in input.ids.map { _ in k } } ?? posteriors.mostLikelyClasses)
        var rng = Random(seed: seed)
        let z: [Float]
        if sample {
            z = posteriors.draw(&rng)
        } else {
            z = refinement.codes(posteriors.mu, of: input.ids, classes: classes, model: trained, options: options)
        }
        var out = OutputBuffer()
        var score = ReconstructionScore()
        let decoded = trained.decode(z, classes: classes?.flatMap(trained.oneHot), options: options)
        let format = try output.chosen([.text, .jsonl])
        for (sentence, hypotheses) in zip(input.sentences, decoded) {
            let output = hypotheses[0].tokens
            if format == .jsonl {
                out.line(
                    JSON.object([
                        ("line", String(sentence.line)), ("input", JSON.string(trained.text(sentence))),
                        ("output", JSON.string(trained.text(output))),
                    ]))
            } else {
                out.line(trained.text(sentence) + "\t" + trained.text(output))
            }
            score.add(input: sentence.ids, output: output)
        }
        out.flush()
        if stats {  // on stderr: stdout holds only the sentences
            warn("# exact \(score.exact)/\(score.sentences) (\(f(100 * score.exactShare, 1))%)")
            warn("# token accuracy \(score.correct)/\(score.targets) (\(f(100 * score.tokenAccuracy, 1))%)")
        }
    }
}
