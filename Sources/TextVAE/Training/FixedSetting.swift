/// The training settings a resumed run keeps as it started: its data and how it is read, its tokenizer, vocabulary,
/// model sizes and optimiser settings. Each case is spelled as its `textvae train` flag. The command line reports
/// which of them it was given as cases, not strings, so that a check cannot be lost to a misspelt flag, and
/// `ResumeConflicts` compares every case (its switch has no default), so that a new fixed setting cannot be left
/// unchecked. Settings not listed here (epochs, time limit, patience, checkpoint interval, threads) may change.
package enum FixedSetting: String, CaseIterable, Comparable, Sendable {
    // The model.
    case embedding = "--embedding", hidden = "--hidden", cell = "--cell", latent = "--latent", latentToInputs = "--latent-to-inputs"
    case maxLength = "--max-length", classes = "--classes", baseline = "--baseline"
    case softmax = "--softmax", softmaxCutoffs = "--softmax-cutoffs", tieEmbeddings = "--tie-embeddings"
    case bidirectional = "--bidirectional"
    // The tokenizer and how the corpus is read.
    case tokenizer = "--tokenizer", locale = "--locale", keepCase = "--keep-case", paragraphs = "--paragraphs"
    case skipInvalid = "--skip-invalid"
    // The data and the vocabulary.
    case validFraction = "--valid-fraction", vocab = "--vocab", minCount = "--min-count", maxSize = "--max-size"
    case vocabType = "--vocab-type", subwords = "--subwords"
    case labelColumn = "--label-column", textColumn = "--text-column", labelFile = "--label-file"
    // The optimiser and the objective.
    case batchSize = "--batch-size", learningRate = "--lr", clip = "--clip", wordDropout = "--word-dropout"
    case freeBits = "--free-bits", embeddingDropout = "--embedding-dropout", outputDropout = "--output-dropout"
    case learningRateDecay = "--lr-decay", pretrainEpochs = "--pretrain-epochs", labelWeight = "--label-weight"
    case classKLWeight = "--class-kl-weight", classCapacity = "--class-capacity"
    case gumbelTemperature = "--gumbel-temperature", finalTemperature = "--final-temperature", seed = "--seed"
    // The KL schedule.
    case anneal = "--anneal", k = "--k", x0 = "--x0", cycles = "--cycles", ratio = "--ratio", beta = "--beta"
    case klTarget = "--kl-target", inputNoise = "--input-noise", regulariser = "--regulariser"

    /// The flag, as the user types it.
    package var flag: String { rawValue }

    package static func < (a: FixedSetting, b: FixedSetting) -> Bool { a.rawValue < b.rawValue }
}
