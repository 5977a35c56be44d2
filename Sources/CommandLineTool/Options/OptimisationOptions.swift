import ArgumentParser
import Foundation
import TextVAE

enum AnnealName: String, ExpressibleByArgument, CaseIterable { case logistic, linear, cyclical, constant }

struct OptimisationOptions: ParsableArguments {
    @Option(help: "Passes over the training data (default: \(TrainingOptions().epochs); with --resume, the run's own unless given).") var epochs: Int?
    @Option(help: "Sentences per update.") var batchSize = TrainingOptions().batchSize
    @Option(help: "Adam learning rate.") var lr = TrainingOptions().learningRate
    @Option(help: "Clip the gradient's global norm to this.") var clip = TrainingOptions().clip
    @Option(help: "Probability of replacing a decoder input word by <unk> (1 = input-less decoder).") var wordDropout = TrainingOptions().wordDropout
    @Option(help: "KL annealing: \(AnnealName.allCases.map(\.rawValue).joined(separator: ", ")).") var anneal: AnnealName = .logistic
    @Option(help: "Logistic annealing steepness k.") var k = KLSchedule.defaultK
    @Option(help: "Logistic midpoint / linear length x0, in updates.") var x0 = KLSchedule.defaultX0
    @Option(help: "Cyclical annealing: number of cycles.") var cycles = 4
    @Option(help: "Cyclical annealing: share of each cycle spent rising.") var ratio: Double = 0.5
    @Option(help: "Constant annealing: β.") var beta: Double = 1
    @Option(help: "Free bits λ per latent dimension (0 = off).") var freeBits = TrainingOptions().freeBits
    @Option(help: "Random seed: the same seed and data give the same model.") var seed = TrainingOptions().seed
    @Option(help: "Stop after this many epochs without a better validation −ELBO (0 = never; default: \(TrainingOptions().patience)).") var patience: Int?
    @Option(help: "Checkpoint every this many updates (0 = at epoch ends and by time only; default: \(TrainingOptions().checkpointSteps)).") var checkpointSteps: Int?
    @Option(help: "Checkpoint at least every this many minutes (0 = off; default: \(f(TrainingOptions().checkpointMinutes, 0))).") var checkpointMinutes: Double?
    @Option(help: "Stop after this many minutes, keeping the best model (0 = no limit, the default).") var timeLimit: Double?
    @Option(help: "Threads for matrix products (2 is fastest on an idle 2-core machine).") var threads = Workspace.defaultThreads

    func check() throws {
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if batchSize < 1 || batchSize > 4096 { throw ValidationError("--batch-size must be between 1 and 4096") }
        if !(lr > 0 && lr < 10) { throw ValidationError("--lr must be a positive number such as 0.001") }
        if !(clip > 0) { throw ValidationError("--clip must be positive") }
        if !(wordDropout >= 0 && wordDropout <= 1) { throw ValidationError("--word-dropout must be between 0 and 1") }
        if !(freeBits >= 0 && freeBits.isFinite) { throw ValidationError("--free-bits must be 0 or more") }
        if !(k > 0) || !(x0 >= 0) { throw ValidationError("--k must be positive and --x0 not negative") }
        if cycles < 1 || !(ratio > 0 && ratio <= 1) { throw ValidationError("--cycles must be at least 1 and --ratio in (0, 1]") }
        if !(beta >= 0 && beta.isFinite) { throw ValidationError("--beta must be 0 or more") }
        if (patience ?? 0) < 0 || (checkpointSteps ?? 0) < 0 || !((checkpointMinutes ?? 0) >= 0) || !((timeLimit ?? 0) >= 0) {
            throw ValidationError("--patience, --checkpoint-steps, --checkpoint-minutes and --time-limit must not be negative")
        }
        if threads < 1 || threads > 256 { throw ValidationError("--threads must be between 1 and 256") }
    }

    var options: TrainingOptions {
        var o = TrainingOptions()
        o.epochs = epochs ?? o.epochs; o.batchSize = batchSize; o.learningRate = lr; o.clip = clip; o.wordDropout = wordDropout
        switch anneal {
        case .logistic: o.schedule = .logistic(k: k, x0: x0)
        case .linear: o.schedule = .linear(x0: x0)
        case .cyclical: o.schedule = .cyclical(cycles: cycles, ratio: ratio, totalSteps: 0)
        case .constant: o.schedule = .constant(beta: beta)
        }
        o.freeBits = freeBits; o.seed = seed; o.patience = patience ?? o.patience
        o.checkpointSteps = checkpointSteps ?? o.checkpointSteps; o.checkpointMinutes = checkpointMinutes ?? o.checkpointMinutes
        o.timeLimitMinutes = timeLimit ?? o.timeLimitMinutes
        return o
    }
}
