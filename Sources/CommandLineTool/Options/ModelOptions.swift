import ArgumentParser
import Foundation
import TextVAE

struct ModelOptions: ParsableArguments {
    @Option(help: "Word embedding size E.") var embedding = ModelConfig.defaults.embedding
    @Option(help: "GRU state size H.") var hidden = ModelConfig.defaults.hidden
    @Option(help: "Latent size Z.") var latent = ModelConfig.defaults.latent
    @Flag(help: "Also feed z to the decoder at every step.") var latentToInputs = false
    @Option(help: "Longest sentence in tokens; longer ones are cut.") var maxLength = ModelConfig.defaults.maxLength

    func check() throws {
        for (name, v, limit) in [("--embedding", embedding, 8192), ("--hidden", hidden, 8192), ("--latent", latent, 4096), ("--max-length", maxLength, 10_000)]
        where v < 1 || v > limit {
            throw ValidationError("\(name) must be between 1 and \(limit), got \(v)")
        }
    }

    /// The sizes; the vocabulary's is set when it is built.
    var config: ModelConfig {
        ModelConfig(vocabulary: 0, embedding: embedding, hidden: hidden, latent: latent,
                    latentToInputs: latentToInputs, maxLength: maxLength)
    }
}
