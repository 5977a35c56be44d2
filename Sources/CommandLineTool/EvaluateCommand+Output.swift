import Foundation
import TextVAE

/// What `textvae evaluate` prints: the figures it computed, as one JSON object or as a table and sentences.
extension EvaluateCommand {
    /// Every figure of one evaluation; nil for those not asked for, or that the model has none of.
    struct Figures {
        var report: EvaluationReport
        var unknownShare: Double
        var reconstruction: (ReconstructionScore, CorpusBLEU)?
        var geometry: LatentGeometry?
        var samples: SampleQuality?
        var paths: PathQuality?
    }

    /// The figures as one JSON object, keys as the Evaluation metrics article lists them.
    func json(_ figures: Figures, classes: Int, precision: String) -> String {
        let (r, unknown, reconstruction, geometry) = (figures.report, figures.unknownShare, figures.reconstruction, figures.geometry)
        let (quality, pathQuality) = (figures.samples, figures.paths)
        let pairs: [(String, String)] = [
            ("file", JSON.string(file)), ("sentences", String(r.sentences)), ("tokens", String(r.tokens)), ("k", String(r.samples)),
            ("rec", JSON.number(r.rec)), ("kl", JSON.number(r.kl)), ("nelbo", JSON.number(r.nelbo)),
            ("nll", JSON.number(r.nll)), ("nll_se", JSON.number(r.nllStandardError)), ("ppl", JSON.number(r.ppl)),
            ("words", String(r.words)), ("word_ppl", JSON.number(r.wordPPL)), ("unk_share", JSON.number(unknown)),
            ("mi", JSON.number(r.mi)), ("mi_batch", String(r.miBatch)), ("au", String(r.au)),
            ("mu_var", "[" + r.muVariance.map(JSON.number).joined(separator: ",") + "]"), ("seed", String(seed)),
            ("refine", String(refinement.refine)), ("output_layer", JSON.string(precision)),
        ]
        var classPairs: [(String, String)] = []
        if classes > 0 { classPairs += [("classes", String(classes)), ("kl_c", JSON.number(r.classKL))] }
        if let accuracy = r.labelAccuracy { classPairs += [("accuracy", JSON.number(accuracy)), ("labelled", String(r.labelled))] }
        if let (score, bleu) = reconstruction {
            classPairs += [
                ("recon_exact", JSON.number(score.exactShare)), ("recon_token_accuracy", JSON.number(score.tokenAccuracy)),
                ("recon_bleu", JSON.number(bleu.score)),
            ]
        }
        if let geometry {
            classPairs += [
                ("geometry_copies", String(geometry.copies)), ("geometry_own_neighbour", JSON.number(geometry.ownNeighbourShare)),
            ]
        }
        var samplePairs: [(String, String)] = []
        if let quality {
            samplePairs += [
                ("prior_samples", String(quality.samples)), ("samples_degenerate_raw", JSON.number(quality.degenerateRawShare)),
                ("file_degenerate", JSON.number(quality.referenceDegenerateShare)),
                ("samples_distinct_1", JSON.number(quality.distinct1)), ("samples_distinct_2", JSON.number(quality.distinct2)),
                ("samples_mean_length", JSON.number(quality.meanLength)), ("samples_empty", String(quality.empty)),
            ]
            // As typed (0.9), not as the float widens (0.8999999761581421).
            if let p = quality.topP { samplePairs.append(("samples_top_p", JSON.number(Double("\(p)") ?? Double(p)))) }
            if let lm = languageModel, let sample = quality.samplePerplexity, let file = quality.referencePerplexity {
                samplePairs += [("lm", JSON.string(lm)), ("samples_lm_ppl", JSON.number(sample)), ("file_lm_ppl", JSON.number(file))]
            }
        }
        var pathPairs: [(String, String)] = []
        if let q = pathQuality {
            pathPairs = [
                ("paths", String(q.paths)), ("path_steps", String(Interpolation.defaultSteps)),
                ("path_max_words", String(Self.pathMaxWords)), ("path_both_ends_exact", JSON.number(q.bothEndsExactShare)),
                ("path_ends_exact", JSON.number(q.endsExactShare)), ("path_distinct", JSON.number(q.meanDistinct)),
                ("path_step_edit", JSON.number(q.meanStepDistance)), ("path_monotone", JSON.number(q.monotoneShare)),
            ]
        }
        return JSON.object(pairs + classPairs + samplePairs + pathPairs)
    }

    /// The figures as a table and a sentence for each group.
    func printText(_ figures: Figures, classes: Int, precision: String) {
        let (r, unknown, reconstruction, geometry) = (figures.report, figures.unknownShare, figures.reconstruction, figures.geometry)
        let (quality, pathQuality) = (figures.samples, figures.paths)
        let columns = ["sentences", "tokens", "k", "rec", "kl", "nelbo", "nll", "ppl", "word_ppl", "mi", "au"]
        let values = [
            String(r.sentences), String(r.tokens), String(r.samples), f(r.rec, 4), f(r.kl, 4), f(r.nelbo, 4),
            f(r.nll, 4), f(r.ppl, 4), f(r.wordPPL, 4), f(r.mi, 4), String(r.au),
        ]
        print(columns.map { pad($0) }.joined(separator: " "))
        print(values.map { pad($0) }.joined(separator: " "))
        print(
            "nll ± \(f(r.nllStandardError, 4)) (Monte-Carlo standard error); mi is an estimate (He et al. 2019, "
                + "batches of \(r.miBatch) in file order, at most log \(r.miBatch) = \(f(log(Double(r.miBatch)), 2))); "
                + "<unk> is \(f(100 * unknown, 2))% of the tokens (compare models only at equal shares); output layer in "
                + (precision == "bfloat16" ? "bfloat16 (TEXTVAE_BF16=0: float32)" : precision))
        if let (score, bleu) = reconstruction {
            print(
                "greedy decoding of each sentence's posterior mean\(refinement.refine > 0 ? " refined by \(refinement.refine) steps" : ""), "
                    + "as 'textvae reconstruct\(refinement.refine > 0 ? " --refine \(refinement.refine)" : "")' gives it: \(f(100 * score.exactShare, 2))% "
                    + "exactly the sentence, token accuracy \(f(100 * score.tokenAccuracy, 2))%, BLEU-4 \(f(100 * bleu.score, 2))")
        }
        if let geometry {
            print(
                "latent geometry: with one word deleted, \(f(100 * geometry.ownNeighbourShare, 1))% of \(geometry.copies) sentences "
                    + "have their own source as the nearest posterior mean among the file's")
        }
        if let quality {
            print(
                "\(quality.samples) prior samples (as 'textvae sample -n \(quality.samples) --seed \(seed)"
                    + (quality.topP.map { " --top-p \($0)" } ?? "") + "' prints them): "
                    + "\(f(100 * quality.degenerateRawShare, 1))% degenerate without the repetition rule (this file's sentences: "
                    + "\(f(100 * quality.referenceDegenerateShare, 1))%), distinct-1 "
                    + "\(f(quality.distinct1, 3)), distinct-2 \(f(quality.distinct2, 3)), \(f(quality.meanLength, 1)) tokens on average"
                    + (quality.empty > 0 ? " (\(quality.empty) empty, left out of the perplexity)" : "")
                    + (quality.samplePerplexity.map { sample in
                        "; perplexity under \(languageModel ?? "the language model"): samples \(f(sample, 1)), this file's sentences "
                            + "\(f(quality.referencePerplexity ?? .nan, 1)) (×\(f(sample / (quality.referencePerplexity ?? .nan), 2)))"
                    } ?? ""))
        }
        if let q = pathQuality {
            print(
                "\(q.paths) paths of \(Interpolation.defaultSteps) steps (as 'textvae interpolate' prints them) between sentences of at most "
                    + "\(Self.pathMaxWords) words: \(f(100 * q.bothEndsExactShare, 1))% start and end at exactly their sentences "
                    + "(\(f(100 * q.endsExactShare, 1))% of the ends), \(f(q.meanDistinct, 2)) distinct sentences a path, "
                    + "\(f(q.meanStepDistance, 2)) words changed a step, \(f(100 * q.monotoneShare, 1))% never turn back")
        }
        if classes > 0 {
            print(
                "classes: \(classes); kl_c \(f(r.classKL, 4)) (in nelbo); nll sums over the classes exactly (uniform prior on c)"
                    + (r.labelAccuracy.map { "; label accuracy of q(c|x) \(f(100 * $0, 2))% on \(r.labelled) labelled sentences" } ?? ""))
        }
    }
}
