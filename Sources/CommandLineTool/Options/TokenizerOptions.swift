import ArgumentParser
import TextVAE

extension TokenizerSettings.Name: ExpressibleByArgument {}

/// How to read and tokenise text files; shared by every command that reads a corpus.
struct TokenizerOptions: ParsableArguments {
    @Option(help: "Tokenizer: 'icu' (NFC, ICU word segmentation, any language) or 'whitespace' (text already tokenised, such as Penn Treebank).")
    var tokenizer: TokenizerSettings.Name = .icu

    @Option(help: "Locale for ICU word segmentation and lower-casing (en, de, tr, zh, th, ...).")
    var locale: String = "en"

    @Flag(help: "Keep case (by default the icu tokenizer lower-cases, locale-aware).")
    var keepCase = false

    @Flag(help: "Read running text: split paragraphs (separated by blank lines) into sentences with ICU.")
    var paragraphs = false

    @Flag(help: "Drop lines that are not valid UTF-8 (and count them) instead of stopping.")
    var skipInvalid = false

    var settings: TokenizerSettings { TokenizerSettings(name: tokenizer, locale: locale, lowercase: !keepCase) }

    func readCorpus(_ path: String) throws -> Corpus {
        try Corpus.read(path, tokenizer: Tokenizer(settings), paragraphs: paragraphs, skipInvalid: skipInvalid)
    }
}
