import Foundation

/// Everything a new training run is made from. Every default of a run is
/// written once, here and in the types it holds (`ModelConfig`,
/// `TrainingOptions`, `TokenizerSettings`); the command line shows them.
public struct TrainingPlan: Sendable {
    public var corpus: String
    public var data = DataSettings()
    public var tokenizer = TokenizerSettings()
    /// The model's sizes; `vocabulary` is set from the vocabulary built.
    public var model = ModelConfig.defaults
    public var options = TrainingOptions()
    /// Plan the epochs from the corpus's size (`RunLength`) instead of `options.epochs`; pretraining epochs
    /// come on top.
    public var autoEpochs = true
    /// The KL schedule, placed in the run's plan once the corpus is read; nil: `options.schedule` as set.
    public var annealing: AnnealingRequest? = AnnealingRequest()
    /// Where the best model goes; nil: the corpus's name with `.safetensors`, in the current folder.
    public var output: String?
    /// Start even where an earlier run left its model, checkpoint or metrics log (they are replaced).
    public var overwrite = false
    /// Whether `options.freeBits` was asked for. When not, a run in which every training sentence is labelled (a
    /// conditional model) trains without free bits: they would let z carry the label at no cost, and the decoder
    /// would then lean less on c. On WordNet's parts of speech, conditional samples were recognised as their
    /// class 71% of the time without free bits, 65% with 0.25; semi-supervised runs keep them (their q(c|x)
    /// classified 65% of held-out sentences with 0.25, 58% without).
    public var freeBitsGiven = true

    /// Where the best model goes.
    public var outputPath: String {
        output ?? (URL(fileURLWithPath: corpus).deletingPathExtension().lastPathComponent + ".safetensors")
    }

    public init(corpus: String) {
        self.corpus = corpus
    }
}
