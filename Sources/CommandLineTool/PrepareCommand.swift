import ArgumentParser
import Foundation
import TextVAE

struct PrepareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare",
        abstract: "Tokenise a corpus once into a token file, for training on corpora larger than memory.",
        discussion: """
            Reads the corpus in chunks (tokenised on every thread), builds the vocabulary,
            and writes every sentence as token ids with the vocabulary and the settings
            used. Memory stays bounded: the text and its token strings are never held
            whole, only one copy of each distinct token. 'textvae train FILE.tokens' trains
            from it, mapping the ids into memory, so that a run starts in seconds and the
            corpus need not fit in memory.

            'textvae train corpus.txt' does the same by itself: it writes MODEL.tokens next
            to the model and reuses it while the text and the settings stay the same. Use
            prepare to make the file once for several runs, or to copy it to the machines
            of a distributed run.

            A labelled corpus (--label-column, or --label-file with one label per line)
            gives a token file that carries each sentence's label: 'textvae train' on it
            trains with those labels, as on the labelled text.

            The vocabulary leaves out the sentences a run holds out for validation (every
            (1/fraction)-th; --valid-fraction, default 0.05). If the run will have its own
            validation file (--valid), give --no-hold-out so that every sentence counts.

            Examples:
              textvae prepare corpus.txt -o corpus.tokens
              textvae prepare ptb/train.txt --tokenizer whitespace --no-hold-out
              textvae prepare reviews.tsv --label-column 1
              textvae train corpus.tokens -o model.safetensors
            """
    )

    @Argument(help: "The corpus (UTF-8 text, one sentence per line, or paragraphs with --paragraphs).")
    var corpus: String

    @Option(name: .shortAndLong, help: "Where to write the token file (default: the corpus's name with .tokens, in the current folder).")
    var output: String?

    @Option(
        help:
            "Share of the sentences a run will hold out for validation; the vocabulary leaves them out (default: \(DataSettings().validFraction))."
    )
    var validFraction: Double?

    @Flag(help: "The run will have a validation file (--valid): build the vocabulary from every sentence.")
    var noHoldOut = false

    @Option(help: "Use this vocabulary file instead of building one.")
    var vocab: String?
    @Option(
        help: ArgumentHelp(
            "Vocabulary: leave out tokens seen fewer times; auto: 2 when the words seen twice or more cover 95% of the training tokens, else 1 (default: auto).",
            valueName: "n|auto"))
    var minCount: CountOrAuto?
    @Option(help: "Vocabulary: at most this many words, plus 4 specials (default: \(DataSettings().maxSize)).")
    var maxSize: Int?
    @Option(help: "A subword (byte-pair) vocabulary of about this many pieces, specials included, instead of words.")
    var subwords: Int?

    @OptionGroup(title: "Tokenizer") var tokenization: TokenizerOptions

    @OptionGroup(title: "Labels") var labels: LabelInputOptions

    @Option(help: "Threads that tokenise (the file does not depend on how many).")
    var threads = Workspace.defaultThreads

    func validate() throws {
        if let validFraction, !(validFraction > 0 && validFraction < 1) {
            throw ValidationError("--valid-fraction must be between 0 and 1, e.g. 0.05")
        }
        if validFraction != nil && noHoldOut { throw ValidationError("--valid-fraction and --no-hold-out contradict each other; drop one") }
        if let n = minCount?.number, n < 1 { throw ValidationError("--min-count must be at least 1, or auto") }
        if let maxSize, maxSize < 1 { throw ValidationError("--max-size must be at least 1") }
        if let subwords, subwords < 16 || subwords > 1_000_000 {
            throw ValidationError("--subwords must be between 16 and 1000000, such as 8000")
        }
        if subwords != nil && (minCount != nil || maxSize != nil) {
            throw ValidationError("--min-count and --max-size shape a vocabulary of words; with subwords, give its size with --subwords")
        }
        if vocab != nil && (subwords != nil || minCount != nil || maxSize != nil) {
            throw ValidationError("--vocab gives the vocabulary; --subwords, --min-count and --max-size would build one: drop them")
        }
        if threads < 1 || threads > 256 { throw ValidationError("--threads must be between 1 and 256") }
        try labels.check()
        if labels.given && tokenization.paragraphs {
            throw ValidationError("labels belong to lines: leave out --paragraphs when the corpus has labels")
        }
    }

    func run() throws {
        let start = Date()
        let path = output ?? URL(fileURLWithPath: corpus).deletingPathExtension().lastPathComponent + ".tokens"
        if TokenFile.isTokenFile(corpus) {
            throw ValidationError("\(corpus) is already a token file; train from it with: textvae train \(corpus)")
        }
        if let vocab { try refuseOutputThatIsAnInput(path, inputs: [(vocab, "the vocabulary")]) }
        let defaults = DataSettings()
        let given = try vocab.map { try Vocabulary.load($0) }
        let recipe = TokenFile.Recipe(
            tokenizer: tokenization.settings, paragraphs: tokenization.paragraphs, skipInvalid: tokenization.skipInvalid,
            heldOutFraction: noHoldOut ? nil : validFraction ?? defaults.validFraction,
            minCount: minCount.map { $0.number ?? Vocabulary.automaticMinCount } ?? defaults.minCount, maxSize: maxSize ?? defaults.maxSize,
            subwords: subwords,
            vocabularyFile: given.map { TokenFile.fingerprint($0.fileText) },
            labels: labels.given
                ? TokenFile.LabelReading(
                    columns: LabelledLines.Columns(label: labels.labelColumn, text: labels.textColumn),
                    labelsFile: try labels.labelFile.map { try TokenFile.Source(path: $0) })
                : nil)
        Interruption.install()
        let bar = ProgressBar("tokenising")
        let file = try ExitStatus.interruptible {
            try CorpusPreparation.prepare(corpus, to: path, recipe: recipe, vocabulary: given, threads: threads) { p in
                bar.update(Int(p.bytesRead >> 20), of: Int(max(1, p.bytes >> 20)), detail: "MB, \(p.sentences) sentences")
            }
        }
        bar.finish()
        let seconds = Date().timeIntervalSince(start), h = file.header
        let megabytes = Double(h.source.bytes) / 1e6
        print(
            "wrote \(path): \(h.sentences) sentences, \(h.tokens) tokens (\(h.distinct) distinct words), vocabulary \(file.vocabulary.count) "
                + "(coverage \(f(100 * h.coverage, 2))%), in \(f(seconds, 1)) s (\(f(megabytes / max(seconds, 1e-9), 1)) MB/s of text)"
                + (h.skippedInvalid > 0 ? "; skipped \(h.skippedInvalid) lines of invalid UTF-8" : ""))
        if let names = h.labels, let labels = file.labels {
            print(
                "labels: \(names.count) (\(names.prefix(12).joined(separator: ", "))\(names.count > 12 ? ", …" : "")); "
                    + "\(labels.filter { $0 != nil }.count) of \(labels.count) sentences labelled")
        }
        print("train from it with: textvae train \(path)\(noHoldOut ? " --valid FILE" : "")")
    }
}
