import Foundation

/// What a training run was given, to refuse resuming on different data.
public struct TrainingData: Codable, Equatable, Sendable {
    public var corpus: String
    public var valid: String?
    public var trainSentences: Int
    public var validSentences: Int
    /// FNV-1a hash of the training and validation token ids.
    public var fingerprint: String
    /// How the files were read (nil in checkpoints written before these were stored:
    /// then the resuming command's flags are used, as they were then).
    public var paragraphs: Bool?
    public var skipInvalid: Bool?
    public var validFraction: Double?
    public var vocabularyFile: String?
    public var minCount: Int?
    public var maxSize: Int?

    public init(corpus: String, valid: String?, trainSentences: Int, validSentences: Int, fingerprint: String) {
        self.corpus = corpus
        self.valid = valid
        self.trainSentences = trainSentences
        self.validSentences = validSentences
        self.fingerprint = fingerprint
    }

    public static func fingerprint(_ sets: [[[Int32]]]) -> String {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for set in sets {
            for s in set {
                for id in s { h = (h ^ UInt64(UInt32(bitPattern: id))) &* 0x100_0000_01B3 }
                h = (h ^ 0xFFFF_FFFF) &* 0x100_0000_01B3
            }
        }
        return String(h, radix: 16)
    }
}
