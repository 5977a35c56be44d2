import ArgumentParser
import TextVAE

/// `--max-line-bytes`, on every command that reads text: the longest line before a file counts as having no
/// line breaks (see `TextFile.maxLineBytes`).
struct LineLimitOption: ParsableArguments {
    @Option(help: "The longest line read, in bytes; a longer one stops the command (a file without line breaks; default: 1048576).")
    var maxLineBytes: Int?

    /// Checks the value and sets it for the readers of this process.
    func apply() throws {
        guard let maxLineBytes else { return }
        guard maxLineBytes >= 64 && maxLineBytes <= 1 << 30 else {
            throw ValidationError("--max-line-bytes must be between 64 and 1073741824")
        }
        TextFile.maxLineBytes = maxLineBytes
    }
}
