import Foundation

/// Everything a new training run is made from. Every default of a run is
/// written once, here and in the types it holds (`ModelConfig`,
/// `TrainingOptions`, `TokenizerSettings`); the command line shows them.
package struct TrainingPlan: Sendable {
    package var corpus: String
    package var data = DataSettings()
    package var tokenizer = TokenizerSettings()
    /// The model's sizes; `vocabulary` is set from the vocabulary built.
    package var model = ModelConfig.defaults
    /// The output layer; its cutoffs go into `model` once the vocabulary is built.
    package var softmax = SoftmaxRequest.full
    package var options = TrainingOptions()
    /// Plan the epochs from the corpus's size (`RunLength`) instead of `options.epochs`; pretraining epochs
    /// come on top.
    package var autoEpochs = true
    /// The KL schedule, placed in the run's plan once the corpus is read; nil: `options.schedule` as set.
    package var annealing: AnnealingRequest? = AnnealingRequest()
    /// Where the best model goes; nil: the corpus's name with `.safetensors`, in the current folder.
    package var output: String?
    /// Start even where an earlier run left its model, checkpoint or metrics log (they are replaced).
    package var overwrite = false
    /// Whether `options.freeBits` was asked for. When not, a run in which every training sentence is labelled (a
    /// conditional model) trains without free bits: they would let z carry the label at no cost, and the decoder
    /// would then lean less on c. On WordNet's parts of speech, conditional samples were recognised as their
    /// class 71% of the time without free bits, 65% with 0.25; semi-supervised runs keep them (their q(c|x)
    /// classified 65% of held-out sentences with 0.25, 58% without).
    package var freeBitsGiven = true
    /// Whether the run may say that a preset would suit the corpus (`TrainingPreset.advised`): the command line
    /// sets it when the user gave no preset and none of the settings one chooses.
    package var mayAdvisePreset = false

    /// Where the best model goes.
    package var outputPath: String {
        output ?? (URL(fileURLWithPath: corpus).deletingPathExtension().lastPathComponent + ".safetensors")
    }

    package init(corpus: String) {
        self.corpus = corpus
    }
}
