import ArgumentParser
import Foundation
import TextVAE

struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Label each sentence with q(c|x), for a model trained with labels (or --classes).",
        discussion: """
            Prints, per sentence, the most likely class under the model's q(c|x), its
            probability, a tab and the sentence; with --format jsonl, one JSON object per
            line with every class's probability. The encoder alone runs: it is fast.

            With gold labels (--label-column or --label-file, as 'map' and 'train' read
            them), it also prints a table of gold labels (rows) against the model's classes
            (columns) and their normalised mutual information; when the labels are the
            model's classes, the accuracy too, and what always guessing the most common
            gold label would score. For classes learned without labels (--classes), the
            table shows what each class captures.

            Examples:
              textvae classify -m pos.safetensors sentences.txt
              textvae classify -m pos.safetensors held-out.tsv --label-column 1 --quiet
              textvae classify -m pos.safetensors held-out.tsv --label-column 1 --format jsonl > q.jsonl
            """
    )

    @OptionGroup var model: ModelArgument

    @Argument(help: "Sentences, one per line (or tab-separated columns with --label-column; '-': standard input).")
    var file: String

    @OptionGroup(title: "Gold labels") var gold: LabelInputOptions

    @OptionGroup(title: "Output (jsonl adds every class's probability, and the gold label)") var output: FormatOptions

    @Flag(help: "Print only the score (with gold labels), not a line per sentence.")
    var quiet = false

    @Flag(help: "Drop lines that are not valid UTF-8 (and count them) instead of stopping.")
    var skipInvalid = false

    func validate() throws {
        try model.check()
        try gold.check()
        _ = try output.chosen([.text, .jsonl])
        if quiet && !gold.given {
            throw ValidationError("--quiet prints only the score, which needs gold labels (--label-column or --label-file)")
        }
    }

    func run() throws {
        let trained = try model.load()
        try trained.requireLatent(for: "classify")
        guard trained.classes > 0 else {
            throw TextVAEError.modelLacks(
                "\(model.model) has no classes: train with labels (--label-column or --label-file) or with --classes K to classify")
        }
        let input = try SentenceFile.read(file, model: trained, columns: gold.columns, labelsFile: gold.labelFile, skipInvalid: skipInvalid)
        for note in input.notes { warn("note: \(note)") }
        let posteriors = trained.encode(input.tokens)
        let predicted = posteriors.mostLikelyClasses, names = trained.classNames
        let format = try output.chosen([.text, .jsonl])
        var out = OutputBuffer()
        if !quiet {
            for i in 0..<input.count {
                let q = posteriors.classProbabilities(i), k = predicted[i]
                switch format {
                case .text:
                    out.line("\(names[k])\t\(f(Double(q[q.startIndex + k]), 4))\t\(input.texts[i])")
                case .jsonl, .json:
                    var pairs: [(String, String)] = [
                        ("line", String(input.lineNumbers[i])), ("class", JSON.string(names[k])),
                        ("probability", JSON.number(q[q.startIndex + k])),
                        ("probabilities", JSON.object(zip(names, q).map { ($0, JSON.number($1)) })),
                        ("text", JSON.string(input.texts[i])),
                    ]
                    if let labels = input.labels { pairs.append(("gold", JSON.string(labels[i]))) }
                    out.line(JSON.object(pairs))
                }
            }
        }
        out.flush()
        guard let labels = input.labels else { return }
        // Gold labels in the model's class order first, then any others in order of appearance; "(no label)" left out.
        var goldNames = names.filter(labels.contains)
        for label in labels where label != "(no label)" && !goldNames.contains(label) { goldNames.append(label) }
        guard !goldNames.isEmpty else { throw TextVAEError.file("\(file): every line's label is empty; give gold labels to score against") }
        var matrix = ConfusionMatrix(goldNames: goldNames, predictedNames: names)
        for (label, p) in zip(labels, predicted) { if let g = goldNames.firstIndex(of: label) { matrix.add(gold: g, predicted: p) } }
        let say: (String) -> Void = quiet || format == .text ? { print($0) } : { warn($0) }
        let others = goldNames.filter { !names.contains($0) }
        if let accuracy = matrix.accuracy {
            say(
                "accuracy \(f(100 * accuracy, 2))% (\(matrix.correct) of \(matrix.total) labelled sentences); "
                    + "always guessing the most common gold label: \(f(100 * matrix.majorityShare, 2))%"
                    + (others.isEmpty
                        ? "" : " (labels that are not classes of the model count as wrong: \(others.prefix(5).joined(separator: ", ")))"))
        }
        say("normalised mutual information between the gold labels and the model's classes: \(f(matrix.normalisedMutualInformation, 4))")
        say(matrix.table)
    }
}
