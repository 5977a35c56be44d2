import ArgumentParser
import Foundation
import TextVAE

enum EncodeFormat: String, ExpressibleByArgument, CaseIterable { case tsv, jsonl, npy }

struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Write each sentence's posterior mean μ (and log σ² with --logv).",
        discussion: """
            One row per sentence that has tokens (blank lines are skipped, and lines
            without tokens are reported on stderr, so rows may be fewer than lines).
              tsv    Z numbers per row, tab-separated (then Z log-variances with --logv)
              jsonl  {"line", "text", "mu"[, "logv"][, "z"]} per row: the line number
                     keeps rows and input lines matched
              npy    a NumPy array, float32, shape (N, Z) or (N, 2Z) with --logv;
                     needs -o (numpy.load("codes.npy"))

            Examples:
              textvae encode -m model.safetensors valid.txt -o codes.npy
              textvae encode -m model.safetensors valid.txt --format jsonl --logv | head -2
              echo "a sentence ." | textvae encode -m model.safetensors -

            The format follows -o's extension (.npy, .jsonl, .tsv) unless --format says
            otherwise. Files are written atomically: a reader never sees half of one.

            --refine N writes codes that give the sentences back where μ does not (as
            reconstruct --refine N finds them): in tsv and npy in place of μ, in jsonl as
            "z" beside "mu".
            """
    )

    @OptionGroup var model: ModelArgument

    @Argument(help: "Sentences, one per line ('-' or nothing: standard input).")
    var file = "-"

    @Flag(help: "Read running text as 'train --paragraphs' does: paragraphs separated by blank lines, split into sentences.")
    var paragraphs = false

    @Option(help: "Output format: tsv, jsonl or npy (default: from -o's extension, else tsv).")
    var format: EncodeFormat?

    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
    var output: String?

    @Flag(help: "Also write the log-variances log σ².")
    var logv = false

    @OptionGroup var refinement: RefineOption

    var resolvedFormat: EncodeFormat {
        if let format { return format }
        switch output.map({ URL(fileURLWithPath: $0).pathExtension.lowercased() }) {
        case "npy": return .npy
        case "jsonl", "json": return .jsonl
        default: return .tsv
        }
    }

    func validate() throws {
        try model.check()
        try refinement.check()
        if resolvedFormat == .npy && output == nil {
            throw ValidationError("--format npy writes a binary file: give it a name with -o, e.g. -o codes.npy")
        }
    }

    func run() throws {
        if let output { try refuseOutputThatIsAnInput(output, inputs: [(model.model, "the model"), (file, "the input")]) }
        let trained = try model.load()
        try trained.requireLatent(for: "encode sentences")
        let input = try model.readInput(file, for: trained, paragraphs: paragraphs)
        let Z = trained.model.config.latent
        let posteriors = trained.encode(input.ids)
        let N = posteriors.count
        // Refined codes, as reconstruct --refine finds them (its default decoding: greedy, the repetition rule on).
        let refined = refinement.refine == 0 ? nil : trained.refinedMeans(input.ids, posteriors, steps: refinement.refine)
        func code(_ i: Int) -> ArraySlice<Float> { refined.map { $0[i * Z..<(i + 1) * Z] } ?? posteriors.mu(i) }
        let data: Data
        switch resolvedFormat {
        case .npy:
            var values = [Float]()
            values.reserveCapacity(N * Z * (logv ? 2 : 1))
            for i in 0..<N {
                values += code(i)
                if logv { values += posteriors.logv(i) }
            }
            data = NPY.encode(rows: N, columns: logv ? 2 * Z : Z, values: values)
        case .tsv:
            var text = ""
            for i in 0..<N {
                let row = logv ? Array(code(i)) + posteriors.logv(i) : Array(code(i))
                text += row.map { "\($0)" }.joined(separator: "\t") + "\n"
            }
            data = Data(text.utf8)
        case .jsonl:
            var text = ""
            for (i, s) in input.sentences.enumerated() {
                var pairs = [("line", String(s.line)), ("text", JSON.string(trained.text(s))), ("mu", JSON.array(posteriors.mu(i)))]
                if logv { pairs.append(("logv", JSON.array(posteriors.logv(i)))) }
                if refined != nil { pairs.append(("z", JSON.array(code(i)))) }
                text += JSON.object(pairs) + "\n"
            }
            data = Data(text.utf8)
        }
        if let output {
            try AtomicFile.write(data, to: output)
            let say = summary(writing: output)
            let codes = refined == nil ? "μ" : "codes refined by \(refinement.refine) steps"
            say("wrote \(output): \(N) rows × \(logv ? 2 * Z : Z) (\(resolvedFormat.rawValue), \(codes)\(logv ? " then log σ²" : ""))")
        } else {
            FileHandle.standardOutput.write(data)
        }
    }
}
