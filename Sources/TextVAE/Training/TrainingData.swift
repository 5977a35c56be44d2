import Foundation

/// What a training run was given, to refuse resuming on different data.
package struct TrainingData: Codable, Equatable, Sendable {
    package var corpus: String
    package var valid: String?
    package var trainSentences: Int
    package var validSentences: Int
    /// FNV-1a hash of the training and validation token ids.
    package var fingerprint: String
    /// How the files were read (nil in checkpoints written before these were stored:
    /// then the resuming command's flags are used, as they were then).
    package var paragraphs: Bool?
    package var skipInvalid: Bool?
    package var validFraction: Double?
    package var vocabularyFile: String?
    package var minCount: Int?
    package var maxSize: Int?
    /// The subword vocabulary's size asked for (nil: words, or a checkpoint from before subwords).
    package var subwords: Int?
    /// Where the labels were read from (nil: no labels, or a checkpoint from before labels).
    package var labelColumns: LabelledLines.Columns?
    package var labelsFile: String?

    package init(corpus: String, valid: String?, trainSentences: Int, validSentences: Int, fingerprint: String) {
        self.corpus = corpus
        self.valid = valid
        self.trainSentences = trainSentences
        self.validSentences = validSentences
        self.fingerprint = fingerprint
    }

    /// What a run is given: the corpus, how it was read (`reading`), and its sentences as ids.
    package init(corpus: String, reading: DataSettings, train: SentenceIDs, valid: [[Int32]], labels: SentenceLabels? = nil) {
        self.init(
            corpus: corpus, valid: reading.valid, trainSentences: train.count, validSentences: valid.count,
            fingerprint: Self.fingerprint(train: train, valid: valid, labels: labels))
        labelColumns = reading.labelColumns
        labelsFile = reading.labelsFile
        paragraphs = reading.paragraphs
        skipInvalid = reading.skipInvalid
        validFraction = reading.validFraction
        vocabularyFile = reading.vocabularyFile
        minCount = reading.minCount
        maxSize = reading.maxSize
        subwords = reading.subwords
    }

    /// How the run read its files, with `fallback`'s values where the checkpoint (from an older textvae) has none.
    package func reading(fallback: DataSettings) -> DataSettings {
        var d = fallback
        d.valid = valid
        d.paragraphs = paragraphs ?? d.paragraphs
        d.skipInvalid = skipInvalid ?? d.skipInvalid
        d.validFraction = validFraction ?? d.validFraction
        d.vocabularyFile = vocabularyFile ?? d.vocabularyFile
        d.minCount = minCount ?? d.minCount
        d.maxSize = maxSize ?? d.maxSize
        d.subwords = subwords
        d.labelColumns = labelColumns
        d.labelsFile = labelsFile
        return d
    }

    /// FNV-1a over each sentence's ids and an end mark after each sentence, training then validation.
    package static func fingerprint(_ sets: [[[Int32]]]) -> String {
        var h = Hash()
        for set in sets { for s in set { s.withUnsafeBufferPointer { h.add($0) } } }
        return h.text
    }

    /// The same fingerprint of training sentences in one buffer (read from a token file, perhaps); with labels,
    /// followed by each sentence's class number (−1: none), training then validation.
    package static func fingerprint(train: SentenceIDs, valid: [[Int32]], labels: SentenceLabels? = nil) -> String {
        var h = Hash()
        for i in train.indices { train.withIDs(i) { h.add($0) } }
        for s in valid { s.withUnsafeBufferPointer { h.add($0) } }
        if let labels {
            let classes = (labels.train + labels.valid).map { Int32($0 ?? -1) }
            classes.withUnsafeBufferPointer { h.add($0) }
        }
        return h.text
    }

    struct Hash {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325

        @inline(__always)
        mutating func add(_ sentence: UnsafeBufferPointer<Int32>) {
            for id in sentence { h = (h ^ UInt64(UInt32(bitPattern: id))) &* 0x100_0000_01B3 }
            h = (h ^ 0xFFFF_FFFF) &* 0x100_0000_01B3
        }

        var text: String { String(h, radix: 16) }
    }
}
