import ArgumentParser
import Foundation
import TextVAE

struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Show how textvae splits text into tokens.",
        discussion: """
            Prints one sentence per line, tokens separated by the separator, so you can
            see exactly what the model will see. Examples:
              textvae tokenize "Don't panic: it's 3.14, not 42!"
              textvae tokenize --file corpus.txt | head
              textvae tokenize --locale zh "我喜欢自然语言处理"
            """
    )

    @Argument(help: "Text to tokenise (omit it and use --file to read a file).")
    var text: [String] = []

    @Option(name: .shortAndLong, help: "Read sentences from this file instead.")
    var file: String?

    @Option(help: "Printed between tokens.")
    var separator = " | "

    @OptionGroup var tokenization: TokenizerOptions

    func validate() throws {
        if text.isEmpty && file == nil { throw ValidationError("give some text, or --file FILE") }
        if !text.isEmpty && file != nil { throw ValidationError("give either text or --file, not both") }
    }

    func run() throws {
        let tokenizer = try Tokenizer(tokenization.settings)
        let corpus: Corpus
        if let file {
            corpus = try tokenization.readCorpus(file)
        } else {
            corpus = try Corpus(lines: text, tokenizer: tokenizer, paragraphs: tokenization.paragraphs)
        }
        var out = ""
        for s in corpus.sentences {
            out += s.joined(separator: separator) + "\n"
            if out.utf8.count > 1 << 16 { print(out, terminator: ""); out = "" }
        }
        print(out, terminator: "")
        // On stderr, so that stdout stays nothing but tokens.
        if corpus.skippedInvalid > 0 {
            FileHandle.standardError.write(Data("skipped \(corpus.skippedInvalid) lines of invalid UTF-8\n".utf8))
        }
    }
}
