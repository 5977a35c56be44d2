import ArgumentParser
import TextVAE

extension TokenizerSettings.Name: ExpressibleByArgument {}

/// How to read and tokenise text files; shared by every command that reads a corpus.
/// Options left out take `TokenizerSettings`'s defaults (and, on resume, the run's own).
struct TokenizerOptions: ParsableArguments {
    @Option(
        help:
            "Tokenizer: 'icu' (NFC, ICU word segmentation, any language) or 'whitespace' (text already tokenised, such as Penn Treebank; default: \(TokenizerSettings().name.rawValue))."
    )
    var tokenizer: TokenizerSettings.Name?

    @Option(help: "Locale for ICU word segmentation and lower-casing (en, de, tr, zh, th, ...; default: \(TokenizerSettings().locale)).")
    var locale: String?

    @Flag(help: "Keep case (by default the icu tokenizer lower-cases, locale-aware).")
    var keepCase = false

    @Flag(help: "Read running text: split paragraphs (separated by blank lines) into sentences with ICU.")
    var paragraphs = false

    @Flag(help: "Drop lines that are not valid UTF-8 (and count them) instead of stopping.")
    var skipInvalid = false

    @OptionGroup var lineLimit: LineLimitOption

    func validate() throws {
        try lineLimit.apply()
    }

    /// Built by the initialiser, which fixes what the name decides (whitespace neither lower-cases nor normalises).
    var settings: TokenizerSettings {
        let defaults = TokenizerSettings()
        return TokenizerSettings(name: tokenizer ?? defaults.name, locale: locale ?? defaults.locale, lowercase: !keepCase)
    }

    /// The flags given on the command line, for `train --resume` to check against the run.
    var given: Set<FixedSetting> {
        let values: [(FixedSetting, Bool)] = [
            (.tokenizer, tokenizer != nil), (.locale, locale != nil), (.keepCase, keepCase),
            (.paragraphs, paragraphs), (.skipInvalid, skipInvalid),
        ]
        return Set(values.filter(\.1).map(\.0))
    }

    func readCorpus(_ path: String) throws -> Corpus {
        try Corpus.read(path, tokenizer: Tokenizer(settings), paragraphs: paragraphs, skipInvalid: skipInvalid)
    }
}
