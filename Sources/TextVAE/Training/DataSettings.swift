/// Where a run's sentences come from and how they are read: stored in the
/// checkpoint (`TrainingData`) so that a resumed run reads them the same way.
package struct DataSettings: Equatable, Sendable {
    /// Validation file; nil: hold out every (1/validFraction)-th sentence of the corpus.
    package var valid: String?
    /// Share of the corpus held out when no validation file is given.
    package var validFraction = 0.05
    /// Running text split into sentences by ICU, instead of one sentence per line.
    package var paragraphs = false
    /// Skip lines that are not valid UTF-8 instead of refusing the file.
    package var skipInvalid = false
    /// A vocabulary file to use instead of building one.
    package var vocabularyFile: String?
    /// Vocabulary: leave out tokens seen fewer times; `Vocabulary.automaticMinCount` (the default, `--min-count
    /// auto`): 2 when the words seen at least twice cover 95% of the training tokens, else 1
    /// (`Vocabulary.minCount(for:)`). Leaving out the words seen once shrinks the output layer, most of an
    /// update's time (5,000 lines of the Penn Treebank: 7,010 entries with 1, 5,151 with 2), where that costs
    /// the corpus little.
    package var minCount = Vocabulary.automaticMinCount
    /// Vocabulary: at most this many words (plus the four specials).
    package var maxSize = 20_000
    /// A subword vocabulary (byte-pair encoding) of about this many pieces, specials included;
    /// nil: a vocabulary of words (`minCount`, `maxSize`).
    package var subwords: Int?
    /// Labels (a conditional or semi-supervised model): which tab-separated column holds each line's label
    /// and which its sentence, or a file of one label per line. Labelled files are read into memory, not
    /// through a token file.
    package var labelColumns: LabelledLines.Columns?
    package var labelsFile: String?
    package var hasLabels: Bool { labelColumns != nil || labelsFile != nil }
    /// The subword vocabulary size when subwords are asked for without a size.
    package static let defaultSubwords = 8_000

    package init() {}
}
