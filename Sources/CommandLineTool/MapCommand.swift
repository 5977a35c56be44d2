import ArgumentParser
import Foundation
import TextVAE

struct MapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "Draw a file's sentences as points in the model's latent space (PCA of posterior means).",
        discussion: """
            Encodes every sentence to its posterior mean μ, finds the two principal axes of
            the means (PCA computed here, no library), and draws one dot per sentence in
            that plane, the sentence as the dot's tooltip (hover in a browser). Prints the
            share of μ's variance the two axes explain: a low share means the picture shows
            only part of the structure.

            Labels colour the dots. Either the file is tab-separated with a label column
            (label<TAB>sentence: --label-column 1; the sentence is the last other column,
            or --text-column N), or --label-file FILE gives one label per line, line for
            line. Without labels, a model with classes (trained with labels or --classes)
            colours the dots by its own most likely class, "NAME (model)". --tsv writes the
            same coordinates as x, y, label, sentence for Python:
              pd.read_csv("map.tsv", sep="\\t", quoting=3)

            Examples:
              textvae map -m model.safetensors valid.txt -o map.svg
              textvae map -m model.safetensors labelled.tsv --label-column 1 -o map.svg --tsv map.tsv
              textvae map -m model.safetensors sentences.txt --label-file topics.txt
            """
    )

    @OptionGroup var modelArgument: ModelArgument

    @Argument(help: "Sentences, one per line (or tab-separated columns with --label-column).")
    var file: String

    @Option(name: .shortAndLong, help: "Where to write the SVG.")
    var output: String = "map.svg"

    @Option(help: "The 1-based tab-separated column that holds each line's label.")
    var labelColumn: Int?

    @Option(help: "The 1-based tab-separated column that holds the sentence (default: the last column that is not the label).")
    var textColumn: Int?

    @Option(help: ArgumentHelp("A file with one label per line of FILE, line for line.", valueName: "file"))
    var labelFile: String?

    /// `--labels FILE`, renamed `--label-file` in 0.7.0: refused with the new name.
    @Option(name: .customLong("labels"), help: .hidden)
    var renamedLabels: String?

    @Option(help: "Also write the coordinates as tab-separated x, y, label, sentence.")
    var tsv: String?

    @Option(help: "Use only the first N sentences (0 = all).")
    var limit = 0

    @Flag(help: "Drop lines that are not valid UTF-8 (and count them) instead of stopping.")
    var skipInvalid = false

    func validate() throws {
        try modelArgument.check()
        try RenamedFlag.refuse(renamedLabels, old: "--labels", new: "--label-file", valueName: "FILE")
        if labelColumn != nil && labelFile != nil { throw ValidationError("give either --label-column or --label-file, not both") }
        if let c = labelColumn, c < 1 {
            throw ValidationError("--label-column counts from 1, e.g. --label-column 1 for label<TAB>sentence")
        }
        if let c = textColumn, c < 1 { throw ValidationError("--text-column counts from 1") }
        if let l = labelColumn, l == textColumn { throw ValidationError("--label-column and --text-column must differ") }
        if limit < 0 { throw ValidationError("--limit must be 0 (all) or more") }
        if !output.lowercased().hasSuffix(".svg") { throw ValidationError("--output should end in .svg, e.g. -o map.svg") }
    }

    func run() throws {
        let trained = try modelArgument.load()
        try trained.requireLatent(for: "draw a latent map")
        var input = try SentenceFile.read(
            file, model: trained, columns: .init(label: labelColumn, text: textColumn),
            labelsFile: labelFile, skipInvalid: skipInvalid)
        if limit > 0 && input.count > limit {
            input.texts = Array(input.texts.prefix(limit))
            input.tokens = Array(input.tokens.prefix(limit))
            input.labels = input.labels.map { Array($0.prefix(limit)) }
        }
        for note in input.notes { warn("note: \(note)") }
        if input.count < 3 { throw TextVAEError.file("\(file): \(input.count) sentences are too few for a map; give at least 3") }
        let posteriors = trained.encode(input.tokens)
        let means = posteriors.mu
        if input.labels == nil && trained.classes > 0 {
            // No labels given: colour by the model's own, the most likely class under q(c|x).
            input.labels = posteriors.mostLikelyClasses.map { "\(trained.classNames[$0]) (model)" }
        }
        let map = LatentMap(means: means, dimension: trained.latent, texts: input.texts, labels: input.labels)
        let title =
            "Latent map: " + URL(fileURLWithPath: file).lastPathComponent + " under "
            + URL(fileURLWithPath: modelArgument.model).lastPathComponent
        try map.svg(title: title).write(to: output)
        if let tsv { try AtomicFile.write(Data(map.tsv.utf8), to: tsv) }
        let (a, b) = map.shares
        let say = summary(writing: output, tsv)
        say(
            "wrote \(output)\(tsv.map { " and \($0)" } ?? ""): \(input.count) sentences"
                + (map.labels == nil ? "" : ", \(Set(map.labels!).count) labels"))
        say(
            String(
                format: "PC1 explains %.1f%% of the variance of the posterior means, PC2 %.1f%% (together %.1f%%; Z = %d)",
                100 * a, 100 * b, 100 * (a + b), trained.latent))
    }
}
