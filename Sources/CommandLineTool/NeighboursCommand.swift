import ArgumentParser
import Foundation
import TextVAE

extension DistanceMetric: ExpressibleByArgument {}

struct NeighboursCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "neighbours",
        abstract: "List the sentences of a file whose posterior means are nearest to a sentence's.",
        discussion: """
            Encodes the sentence and every line of FILE to their posterior means μ and
            prints the k nearest, nearest first, with their distance and line number.
            Cosine distance (1 − cos) compares directions and is the default; Euclidean
            distance also counts how far from the origin (the prior's mean) a point is.

            Examples:
              textvae neighbours -m model.safetensors "the cat sat on the mat" --in valid.txt
              textvae neighbours -m model.safetensors "a happy child" --in corpus.txt -k 20 --metric euclidean
            """,
        aliases: ["neighbors"]
    )

    @OptionGroup var modelArgument: ModelArgument

    @Argument(help: "The sentence to find neighbours of.")
    var sentence: String

    @Option(name: .customLong("in"), help: "File of candidate sentences, one per line.")
    var file: String

    @Option(name: .customShort("k"), help: "How many neighbours to list.")
    var count = 10

    @Option(help: "Distance: \(DistanceMetric.allCases.map(\.rawValue).joined(separator: " or ")).")
    var metric: DistanceMetric = .cosine

    @Flag(help: "Drop lines that are not valid UTF-8 (and count them) instead of stopping.")
    var skipInvalid = false

    @OptionGroup(title: "Output (jsonl: one object per neighbour, with rank, distance, line and text)") var output: FormatOptions

    func validate() throws {
        try modelArgument.check()
        if count < 1 { throw ValidationError("-k must be at least 1") }
        _ = try output.chosen([.text, .jsonl])
    }

    func run() throws {
        let trained = try modelArgument.load()
        try trained.requireLatent(for: "find neighbours")
        let query = try trained.requireTokens(sentence)
        if let note = try trained.unknownWordsNote(sentence) { warn(note) }
        let input = try SentenceFile.read(file, model: trained, skipInvalid: skipInvalid)
        for note in input.notes { warn("note: \(note)") }
        let z = trained.means([query])
        let means = trained.means(input.tokens)
        let found = Neighbours.nearest(to: z, among: means, dimension: trained.latent, k: count, metric: metric)
        let format = try output.chosen([.text, .jsonl])
        warn("\(found.count) nearest of \(input.count) sentences in \(file) to \"\(sentence)\" (\(metric.rawValue) distance of μ):")
        let lineWidth = String(input.lineNumbers.last ?? 1).count
        for (rank, hit) in found.enumerated() {
            if format == .jsonl {
                print(
                    JSON.object([
                        ("rank", String(rank + 1)), ("distance", JSON.number(hit.distance)),
                        ("line", String(input.lineNumbers[hit.index])), ("text", JSON.string(input.texts[hit.index])),
                    ]))
                continue
            }
            let line = String(input.lineNumbers[hit.index])
            print(
                String(format: "%3d  %8.4f  ", rank + 1, hit.distance)
                    + "line " + String(repeating: " ", count: lineWidth - line.count) + line + "  " + input.texts[hit.index])
        }
    }
}
