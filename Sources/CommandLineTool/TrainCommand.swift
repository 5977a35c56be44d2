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
              textvae train corpus.txt --time-limit 3      # a plan that fits 3 minutes
              textvae train --resume model.checkpoint.safetensors
              textvae train --resume model.checkpoint.safetensors --epochs 20   # train longer
              mpirun -np 4 textvae train corpus.tokens -o model.safetensors     # 4 ranks (MPI)
              textvae train labelled.tsv --label-column 1    # label<TAB>sentence: a conditional model
              textvae train corpus.txt --classes 4 --class-capacity 1   # 4 classes learned without labels

            Labels: with --label-column N (or --label-file FILE, one per line), the model
            gets a class c beside z, K = the distinct labels: the decoder starts from
            [z; c], and q(c|x) is trained as a classifier too (--label-weight). Lines whose
            label is empty train semi-supervised (Kingma et al.'s M2: c from q(c|x) by the
            Gumbel-softmax, with its own KL term, --class-kl-weight). Without labels,
            --classes K learns K classes unsupervised (JointVAE; --class-capacity C asks
            them to carry about C nats, at most log K). When every line is labelled, free
            bits are off unless --free-bits is given (they let z carry the label for free).
            A labelled file is read into memory, not through a token file. Then: textvae
            classify, and --with-label in sample, reconstruct and interpolate.

            The corpus is tokenised once into MODEL.tokens (token ids, next to the model),
            which the next run on the same text and settings reuses; a token file written
            by 'textvae prepare' may be given instead of the text.

            Started by mpirun (Open MPI), the ranks train one model together: each computes
            its share of every batch of --batch-size sentences, the gradients are summed,
            each rank makes Adam's step for its share of the parameters, and rank 0 alone
            prints and writes files. The same seed gives the same model with any number of
            ranks, up to float summation order.

            The run is planned once the corpus is read, and its first lines say the plan.
            --epochs auto (the default) aims at about \(RunLength.vae.targetUpdates) updates: \(RunLength.vae.epochRange.upperBound) epochs for a
            file of a few thousand lines, \(RunLength.vae.epochRange.lowerBound) for a very large one (an autoencoder,
            --regulariser adversarial: \(RunLength.autoencoder.targetUpdates) updates, up to \(RunLength.autoencoder.epochRange.upperBound) epochs). The KL weight β
            rises along a logistic curve placed in the plan (--x0 \(Int(100 * AnnealingRequest.defaultMidpointShare))%: β is ½ after 27%
            of the updates and final after 47%), so small and large corpora both finish
            annealing with half of the run left. With --time-limit, the first updates are
            timed and the curve is placed in the updates that fit (again at an epoch's end
            if the run has slowed since). While β rises, each epoch's model replaces the
            last; once β is final, the epoch with the lowest validation −ELBO is kept, and
            only those epochs count for --patience and --lr-decay. The last line names
            the epoch kept, its β, KL and −ELBO.

            Beyond the PyTorch reference's settings (word dropout 0.25, logistic
            annealing), the defaults halve the learning rate after an epoch that does not
            improve the validation −ELBO (--lr-decay 0.5), keep every latent dimension in
            use (free bits 0.25 nats each) and leave words seen once out of the vocabulary
            when the others cover 95% of the tokens (--min-count auto); --free-bits 0
            --lr-decay 1 --min-count 1 gives the reference's. Off by default: dropout in
            the decoder (--embedding-dropout, --output-dropout).

            If the KL ends near 0 (posterior collapse: the decoder ignores z): a larger
            --free-bits (0.5 to 2), more --word-dropout, --pretrain-epochs 2 (Li et al.
            2019), or --anneal cyclical (Fu et al. 2019). If the run ends before β is final
            (the last line says so), anneal sooner (--x0 15%) or train longer. Annealing
            more slowly (--x0 40%) helps a large corpus whose decoder learns fast; it is
            the wrong way for a small file, whose run is short. Running text wrapped at a
            fixed width wants --paragraphs (train warns when a file looks like it). Ctrl-C
            saves a checkpoint and says how to resume.
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

    @Option(
        help: ArgumentHelp(
            "Settings for a kind of corpus or use, filled in where no flag gives them. large: for corpora of tens of thousands of sentences, \(TrainingPreset.large.flags); on Penn Treebank (29,727 sentences) an NLL of 106.83 against the defaults' 109.34 in 10 epochs, but 2-8 nats behind them on 1,000-5,000 lines. homotopy: an autoencoder whose interpolations start and end at the sentences typed (the demo's recipe), \(TrainingPreset.homotopy.flags); on WordNet's examples it gives back a quarter of held-out sentences and, refined, half of training ones (a VAE of the same sizes: 13% and 14%), but its NLL and KL mean nothing (default: none).",
            valueName: "large|homotopy"))
    var preset: TrainingPreset?

    @OptionGroup(title: "Data") var data: DataOptions
    @OptionGroup(title: "Model") var modelOptions: ModelOptions
    @OptionGroup(title: "Optimisation") var optimisation: OptimisationOptions
    @OptionGroup(title: "Tokenizer") var tokenization: TokenizerOptions

    @Flag(help: "Redraw the training curves to MODEL.curves.svg at the end of each epoch (see 'textvae plot').")
    var plot = false

    @Flag(name: .shortAndLong, help: "Print only errors and the final line.")
    var quiet = false

    @Flag(
        help:
            "Train with the other ranks of an MPI job (found by itself when mpirun started textvae); needs Open MPI (apt-get install openmpi-bin libopenmpi-dev, or TEXTVAE_MPI_LIBRARY=/path/to/libmpi.so for another build)."
    )
    var distributed = false

    @Flag(help: "Say which BLAS kernel is used, and more.")
    var verbose = false

    func validate() throws {
        if corpus == nil && resume == nil { throw ValidationError("give a corpus to train on, or --resume CHECKPOINT") }
        if resume != nil && preset != nil { throw ValidationError("a resumed run keeps the settings it started with: leave out --preset") }
        if preset == .homotopy && optimisation.regulariser == nil
            && (optimisation.klTarget != nil || (optimisation.freeBits ?? 0) > 0 || modelOptions.baseline != nil)
        {
            throw ValidationError(
                "--preset homotopy trains with an adversarial prior, which has no KL term to steer or shape: leave out --kl-target, --free-bits and --baseline (or give --regulariser kl)"
            )
        }
        try data.check()
        try modelOptions.check()
        try optimisation.check()
        if modelOptions.baseline != nil
            && (data.hasLabels || (optimisation.pretrainEpochs ?? 0) > 0 || optimisation.klTarget != nil || optimisation.regulariser != nil)
        {
            throw ValidationError(
                "--baseline lm has no latent to carry labels, pretrain, hold a KL or regularise: leave out the label options, --pretrain-epochs, --kl-target and --regulariser"
            )
        }
    }

    func run() throws {
        try BLAS.load()
        guard distributed || MPICollective.launchedByMPI else {
            return try ExitStatus.interruptible { try train(collective: SingleProcess()) }
        }
        let ranks = try MPICollective()
        do {
            try train(collective: ranks)
            ranks.finish()
        } catch let interrupted as TrainingInterrupted {
            // The ranks decided to stop together, at the same update: none waits for another, so the job ends in order.
            ranks.finish()
            if ranks.isLeader { warn(interrupted.description) }
            throw ExitCode(130)
        } catch {
            // The other ranks would wait for this one in their next sum: end them all.
            warn("error on rank \(ranks.rank) of \(ranks.size): \(error)")
            ranks.abort(code: 1)
        }
    }

    /// Which epoch's model the run kept, its figures, and why; for a run that ended while β was still
    /// rising, what to do.
    static func kept(_ cp: Checkpoint, _ batchesPerEpoch: Int) -> String {
        guard let kept = cp.state.kept else { return "no epoch finished, no model kept" }
        if cp.file.model.config.code == 0 {
            return "kept epoch \(kept.epoch): the lowest validation NLL, \(f(kept.nelbo, 2)) (a language model: no β, no KL)"
        }
        let figures = "kept epoch \(kept.epoch) (β \(f(Double(kept.beta), 2)), validation KL \(f(kept.kl, 2)), −ELBO \(f(kept.nelbo, 2)))"
        let annealed = cp.options.annealedStep(batchesPerEpoch: batchesPerEpoch)
        if let target = cp.options.klTarget {
            let steered = "β steered to hold the KL at \(String(format: "%g", target)) nats"
            if kept.annealed { return figures + ": the lowest validation −ELBO from update \(annealed) on (\(steered))" }
            return figures + ", the latest: the run ended before update \(annealed), from which epochs compete (\(steered)); "
                + "train longer (--resume \(RunFiles(model: cp.output).checkpoint) --epochs N) or let them compete sooner (--x0 20%)"
        }
        if kept.annealed && cp.options.regulariser == .adversarial {
            let rec: String = kept.rec.map { ", \(f($0, 2))," } ?? ""
            return figures + ": the lowest validation reconstruction\(rec) once β was at its final value "
                + "(an adversarial prior does not train the KL term, so epochs compete on reconstruction)"
        }
        if kept.annealed { return figures + ": the lowest validation −ELBO once β was at its final value" }
        return figures + ", the latest: the run ended before β reached its final value (at update \(annealed)), so its −ELBO "
            + "is not the model's; train longer (--resume \(RunFiles(model: cp.output).checkpoint) --epochs N), give a longer --time-limit, "
            + "or anneal sooner (--x0 20%)"
    }

    func train(collective: any Collective) throws {
        let display = TrainingDisplay(quiet: quiet || !collective.isLeader)
        if verbose && collective.isLeader {
            display.line("BLAS: \(BLAS.description(threads: optimisation.threads))")
            if collective.size > 1 { display.line("MPI: \(MPICollective.libraryVersion), \(collective.size) ranks") }
        }
        Interruption.install()
        if let corpus, resume == nil, !tokenization.paragraphs, !data.hasLabels, collective.isLeader,
            LineWrapping.looksWrapped(path: corpus)
        {
            display.show(
                .warning(
                    "\(corpus) looks like running text wrapped at a fixed width (most lines are about as long and end "
                        + "mid-sentence); the model would learn line fragments. If it is, train with --paragraphs (paragraphs "
                        + "separated by blank lines are split into sentences)"))
        }

        var plan = TrainingPlan(corpus: corpus ?? "")
        plan.data = data.settings(tokenization)
        plan.tokenizer = tokenization.settings
        plan.model = modelOptions.config
        plan.softmax = try modelOptions.softmaxRequest
        plan.options = optimisation.options
        plan.annealing = optimisation.annealing
        plan.autoEpochs = optimisation.autoEpochs
        plan.freeBitsGiven = optimisation.freeBits != nil
        let given = modelOptions.given.union(optimisation.givenFixed)
        plan.mayAdvisePreset = preset == nil && given.isDisjoint(with: TrainingPreset.overridingSettings)
        if let preset {
            preset.apply(to: &plan, given: given)
            display.line("preset \(preset.rawValue): \(preset.flags), except where a flag says otherwise")
        }
        plan.output = output
        plan.overwrite = overwrite
        // A bar for corpora that take more than a few seconds to tokenise (the first run on them).
        let bar = collective.isLeader && !quiet ? ProgressBar("tokenising") : nil
        let progress: (CorpusPreparation.Progress) -> Void = { p in
            if p.bytes >= 32 << 20 { bar?.update(Int(p.bytesRead >> 20), of: Int(p.bytes >> 20), detail: "MB, \(p.sentences) sentences") }
        }
        let trainer: Trainer
        if let resume {
            var changes = TrainingRun.Changes()
            changes.epochs = optimisation.epochs?.number
            changes.patience = optimisation.patience
            changes.timeLimitMinutes = optimisation.timeLimitMinutes
            changes.checkpointSteps = optimisation.checkpointSteps
            changes.checkpointMinutes = optimisation.checkpointMinutes
            changes.output = output
            changes.corpus = corpus
            changes.valid = data.valid
            changes.overwrite = overwrite
            changes.given = data.given.union(tokenization.given).union(modelOptions.given).union(optimisation.givenFixed)
            changes.requested = plan
            trainer = try TrainingRun.resume(
                resume, changes: changes, threads: optimisation.threads, collective: collective,
                progress: progress,
                note: {
                    bar?.finish(); display.line($0)
                })
        } else {
            trainer = try TrainingRun.start(
                plan, threads: optimisation.threads, collective: collective, progress: progress,
                note: {
                    bar?.finish(); display.line($0)
                })
        }
        let outcome = try trainer.run { event in
            display.show(event)
            if plot, case .epoch = event { CurvePlot.drawDuringTraining(trainer, warn: { display.show(.warning($0)) }) }
        }
        display.finish()
        guard collective.isLeader else { return }
        let cp = trainer.checkpoint
        print(
            "\(outcome == .finished ? "finished" : outcome == .earlyStopped ? "stopped early" : "time limit reached"): "
                + "\(cp.state.step) steps; \(Self.kept(cp, trainer.batchesPerEpoch)); model \(trainer.modelPath); metrics \(trainer.metricsPath)"
        )
        if collective.size > 1 {
            let P = cp.file.model.layout.total
            let messages =
                trainer.parameterShares != nil
                ? "each making 1/\(collective.size) of Adam's step: the gradient's sum (a ring of MPI_Sendrecv over \(P) floats) "
                    + "and the parameters' gather (MPI_Allgatherv)"
                : "the gradient's sum (MPI_Allreduce of \(P) floats)"
            print(
                "\(collective.size) ranks, \(messages) took "
                    + "\(f(100 * trainer.sumSeconds / max(trainer.updateSeconds, 1e-9), 1))% of rank 0's update time "
                    + "(\(f(1000 * trainer.sumSeconds / Double(max(1, trainer.updateCount)), 1)) ms an update)")
        }
    }
}

extension TrainingPreset: ExpressibleByArgument {}
