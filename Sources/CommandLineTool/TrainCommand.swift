import ArgumentParser
import Foundation
import TextVAE

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a sentence VAE on a text file (one sentence per line).",
        discussion: """
            Tokenises the corpus, builds the vocabulary, holds out validation sentences,
            and trains; the best model (lowest validation −ELBO) is written to --output,
            with a checkpoint, a metrics log (JSON lines) and the vocabulary beside it:
              model.safetensors             the model: sample, interpolate, evaluate
              model.checkpoint.safetensors  resume with: textvae train --resume FILE
              model.metrics.jsonl           one row per 50 steps and per epoch
              model.vocab.txt               token<TAB>count

            Examples:
              textvae train corpus.txt -o model.safetensors
              textvae train ptb/train.txt --valid ptb/valid.txt --tokenizer whitespace
              textvae train corpus.txt --time-limit 3      # stop after 3 minutes
              textvae train --resume model.checkpoint.safetensors
              textvae train --resume model.checkpoint.safetensors --epochs 20   # train longer

            If the KL term collapses to zero (the decoder ignores z), try slower
            annealing (--x0 5000), more word dropout (--word-dropout 0.5) or free bits
            (--free-bits 0.5). Ctrl-C saves a checkpoint and says how to resume.
            """
    )

    @Argument(help: "Training corpus (UTF-8, one sentence per line). Not needed with --resume.")
    var corpus: String?

    @Option(name: .shortAndLong, help: "Where to write the model (default: the corpus's name with .safetensors, in the current folder).")
    var output: String?

    @Option(help: "Continue the run saved in this checkpoint (--epochs, --patience, --time-limit and --checkpoint-* may change).")
    var resume: String?

    @Flag(help: "Start a new run even where an earlier run left its model, checkpoint or metrics log (they are replaced).")
    var overwrite = false

    @OptionGroup(title: "Data") var data: DataOptions
    @OptionGroup(title: "Model") var modelOptions: ModelOptions
    @OptionGroup(title: "Optimisation") var optimisation: OptimisationOptions
    @OptionGroup(title: "Tokenizer") var tokenization: TokenizerOptions

    @Flag(help: "Redraw the training curves to MODEL.curves.svg at the end of each epoch (see 'textvae plot').")
    var plot = false

    @Flag(name: .shortAndLong, help: "Print only errors and the final line.")
    var quiet = false

    @Flag(help: "Say which BLAS kernel is used, and more.")
    var verbose = false

    func validate() throws {
        if corpus == nil && resume == nil { throw ValidationError("give a corpus to train on, or --resume CHECKPOINT") }
        try data.check()
        try modelOptions.check()
        try optimisation.check()
    }

    func run() throws {
        try BLAS.load()
        let display = TrainingDisplay(quiet: quiet)
        if verbose { display.line("BLAS: \(BLAS.description(threads: optimisation.threads))") }
        Interruption.install()

        var plan = TrainingPlan(corpus: corpus ?? "")
        plan.data = data.settings(tokenization)
        plan.tokenizer = tokenization.settings
        plan.model = modelOptions.config
        plan.options = optimisation.options
        plan.output = output
        plan.overwrite = overwrite
        let trainer: Trainer
        if let resume {
            var changes = TrainingRun.Changes()
            changes.epochs = optimisation.epochs
            changes.patience = optimisation.patience
            changes.timeLimitMinutes = optimisation.timeLimit
            changes.checkpointSteps = optimisation.checkpointSteps
            changes.checkpointMinutes = optimisation.checkpointMinutes
            changes.output = output
            changes.corpus = corpus
            changes.valid = data.valid
            changes.overwrite = overwrite
            changes.given = data.given.union(tokenization.given).union(modelOptions.given).union(optimisation.givenFixed)
            changes.requested = plan
            trainer = try TrainingRun.resume(resume, changes: changes, threads: optimisation.threads, note: display.line)
        } else {
            trainer = try TrainingRun.start(plan, threads: optimisation.threads, note: display.line)
        }
        let outcome = try trainer.run { event in
            display.show(event)
            if plot, case .epoch = event { CurvePlot.drawDuringTraining(trainer, warn: { display.show(.warning($0)) }) }
        }
        display.finish()
        let cp = trainer.checkpoint
        let best = cp.state.bestValidNELBO.map { String(format: "%.3f", $0) } ?? "n/a"
        print("\(outcome == .finished ? "finished" : outcome == .earlyStopped ? "stopped early" : "time limit reached"): "
              + "\(cp.state.step) steps; best validation −ELBO \(best); model \(trainer.modelPath); "
              + "metrics \(trainer.metricsPath)")
    }
}
