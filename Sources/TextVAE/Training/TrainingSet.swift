/// Training and validation sentences as token ids, ready for a `Trainer`.
package struct TrainingSet {
    /// Cut to the model's length; in memory, or mapped from a token file.
    package var train: SentenceIDs
    package var valid: [[Int32]]
    package var vocabulary: Vocabulary
    /// Sentences cut to the maximum length (training and validation).
    package var truncated: Int
    /// The sentences' classes, when the run has labels.
    package var labels: SentenceLabels?

    package init(train: [[Int32]], valid: [[Int32]], vocabulary: Vocabulary, truncated: Int, labels: SentenceLabels? = nil) {
        self.train = SentenceIDs(train)
        self.valid = valid
        self.vocabulary = vocabulary
        self.truncated = truncated
        self.labels = labels
    }

    /// A labelled corpus read whole into memory: held out and encoded as `init(corpus:...)` does, each sentence
    /// keeping its label. Runs read labelled corpora through token files; this is the reference the tests hold
    /// that route to (`LabelledTokenFileTests`), as `TrainingRun.read` is for corpora without labels.
    /// Without a validation file, the held-out sentences keep theirs; a validation file read without labels
    /// (`validCorpus.labels` all empty) gives unlabelled validation sentences.
    package init(
        labelled corpus: LabelledCorpus, validCorpus: LabelledCorpus?, validFraction: Double, vocabulary: Vocabulary?,
        minCount: Int, maxSize: Int, subwords: Int?, maxLength: Int, corpusName: String
    ) throws {
        self = try TrainingSet(
            corpus: Corpus(sentences: corpus.sentences), validCorpus: validCorpus.map { Corpus(sentences: $0.sentences) },
            validFraction: validFraction, vocabulary: vocabulary, minCount: minCount, maxSize: maxSize,
            subwords: subwords, maxLength: maxLength, corpusName: corpusName)
        var trainLabels = corpus.labels, validLabels: [String]
        if let validCorpus {
            validLabels = validCorpus.labels
        } else {
            (trainLabels, validLabels) = HoldOut(fraction: validFraction, sentences: trainLabels.count).split(trainLabels)
        }
        labels = try SentenceLabels(train: trainLabels, valid: validLabels, corpusName: corpusName)
    }

    /// - Parameters:
    ///   - validFraction: without a validation corpus, the sentences `HoldOut` names are held out.
    ///   - vocabulary: a given vocabulary, or nil to build one from the training sentences: of words
    ///     (`minCount`, `maxSize`), or with `subwords`, of about that many byte-pair pieces.
    package init(
        corpus: Corpus, validCorpus: Corpus?, validFraction: Double, vocabulary: Vocabulary?,
        minCount: Int, maxSize: Int, subwords: Int? = nil, maxLength: Int, corpusName: String
    ) throws {
        var trainTokens = corpus.sentences, validTokens: [[String]]
        if let validCorpus {
            validTokens = validCorpus.sentences
        } else {
            guard trainTokens.count >= 2 else {
                throw TextVAEError.file(
                    corpusName, "has only \(trainTokens.count) sentence, too few to hold some out for validation",
                    fix: "give more sentences, or a validation file with --valid")
            }
            // At least one sentence is held out, however small the corpus.
            (trainTokens, validTokens) = HoldOut(fraction: validFraction, sentences: trainTokens.count).split(trainTokens)
        }
        let vocab =
            try vocabulary ?? subwords.map { try Vocabulary(learningSubwords: trainTokens, size: $0) }
            ?? Vocabulary(building: trainTokens, minCount: minCount, maxSize: maxSize)
        if vocab.coverage(of: validTokens) == 0 {
            throw TextVAEError.file(
                "the validation sentences share no word with the training vocabulary; "
                    + "give a validation file in the same language and tokenisation as the corpus")
        }
        if validTokens.isEmpty {
            throw TextVAEError.file("the validation file holds no sentences; give one with text, or leave out --valid")
        }
        var truncated = 0
        func encode(_ s: [String]) -> [Int32] {
            let ids = vocab.ids(s)  // with subwords, longer than the words
            if ids.count > maxLength { truncated += 1 }
            return Array(ids.prefix(maxLength))
        }
        train = SentenceIDs(trainTokens.map(encode))
        valid = validTokens.map(encode)
        self.vocabulary = vocab
        self.truncated = truncated
    }

    /// The sentences of a token file: all of them for training when a validation corpus is given (encoded with
    /// the file's vocabulary), else the file's hold-out. Sentences are cut to `maxLength` as they are read.
    /// A token file with labels gives the run its labels (see `SentenceLabels`); `validLabels` are the
    /// validation corpus's ("" for none), or nil when it has none.
    package init(tokenFile: TokenFile, validCorpus: Corpus?, validLabels: [String]? = nil, maxLength: Int) throws {
        let all = tokenFile.sentences.selecting(.all, maxLength: maxLength)
        let vocabulary = tokenFile.vocabulary
        if let validCorpus {
            train = all
            if let labels = tokenFile.labels {
                self.labels = try SentenceLabels(
                    train: labels.map { $0 ?? "" }, valid: validLabels ?? validCorpus.sentences.map { _ in "" },
                    corpusName: tokenFile.header.source.path)
            }
            let ids = validCorpus.sentences.map(vocabulary.ids)
            valid = ids.map { Array($0.prefix(maxLength)) }
            truncated = ids.filter { $0.count > maxLength }.count
        } else {
            guard let fraction = tokenFile.header.recipe.heldOutFraction, all.count >= 2 else {
                throw TextVAEError.file(
                    tokenFile.path,
                    all.count < 2
                        ? "has only \(all.count) sentence, too few to hold some out for validation"
                        : "holds no hold-out (it was prepared for a run with --valid)",
                    fix: "give a validation file with --valid")
            }
            let holdOut = HoldOut(fraction: fraction, sentences: all.count)
            if let labels = tokenFile.labels {
                let (trainLabels, heldOutLabels) = holdOut.split(labels.map { $0 ?? "" })
                self.labels = try SentenceLabels(train: trainLabels, valid: heldOutLabels, corpusName: tokenFile.header.source.path)
            }
            train = tokenFile.sentences.selecting(.kept(holdOut), maxLength: maxLength)
            let heldOut = tokenFile.sentences.selecting(.heldOut(holdOut), maxLength: maxLength)
            valid = heldOut.arrays
            truncated = heldOut.indices.filter { heldOut.isCut($0) }.count
        }
        let training = train
        for i in training.indices where training.isCut(i) { truncated += 1 }
        if valid.isEmpty {
            throw TextVAEError.file("the validation file holds no sentences; give one with text, or leave out --valid")
        }
        if !valid.contains(where: { $0.contains { $0 != Int32(Vocabulary.unk) } }) {
            throw TextVAEError.file(
                "the validation sentences share no word with the training vocabulary; "
                    + "give a validation file in the same language and tokenisation as the corpus")
        }
        self.vocabulary = vocabulary
    }
}
