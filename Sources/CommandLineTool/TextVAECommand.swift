import ArgumentParser
import TextVAE

@main
struct TextVAECommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "textvae",
        abstract: "Train sentence variational autoencoders (Bowman et al. 2016) and use them.",
        discussion: """
            Typical use:
              textvae train corpus.txt -o model.safetensors
              textvae sample -m model.safetensors -n 10
              textvae interpolate -m model.safetensors "first sentence" "second sentence"

            With labels (a tab-separated column, or a file of one per line):
              textvae train labelled.tsv --label-column 1 -o model.safetensors
              textvae classify -m model.safetensors sentences.txt
              textvae sample -m model.safetensors -n 10 --label LABEL

            Run 'textvae help SUBCOMMAND' for the options of each subcommand.
            Shell completions: textvae --generate-completion-script bash (or zsh, fish).
            """,
        version: TextVAEVersion.current,
        subcommands: [TrainCommand.self, SampleCommand.self, InterpolateCommand.self, ReconstructCommand.self, EncodeCommand.self, EvaluateCommand.self, ScoreCommand.self,
                      TokenizeCommand.self, VocabCommand.self, PrepareCommand.self, GrammarCommand.self, BenchCommand.self,
                      PlotCommand.self, MapCommand.self, ClassifyCommand.self, NeighboursCommand.self, ImputeCommand.self, AnalogyCommand.self]
            + serverCommands
    )

    /// `serve` exists when the package is built with its `Server` trait (the default).
    #if Server
    static let serverCommands: [any ParsableCommand.Type] = [ServeCommand.self]
    #else
    static let serverCommands: [any ParsableCommand.Type] = []
    #endif
}
