import ArgumentParser
import Foundation
import TextVAE

struct AnalogyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analogy",
        abstract: "Move a sentence along an attribute vector (mean of B minus mean of A) and decode it.",
        discussion: """
            Encodes the sentences of --from (A, without the attribute) and --to (B, with
            it) and takes the difference of their mean posterior means as the attribute
            vector v. Then adds s·v to the sentence's posterior mean for each scale s and
            decodes greedily. Scale 0 is the sentence's own reconstruction, 1 moves it as
            far as A's centre is from B's; larger scales exaggerate. Tens of sentences per
            side give a steadier vector than a handful.

            Examples:
              textvae analogy -m model.safetensors --from present.txt --to past.txt "he walks to the store"
              textvae analogy -m model.safetensors --from short.txt --to long.txt "a dog" --scale 0,1,2,3
              textvae analogy -m model.safetensors --from a.txt --to b.txt "a dog" --scale=-1,0,1   # '=' before a minus
            """
    )

    @OptionGroup var modelArgument: ModelArgument

    @Argument(help: "The sentence to move.")
    var sentence: String

    @Option(help: "Sentences without the attribute (A), one per line.")
    var from: String

    @Option(help: "Sentences with the attribute (B), one per line.")
    var to: String

    @Option(help: "Scales s of the vector, comma-separated or repeated (z = μ + s·v).")
    var scale: [String] = ["0,0.5,1,1.5,2"]

    @OptionGroup var length: LengthOptions

    @OptionGroup(title: "Output (jsonl: one object per scale, with scale and text)") var output: FormatOptions

    var scales: [Float] {
        scale.flatMap { $0.split(separator: ",") }.compactMap { Float($0.trimmingCharacters(in: .whitespaces)) }
    }

    func validate() throws {
        try modelArgument.check()
        try length.check()
        _ = try output.chosen([.text, .jsonl])
        let parts = scale.flatMap { $0.split(separator: ",") }
        if parts.isEmpty || parts.count != scales.count || !scales.allSatisfy(\.isFinite) {
            throw ValidationError("--scale takes numbers, e.g. --scale 0,0.5,1 or --scale 1 --scale 2")
        }
    }

    func run() throws {
        let trained = try modelArgument.load()
        try trained.requireLatent(for: "solve analogies")
        let query = try trained.requireTokens(sentence)
        if let note = try trained.unknownWordsNote(sentence) { warn(note) }
        let a = try SentenceFile.read(from, model: trained), b = try SentenceFile.read(to, model: trained)
        for note in a.notes + b.notes { warn("note: \(note)") }
        let v = AttributeVector(from: trained.means(a.tokens), to: trained.means(b.tokens), dimension: trained.latent)
        let mu = trained.means([query])
        let muNorm = mu.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        let format = try output.chosen([.text, .jsonl])
        warn(
            "attribute vector: mean μ of \(to) (\(b.count) sentences) − mean μ of \(from) (\(a.count)); "
                + String(format: "‖v‖ = %.3f, ‖μ(sentence)‖ = %.3f", v.norm, muNorm))
        let z = scales.flatMap { v.shift(mu, scale: $0) }
        let decoded = trained.decodeGreedily(
            z, maxLength: length.maxLength, forbidUnknown: length.noUnk,
            repetition: length.repetition)
        let width = scales.map { String(format: "%g", Double($0)).count }.max() ?? 1
        for (s, tokens) in zip(scales, decoded) {
            if format == .jsonl {
                print(JSON.object([("scale", JSON.number(s)), ("text", JSON.string(trained.text(tokens)))]))
                continue
            }
            let label = String(format: "%g", Double(s))
            print("scale " + String(repeating: " ", count: width - label.count) + label + "  " + trained.text(tokens))
        }
    }
}
