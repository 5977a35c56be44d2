import ArgumentParser
import Foundation
import TextVAE

/// The model's sizes. Options left out take `ModelConfig`'s defaults (and, on resume, the run's own).
struct ModelOptions: ParsableArguments {
    @Option(help: "Word embedding size E (default: \(ModelConfig.defaults.embedding)).") var embedding: Int?
    @Option(help: "Recurrent state size H of the encoder and decoder (default: \(ModelConfig.defaults.hidden)).") var hidden: Int?
    @Option(
        help: ArgumentHelp(
            "The encoder's and decoder's recurrent cell. gru: Bowman et al.'s. lstm: a long short-term memory, as the published Penn Treebank records use; a third more weights in each recurrent network and about 8% slower training (default: gru).",
            valueName: "gru|lstm"))
    var cell: RecurrentCell?
    @Option(help: "Latent size Z (default: \(ModelConfig.defaults.latent)).") var latent: Int?
    @Option(
        help: ArgumentHelp(
            "Train a baseline instead of a VAE. lm: the same decoder with no latent (Z = 0), a language model whose exact NLL is what the VAE's figures are compared with; it can sample, score and evaluate.",
            valueName: "lm"))
    var baseline: Baseline?
    @Flag(help: "Also feed z to the decoder at every step.") var latentToInputs = false
    @Flag(
        help:
            "Tie the output layer to the word embedding (Press and Wolf 2017): one table for the words read and predicted, fewer weights to fit on a small corpus. E follows H unless given (they must be equal); not with --softmax adaptive."
    )
    var tieEmbeddings = false
    @Flag(
        help:
            "The encoder reads each sentence both ways: a second recurrent network reads it backwards, and q(z|x) sees both last states (a third more weights in the encoder; the decoder is unchanged)."
    )
    var bidirectional = false
    @Option(help: "Longest sentence in tokens; longer ones are cut (default: \(ModelConfig.defaults.maxLength)).") var maxLength: Int?
    @Option(help: "Without labels: learn K classes beside z, unsupervised (JointVAE, Dupont 2018); see 'textvae classify' (default: none).")
    var classes: Int?
    @Option(
        help: ArgumentHelp(
            "The output layer. full: a softmax over every token. adaptive: Grave et al.'s adaptive softmax, for vocabularies of 10,000 tokens and more (large word vocabularies, BPE of 16k-32k): the frequent tokens in a small head, the rest in tail clusters read only where the target lies in them, so training runs faster; its probabilities are exact, so NLLs stay comparable (default: full).",
            valueName: "full|adaptive"))
    var softmax: SoftmaxKind?
    @Option(
        help: ArgumentHelp(
            "With --softmax adaptive: the token ids (in frequency order) where the head ends and each further tail begins, 1 to 3 of them (default: 2000, then 10000 and 50000 where the vocabulary is more than 1000 larger).",
            valueName: "ids"))
    var softmaxCutoffs: String?

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
        if softmaxCutoffs != nil && softmax != .adaptive {
            throw ValidationError("--softmax-cutoffs shapes an adaptive softmax: add --softmax adaptive")
        }
        _ = try cutoffs
        if tieEmbeddings, let embedding, embedding != hidden ?? ModelConfig.defaults.hidden {
            throw ValidationError(
                "--tie-embeddings needs --embedding equal to --hidden (\(hidden ?? ModelConfig.defaults.hidden)); leave --embedding out and it follows --hidden"
            )
        }
        if tieEmbeddings && softmax == .adaptive {
            throw ValidationError("--tie-embeddings ties the full output layer to the embedding: leave out --softmax adaptive")
        }
        if baseline != nil, latent != nil || classes != nil || latentToInputs || bidirectional {
            throw ValidationError(
                "--baseline lm has no latent (and no encoder): leave out --latent, --classes, --latent-to-inputs and --bidirectional")
        }
    }

    /// The sizes; the vocabulary's is set when it is built.
    var config: ModelConfig {
        ModelConfig(
            vocabulary: 0, embedding: tieEmbeddings ? embedding ?? hidden ?? ModelConfig.defaults.hidden : embedding, hidden: hidden,
            latent: baseline == .lm ? 0 : latent, latentToInputs: latentToInputs ? true : nil, maxLength: maxLength, classes: classes,
            cell: cell, tiedEmbeddings: tieEmbeddings ? true : nil, bidirectional: bidirectional ? true : nil)
    }

    /// The output layer asked for.
    var softmaxRequest: SoftmaxRequest {
        get throws { softmax == .adaptive ? .adaptive(cutoffs: try cutoffs) : .full }
    }

    /// `--softmax-cutoffs` as numbers.
    private var cutoffs: [Int]? {
        get throws {
            guard let softmaxCutoffs else { return nil }
            let parts = softmaxCutoffs.split(separator: ",", omittingEmptySubsequences: false).map {
                Int($0.trimmingCharacters(in: .whitespaces))
            }
            guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else {
                throw ValidationError("--softmax-cutoffs takes token ids separated by commas, such as 2000,10000; got '\(softmaxCutoffs)'")
            }
            let values = parts.map { $0! }
            // The vocabulary's size is not known yet: everything but the last cutoff's bound is checked now.
            if let problem = AdaptiveSoftmax.problem(cutoffs: values, vocabulary: Int.max) {
                throw ValidationError("--softmax-cutoffs: \(problem)")
            }
            return values
        }
    }

    var given: Set<FixedSetting> {
        let values: [(FixedSetting, Bool)] = [
            (.embedding, embedding != nil), (.hidden, hidden != nil), (.cell, cell != nil), (.latent, latent != nil),
            (.maxLength, maxLength != nil), (.latentToInputs, latentToInputs), (.classes, classes != nil),
            (.baseline, baseline != nil), (.softmax, softmax != nil), (.softmaxCutoffs, softmaxCutoffs != nil),
            (.tieEmbeddings, tieEmbeddings), (.bidirectional, bidirectional),
        ]
        return Set(values.filter(\.1).map(\.0))
    }
}

/// `train --softmax`: the output layer.
enum SoftmaxKind: String, ExpressibleByArgument, CaseIterable {
    case full, adaptive
}

extension RecurrentCell: ExpressibleByArgument {}

/// What `train --baseline` trains instead of a VAE.
enum Baseline: String, ExpressibleByArgument, CaseIterable {
    /// The decoder alone: a language model.
    case lm
}
