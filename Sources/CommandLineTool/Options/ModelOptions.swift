import ArgumentParser
import Foundation
import TextVAE

/// The model's sizes. Options left out take `ModelConfig`'s defaults (and, on resume, the run's own).
struct ModelOptions: ParsableArguments {
    @Option(help: "Word embedding size E (default: \(ModelConfig.defaults.embedding)).") var embedding: Int?
    @Option(help: "GRU state size H (default: \(ModelConfig.defaults.hidden)).") var hidden: Int?
    @Option(help: "Latent size Z (default: \(ModelConfig.defaults.latent)).") var latent: Int?
    @Option(
        help: ArgumentHelp(
            "Train a baseline instead of a VAE. lm: the same decoder with no latent (Z = 0), a language model whose exact NLL is what the VAE's figures are compared with; it can sample, score and evaluate.",
            valueName: "lm"))
    var baseline: Baseline?
    @Flag(help: "Also feed z to the decoder at every step.") var latentToInputs = false
    @Option(help: "Longest sentence in tokens; longer ones are cut (default: \(ModelConfig.defaults.maxLength)).") var maxLength: Int?
    @Option(help: "Without labels: learn K classes beside z, unsupervised (JointVAE, Dupont 2018); see 'textvae classify' (default: none).")
    var classes: Int?

    func check() throws {
        for (name, v, limit) in [
            ("--embedding", embedding, 8192), ("--hidden", hidden, 8192), ("--latent", latent, 4096), ("--max-length", maxLength, 10_000),
        ]
        where v.map({ $0 < (name == "--latent" ? 0 : 1) || $0 > limit }) ?? false {
            throw ValidationError("\(name) must be between 1 and \(limit), got \(v!)")
        }
        if let classes, classes < 2 || classes > 1000 { throw ValidationError("--classes must be between 2 and 1000, such as 4") }
        if latent == 0 && baseline == nil {
            throw ValidationError("--latent must be at least 1; for a model without a latent, train --baseline lm")
        }
        if baseline != nil, latent != nil || classes != nil || latentToInputs {
            throw ValidationError("--baseline lm has no latent: leave out --latent, --classes and --latent-to-inputs")
        }
    }

    /// The sizes; the vocabulary's is set when it is built.
    var config: ModelConfig {
        ModelConfig(
            vocabulary: 0, embedding: embedding, hidden: hidden, latent: baseline == .lm ? 0 : latent,
            latentToInputs: latentToInputs ? true : nil, maxLength: maxLength, classes: classes)
    }

    var given: Set<FixedSetting> {
        let values: [(FixedSetting, Bool)] = [
            (.embedding, embedding != nil), (.hidden, hidden != nil), (.latent, latent != nil),
            (.maxLength, maxLength != nil), (.latentToInputs, latentToInputs), (.classes, classes != nil),
            (.baseline, baseline != nil),
        ]
        return Set(values.filter(\.1).map(\.0))
    }
}

/// What `train --baseline` trains instead of a VAE.
enum Baseline: String, ExpressibleByArgument, CaseIterable {
    /// The decoder alone: a language model.
    case lm
}
