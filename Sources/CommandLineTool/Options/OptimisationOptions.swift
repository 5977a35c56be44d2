import ArgumentParser
import Foundation
import TextVAE

extension AnnealingRequest.Kind: ExpressibleByArgument {}

extension AnnealingRequest.Point: ExpressibleByArgument {
    package init?(argument: String) { self.init(argument) }
}

/// A count on the command line, or `auto` (`--epochs`: planned from the corpus's size; `--min-count`: chosen
/// from the counts).
enum CountOrAuto: ExpressibleByArgument, Equatable {
    case auto
    case count(Int)

    init?(argument: String) {
        if argument == "auto" { self = .auto } else if let n = Int(argument) { self = .count(n) } else { return nil }
    }

    var number: Int? { if case .count(let n) = self { n } else { nil } }
}

/// How `train` optimises. Options left out take `TrainingOptions`'s and `KLSchedule`'s defaults
/// (and, on resume, the run's own); a resumed run may change the epochs, patience, time limit and
/// checkpoint cadence, and refuses the others.
struct OptimisationOptions: ParsableArguments {
    typealias D = TrainingOptions
    @Option(
        help: ArgumentHelp(
            "Passes over the training data, or auto: about \(RunLength.vae.targetUpdates) updates, \(RunLength.vae.epochRange.lowerBound) to \(RunLength.vae.epochRange.upperBound) epochs, from the corpus's size (an autoencoder's, --regulariser adversarial: \(RunLength.autoencoder.targetUpdates) updates, up to \(RunLength.autoencoder.epochRange.upperBound) epochs) (default: auto; with --resume, the run's own unless given).",
            valueName: "n|auto"))
    var epochs: CountOrAuto?
    @Option(help: "Sentences per update (default: \(D().batchSize)).") var batchSize: Int?
    @Option(help: "Adam learning rate (default: \(D().learningRate)).") var lr: Float?
    @Option(help: "Clip the gradient's global norm to this (default: \(D().clip)).") var clip: Float?
    @Option(help: "Probability of replacing a decoder input word by <unk>; 1 = input-less decoder (default: \(D().wordDropout)).")
    var wordDropout: Float?
    @Option(help: "KL annealing schedule (default: logistic).") var anneal: AnnealingRequest.Kind?
    @Option(help: "Logistic annealing steepness k (default: from x0, so that β climbs from 1% to 99% between 0.26·x0 and 1.74·x0).") var k:
        Double?
    @Option(
        help: ArgumentHelp(
            "Logistic midpoint (β = ½) or linear length x0: updates, or a share of the planned updates such as 30% (default: \(Int(100 * AnnealingRequest.defaultMidpointShare))%: β reaches its final value at 47% of the run).",
            valueName: "updates|share%"))
    var x0: AnnealingRequest.Point?
    @Option(help: "Cyclical annealing: number of cycles (default: \(KLSchedule.defaultCycles)).") var cycles: Int?
    @Option(help: "Cyclical annealing: share of each cycle spent rising (default: \(KLSchedule.defaultRatio)).") var ratio: Double?
    @Option(help: "Constant annealing: β (default: \(KLSchedule.defaultBeta)).") var beta: Double?
    @Option(
        help: ArgumentHelp(
            "Hold the KL at this many nats per sentence: a feedback controller (ControlVAE) steers β after every update, instead of --anneal; free bits are off unless given. The rate–distortion knob: more nats, sentences that come back closer, samples less fluent (default: off).",
            valueName: "nats"))
    var klTarget: Double?
    @Option(
        help: ArgumentHelp(
            "Noise on what the encoder reads, while the decoder rebuilds the clean sentence (a denoising autoencoder, for a smoother latent space): drop:P, blank:P (the word becomes <unk>), substitute:P (a random word), shuffle:K (words move at most K places), comma-separated, such as drop:0.1,shuffle:3; a bare number is a drop probability (default: none).",
            valueName: "noise"))
    var inputNoise: String?
    @Option(
        help: ArgumentHelp(
            "What keeps the codes near the prior N(0, I). kl: the ELBO's KL term. adversarial: an adversarial prior (as adversarial autoencoders): a small discriminator learns to tell the encoder's codes from the prior's and the encoder learns to pass for the prior, weighted by β as the KL would be; free bits are off. The posterior stays Gaussian, so evaluate still reports its KL and NLL, figures that mean little for such a model. With a larger code beside every decoder input, the demo's recipe for homotopies that start and end at the sentences typed (--preset homotopy) (default: kl).",
            valueName: "kl|adversarial"))
    var regulariser: LatentRegulariser?
    @Option(
        help:
            "Free bits λ per latent dimension: the KL of a dimension below λ (batch mean) is not pushed down, so z keeps some information; 0 = off (default: \(D().freeBits))."
    ) var freeBits: Float?
    @Option(
        help:
            "Dropout on the decoder's input embeddings, per element, in training only: a regulariser beside word dropout (default: \(D().embeddingDropout))."
    )
    var embeddingDropout: Float?
    @Option(help: "Dropout on the decoder's states before the output layer, in training only (default: \(D().outputDropout)).")
    var outputDropout: Float?
    @Option(
        help:
            "When an epoch does not improve the validation −ELBO, multiply the learning rate by this; 1 = never (default: \(D().learningRateDecay))."
    )
    var lrDecay: Float?
    @Option(
        help:
            "Autoencoder pretraining (Li et al. 2019): the first N epochs train with z = μ and no KL term, then the decoder starts again from fresh weights and the VAE trains (with --free-bits, the recipe that keeps z in use); 0 = off (default: \(D().pretrainEpochs))."
    )
    var pretrainEpochs: Int?
    @Option(
        help: "With labels: weight α of the classifier's loss −log q(label|x) beside the VAE's (default: \(f(Double(D().labelWeight), 1)))."
    )
    var labelWeight: Float?
    @Option(
        help:
            "With classes: weight γ of KL(q(c|x) ‖ uniform) for unlabelled sentences, kept apart from z's KL (default: \(f(Double(D().classWeight), 1)))."
    )
    var classKlWeight: Float?
    @Option(
        help:
            "With classes: capacity C in nats (Dupont 2018): the loss is γ·|KL − C| instead of γ·KL, so that c carries about C nats; at most log K (default: 0)."
    )
    var classCapacity: Float?
    @Option(
        help:
            "With classes: Gumbel-softmax temperature at the start, annealed linearly to --final-temperature over the run (default: \(f(Double(D().temperature), 1)))."
    )
    var gumbelTemperature: Float?
    @Option(help: "With classes: Gumbel-softmax temperature at the end of the run (default: \(f(Double(D().finalTemperature), 1))).")
    var finalTemperature: Float?
    @Option(help: "Random seed: the same seed and data give the same model (default: \(D().seed)).") var seed: UInt64?
    @Option(help: "Stop after this many epochs without a better validation −ELBO; 0 = never (default: \(D().patience)).") var patience: Int?
    @Option(help: "Checkpoint every this many updates; 0 = at epoch ends and by time only (default: \(D().checkpointSteps)).")
    var checkpointSteps: Int?
    @Option(help: "Checkpoint at least every this many minutes; 0 = off (default: \(f(D().checkpointMinutes, 0))).") var checkpointMinutes:
        Double?
    @Option(
        help: ArgumentHelp(
            "Stop after this long, keeping the best model: 30m, 90s, 2h, or a number of minutes; the KL annealing is placed in the updates that fit (0 = no limit, the default).",
            valueName: "time"))
    var timeLimit: TimeSpan?

    /// The time limit in minutes, as the run stores it.
    var timeLimitMinutes: Double? { timeLimit.map { $0.seconds(bare: .minutes) / 60 } }
    @Option(help: "Threads for matrix products (default: TEXTVAE_THREADS, or the cores; use 1 while other heavy jobs run).") var threads =
        Workspace.defaultThreads

    func check() throws {
        do {
            _ = try inputNoise.map(InputNoise.init(parsing:))
        } catch { throw ValidationError("--input-noise \(inputNoise ?? ""): \(error)") }
        // Each setting's range is written once, in `TrainingOptions.settings`; the defaults are all valid, so a value
        // out of range came from its flag.
        if let bad = options.invalidSetting { throw ValidationError("\(bad.flag) must be \(bad.requirement)") }
        if let pretrainEpochs, pretrainEpochs > 0, let n = epochs?.number, pretrainEpochs >= n {
            throw ValidationError(
                "--pretrain-epochs \(pretrainEpochs) leaves no epoch of VAE training: give fewer, or more --epochs (now \(n))")
        }
        if !((k ?? 1) > 0 && (k ?? 1).isFinite) {
            throw ValidationError("--k must be a positive number such as 0.0025, or left out (derived from --x0)")
        }
        if (cycles ?? 1) < 1 || !((ratio ?? 1) > 0 && (ratio ?? 1) <= 1) {
            throw ValidationError("--cycles must be at least 1 and --ratio in (0, 1]")
        }
        if let beta, !(beta >= 0 && beta.isFinite) { throw ValidationError("--beta must be 0 or more") }
        if regulariser == .adversarial {
            if klTarget != nil { throw ValidationError("--kl-target steers a KL term: leave it out with --regulariser adversarial") }
            if let freeBits, freeBits > 0 {
                throw ValidationError("free bits shape a KL term: leave out --free-bits with --regulariser adversarial")
            }
        }
        if let klTarget {
            guard klTarget > 0 && klTarget <= TrainingOptions.largestKLTarget else {
                throw ValidationError("--kl-target must be a number of nats above 0, such as 10")
            }
            let schedule = [
                ("--anneal", anneal != nil), ("--k", k != nil), ("--cycles", cycles != nil), ("--ratio", ratio != nil),
                ("--beta", beta != nil),
            ]
            .filter(\.1).map(\.0)
            if !schedule.isEmpty {
                throw ValidationError(
                    "--kl-target steers β itself: leave out \(schedule.joined(separator: ", ")) (--x0 still says from when epochs compete)")
            }
        }
        if threads < 1 || threads > 256 { throw ValidationError("--threads must be between 1 and 256") }
    }

    var options: TrainingOptions {
        var o = TrainingOptions()
        o.epochs = epochs?.number ?? o.epochs
        o.batchSize = batchSize ?? o.batchSize
        o.learningRate = lr ?? o.learningRate
        o.clip = clip ?? o.clip
        o.wordDropout = wordDropout ?? o.wordDropout
        o.schedule = annealing.schedule(plannedUpdates: 0)  // placed in the run's plan once the corpus is read
        o.klTarget = klTarget
        o.regulariser = regulariser ?? o.regulariser
        // Free bits would hold every dimension's KL up while the controller pushes it to the target; with an
        // adversarial prior there is no KL term for them to shape.
        o.freeBits = freeBits ?? (klTarget != nil || o.regulariser == .adversarial ? 0 : o.freeBits)
        o.inputNoise = inputNoise.flatMap { try? InputNoise(parsing: $0) }
        o.embeddingDropout = embeddingDropout ?? o.embeddingDropout
        o.outputDropout = outputDropout ?? o.outputDropout
        o.learningRateDecay = lrDecay ?? o.learningRateDecay
        o.pretrainEpochs = pretrainEpochs ?? o.pretrainEpochs
        o.labelWeight = labelWeight ?? o.labelWeight
        o.classWeight = classKlWeight ?? o.classWeight
        o.classCapacity = classCapacity ?? o.classCapacity
        o.temperature = gumbelTemperature ?? o.temperature
        o.finalTemperature = finalTemperature ?? o.finalTemperature
        o.seed = seed ?? o.seed
        o.patience = patience ?? o.patience
        o.checkpointSteps = checkpointSteps ?? o.checkpointSteps
        o.checkpointMinutes = checkpointMinutes ?? o.checkpointMinutes
        o.timeLimitMinutes = timeLimitMinutes ?? o.timeLimitMinutes
        return o
    }

    /// The KL schedule asked for, to be placed in the run's plan.
    var annealing: AnnealingRequest {
        var a = AnnealingRequest()
        a.kind = anneal ?? a.kind
        a.x0 = x0 ?? a.x0
        a.k = k
        a.cycles = cycles ?? a.cycles
        a.ratio = ratio ?? a.ratio
        a.beta = beta ?? a.beta
        return a
    }

    /// Whether the epochs are planned from the corpus's size.
    var autoEpochs: Bool { epochs?.number == nil }

    /// The flags given that a resumed run may not change (epochs, patience, time limit and
    /// checkpoint cadence may change, and --threads is no part of the run).
    var givenFixed: Set<FixedSetting> {
        let values: [(FixedSetting, Any?)] = [
            (.batchSize, batchSize), (.learningRate, lr), (.clip, clip), (.wordDropout, wordDropout),
            (.freeBits, freeBits), (.embeddingDropout, embeddingDropout),
            (.outputDropout, outputDropout), (.learningRateDecay, lrDecay),
            (.pretrainEpochs, pretrainEpochs), (.labelWeight, labelWeight),
            (.classKLWeight, classKlWeight), (.classCapacity, classCapacity),
            (.gumbelTemperature, gumbelTemperature), (.finalTemperature, finalTemperature), (.seed, seed),
            (.anneal, anneal), (.k, k), (.x0, x0), (.klTarget, klTarget), (.inputNoise, inputNoise), (.cycles, cycles), (.ratio, ratio),
            (.regulariser, regulariser),
            (.beta, beta),
        ]
        return Set(values.filter { $0.1 != nil }.map(\.0))
    }
}

extension LatentRegulariser: ExpressibleByArgument {}
