import ArgumentParser
import Foundation
import TextVAE

struct DataOptions: ParsableArguments {
    @Option(help: "Validation file (default: hold out a fraction of the corpus).")
    var valid: String?
    @Option(help: "Share of the corpus held out for validation when no --valid is given.")
    var validFraction = DataSettings().validFraction
    @Option(help: "Use this vocabulary file instead of building one.")
    var vocab: String?
    @Option(help: "Vocabulary: leave out tokens seen fewer times.")
    var minCount = DataSettings().minCount
    @Option(help: "Vocabulary: at most this many words (plus 4 specials).")
    var maxSize = DataSettings().maxSize

    func check() throws {
        if !(validFraction > 0 && validFraction < 1) { throw ValidationError("--valid-fraction must be between 0 and 1, e.g. 0.05") }
        if minCount < 1 { throw ValidationError("--min-count must be at least 1") }
        if maxSize < 1 { throw ValidationError("--max-size must be at least 1") }
    }

    func settings(_ tokenization: TokenizerOptions) -> DataSettings {
        var d = DataSettings()
        d.valid = valid; d.validFraction = validFraction; d.vocabularyFile = vocab; d.minCount = minCount; d.maxSize = maxSize
        d.paragraphs = tokenization.paragraphs; d.skipInvalid = tokenization.skipInvalid
        return d
    }
}
