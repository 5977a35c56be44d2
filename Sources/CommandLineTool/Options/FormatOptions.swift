import ArgumentParser

/// How a command prints its data on stdout. Summaries, statistics and notes go to stderr in every format, so
/// that `textvae score -m M f.txt > f.jsonl` is valid JSON lines.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    /// For reading.
    case text
    /// One JSON object per line (a sentence, a step, a neighbour).
    case jsonl
    /// One JSON document (for commands that print one result).
    case json
}

/// `--format` (and `--json`, its short form), shared by every command that prints data.
struct FormatOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Output on stdout: text, jsonl (one JSON object per line) or json (one JSON document), as the command offers (default: text).",
            valueName: "text|jsonl|json"))
    var format: OutputFormat?

    @Flag(help: "Short for the command's JSON format (--format jsonl, or json for evaluate).")
    var json = false

    /// The format asked for among those the command offers (`offered`, the first of which is the one `--json`
    /// means when the command has no `json`); an error names the ones it offers.
    func chosen(_ offered: [OutputFormat]) throws -> OutputFormat {
        if json && format != nil && format != .json && format != .jsonl { throw ValidationError("give --json or --format, not both") }
        let asked = format ?? (json ? (offered.contains(.json) ? .json : .jsonl) : .text)
        guard offered.contains(asked) else {
            throw ValidationError(
                "--format \(asked.rawValue) is not one of this command's: \(offered.map(\.rawValue).joined(separator: ", "))")
        }
        return asked
    }
}
