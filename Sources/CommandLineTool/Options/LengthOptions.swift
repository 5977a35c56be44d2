import ArgumentParser
import Foundation
import TextVAE

/// Decoder options shared by the commands that turn z into sentences.
struct LengthOptions: ParsableArguments {
    @Option(help: "Longest sentence in words (default: the model's max_length).")
    var maxLength: Int?

    @Flag(help: "Never emit <unk> (the next most probable word is used instead).")
    var noUnk = false

    @Flag(
        help:
            "The model's raw choices. By default a word that would repeat a 3-gram of the sentence, or make a third <unk> in a row, is not chosen (the next best is): without this rule some z fall into loops such as 'and <unk> and <unk> and'."
    )
    var raw = false

    /// The repetition rule these options ask for.
    var repetition: RepetitionRule { raw ? .off : .standard }

    func check() throws {
        if let maxLength, maxLength < 1 || maxLength > 10_000 {
            throw ValidationError("--max-length must be between 1 and 10000, got \(maxLength)")
        }
    }
}
