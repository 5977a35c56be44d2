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
              textvae sample -m model.safetensors -n 10 --with-label LABEL

            Run 'textvae help SUBCOMMAND' for the options of each subcommand. Shell
            completions: textvae --generate-completion-script bash (or zsh, fish). Threads:
            --threads, or TEXTVAE_THREADS for every command (default: the cores). \(ExitStatus.summary)
            """,
        version: TextVAEVersion.current,
        groupedSubcommands: [
            CommandGroup(name: "Train", subcommands: [TrainCommand.self, PrepareCommand.self]),
            CommandGroup(
                name: "Generate",
                subcommands: [
                    SampleCommand.self, InterpolateCommand.self, ReconstructCommand.self,
                    AnalogyCommand.self, ImputeCommand.self,
                ]),
            CommandGroup(
                name: "Embed and score",
                subcommands: [
                    EncodeCommand.self, EvaluateCommand.self, ScoreCommand.self,
                    ClassifyCommand.self, NeighboursCommand.self, MapCommand.self,
                ]),
            CommandGroup(
                name: "Text and tools",
                subcommands: [
                    TokenizeCommand.self, VocabCommand.self, GrammarCommand.self,
                    PlotCommand.self, ExportCommand.self, BenchCommand.self,
                ]),
        ] + serverGroup
    )

    /// `serve` exists when the package is built with its `Server` trait (the default).
    #if Server
        static let serverGroup = [CommandGroup(name: "Serve", subcommands: [ServeCommand.self])]
    #else
        static let serverGroup: [CommandGroup] = []
    #endif
}
