import ArgumentParser
import TextVAE

@main
struct TextVAECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "textvae",
        abstract: "Train sentence variational autoencoders (Bowman et al. 2016) and use them.",
        discussion: """
            Typical use:
              textvae train corpus.txt -o model.safetensors
              textvae sample -m model.safetensors -n 10
              textvae interpolate -m model.safetensors "first sentence" "second sentence"

            Run 'textvae help SUBCOMMAND' for the options of each subcommand.
            """,
        subcommands: [Train.self, Sample.self, Interpolate.self, Reconstruct.self, Encode.self, Evaluate.self, Score.self,
                      Tokenize.self, Vocab.self, Grammar.self, Bench.self,
                      Plot.self, Map.self, NeighboursCommand.self, Impute.self, Analogy.self]
    )
}
