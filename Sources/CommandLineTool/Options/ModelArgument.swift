import ArgumentParser
import Foundation
import TextVAE

/// `-m MODEL`: the trained model a command reads (sample, interpolate, reconstruct, encode, evaluate).
struct ModelArgument: ParsableArguments {
    @Option(name: .shortAndLong, help: "Model file written by 'textvae train' (.safetensors).")
    var model: String

    @Option(help: "Threads for matrix products (default: TEXTVAE_THREADS, or the cores; use 1 while other heavy jobs run).")
    var threads = Workspace.defaultThreads

    @OptionGroup var lineLimit: LineLimitOption

    func check() throws {
        try lineLimit.apply()
        if threads < 1 || threads > 256 { throw ValidationError("--threads must be between 1 and 256") }
    }

    /// Loads BLAS and the model; errors name the file and say what to do.
    func load() throws -> TrainedModel {
        try TrainedModel.load(model, threads: threads)
    }

    /// The sentences of `path` (or standard input for "-") for `trained`, with its notes on stderr.
    /// - Parameter paragraphs: running text, split into sentences as `train --paragraphs` does.
    func readInput(_ path: String, for trained: TrainedModel, paragraphs: Bool = false) throws -> ModelInput {
        if path == "-" && isatty(0) != 0 {
            warn(
                "reading sentences from standard input, " + (paragraphs ? "paragraphs separated by blank lines" : "one per line")
                    + " (end with Ctrl-D)")
        }
        let input = try trained.readInput(path, paragraphs: paragraphs)
        for w in input.warnings { warn("warning: " + w) }
        return input
    }
}
