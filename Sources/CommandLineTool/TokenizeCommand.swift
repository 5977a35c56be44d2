import ArgumentParser
import Foundation
import TextVAE

struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Show how textvae splits text into tokens.",
        discussion: """
            Prints one sentence per line, tokens separated by the separator, so you can see
            exactly what the model will see. Examples:
              textvae tokenize "Don't panic: it's 3.14, not 42!"
              textvae tokenize --file corpus.txt | head
              textvae tokenize --locale zh "我喜欢自然语言处理"
              textvae tokenize -m model.safetensors "Hundehütte"   # the model's tokens (subwords too)

            With -m, the text is tokenised with the model's own settings and shown as the
            model's vocabulary sees it: unknown words as <unk>, and for a subword model,
            its pieces (▁ starts a word).
            """
    )

    @Argument(help: "Text to tokenise (omit it and use --file to read a file).")
    var text: [String] = []

    @Option(name: .shortAndLong, help: "Read sentences from this file instead.")
    var file: String?

    @Option(help: "Printed between tokens.")
    var separator = " | "

    @OptionGroup var tokenization: TokenizerOptions

    @Option(name: .shortAndLong, help: "Show the tokens of this model (its tokenizer settings and vocabulary).")
    var model: String?

    func validate() throws {
        if text.isEmpty && file == nil { throw ValidationError("give some text, or --file FILE") }
        if !text.isEmpty && file != nil { throw ValidationError("give either text or --file, not both") }
        let settingFlags = tokenization.given.subtracting([.paragraphs, .skipInvalid])
        if model != nil && !settingFlags.isEmpty {
            throw ValidationError(
                "with -m the model's own tokenizer settings apply; drop \(settingFlags.sorted().map(\.flag).joined(separator: ", "))")
        }
    }

    func run() throws {
        let modelFile = try model.map { try ModelFile.load($0) }
        let tokenizer = try Tokenizer(modelFile?.tokenizer ?? tokenization.settings)
        let corpus: Corpus
        if let file {
            corpus = try Corpus.read(file, tokenizer: tokenizer, paragraphs: tokenization.paragraphs, skipInvalid: tokenization.skipInvalid)
        } else {
            corpus = try Corpus(lines: text, tokenizer: tokenizer, paragraphs: tokenization.paragraphs)
        }
        var out = ""
        for s in corpus.sentences {
            let shown = modelFile.map { file in file.vocabulary.ids(s).map { file.vocabulary.tokens[Int($0)] } } ?? s
            out += shown.joined(separator: separator) + "\n"
            if out.utf8.count > 1 << 16 { print(out, terminator: ""); out = "" }
        }
        print(out, terminator: "")
        // On stderr, so that stdout stays nothing but tokens.
        if corpus.skippedInvalid > 0 {
            FileHandle.standardError.write(Data("skipped \(corpus.skippedInvalid) lines of invalid UTF-8\n".utf8))
        }
    }
}
