/// One setting of `TrainingOptions` that `textvae train` takes as a flag, described once: its flag, its name in
/// messages, the values it may take, and whether a resumed run must keep it. The command line's check of its
/// flags, the check of options read from a checkpoint (`TrainingOptions.problem`) and the resume comparison
/// (`ResumeConflicts`) are all derived from `TrainingOptions.settings`, so a range is written in one place.
/// (The KL schedule's flags are checked by `AnnealingRequest`, the model's and the data's by their own types.)
package struct TrainingSetting {
    /// The flag, as the user types it.
    package let flag: String
    /// The setting's name in a message about a checkpoint ("learning rate").
    package let name: String
    /// What a valid value is, completing "--flag must be …".
    package let requirement: String
    /// The setting as a resume compares it (nil: a resumed run may change it, as it may its epochs).
    package let fixed: FixedSetting?
    /// Whether the value in these options is one the setting may take.
    package let isValid: (TrainingOptions) -> Bool
    /// The value in these options, as text.
    package let value: (TrainingOptions) -> String

    init<Value>(
        _ flag: String, _ name: String, _ keyPath: KeyPath<TrainingOptions, Value>, fixed: Bool = true, must requirement: String,
        describe: @escaping (Value) -> String = { "\($0)" }, _ isValid: @escaping (Value) -> Bool
    ) {
        self.flag = flag
        self.name = name
        self.requirement = requirement
        self.fixed = fixed ? FixedSetting(rawValue: flag) : nil
        self.isValid = { isValid($0[keyPath: keyPath]) }
        self.value = { describe($0[keyPath: keyPath]) }
    }
}

extension TrainingOptions {
    /// Every setting of these options that has a flag of its own (the KL schedule's aside).
    package static var settings: [TrainingSetting] {
        let positive: (Float) -> Bool = { $0 > 0 && $0.isFinite }
        let zeroOrMore: (Float) -> Bool = { $0 >= 0 && $0.isFinite }
        let minutes: (Double) -> Bool = { $0 >= 0 && $0.isFinite }
        let dropout: (Float) -> Bool = { $0 >= 0 && $0 < 1 }
        let temperature: (Float) -> Bool = { $0 > 0 && $0 <= 100 }
        return [
            .init("--epochs", "epochs", \.epochs, fixed: false, must: "at least 1, or auto") { $0 >= 1 },
            .init("--batch-size", "batch size", \.batchSize, must: "between 1 and 4096") { (1...4096).contains($0) },
            .init("--lr", "learning rate", \.learningRate, must: "a positive number below 10, such as 0.001") { $0 > 0 && $0 < 10 },
            .init("--clip", "gradient clip", \.clip, must: "a positive number such as 5", positive),
            .init("--word-dropout", "word dropout", \.wordDropout, must: "between 0 and 1") { $0 >= 0 && $0 <= 1 },
            .init(
                "--kl-target", "KL target", \.klTarget, must: "a number of nats above 0 (at most 10000), such as 10",
                describe: { $0.map { "\($0)" } ?? "none" }, { $0.map { $0 > 0 && $0 <= largestKLTarget } ?? true }),
            .init(
                "--regulariser", "latent regulariser", \.regulariser, must: "kl or adversarial", describe: { $0.rawValue }, { _ in true }),
            .init("--free-bits", "free bits", \.freeBits, must: "0 or more", zeroOrMore),
            .init(
                "--input-noise", "input noise", \.inputNoise, must: "noise the encoder can read, such as drop:0.1,shuffle:3",
                describe: { $0.map { "\($0)" } ?? "none" }, { $0?.problem == nil }),
            .init("--embedding-dropout", "embedding dropout", \.embeddingDropout, must: "at least 0 and below 1, such as 0.3", dropout),
            .init("--output-dropout", "output dropout", \.outputDropout, must: "at least 0 and below 1, such as 0.3", dropout),
            .init("--lr-decay", "learning-rate decay", \.learningRateDecay, must: "above 0 and at most 1, such as 0.5") {
                $0 > 0 && $0 <= 1
            },
            .init("--pretrain-epochs", "pretraining epochs", \.pretrainEpochs, must: "0 or more") { $0 >= 0 },
            .init("--label-weight", "label weight", \.labelWeight, must: "0 or more", zeroOrMore),
            .init("--class-kl-weight", "class KL weight", \.classWeight, must: "0 or more", zeroOrMore),
            .init("--class-capacity", "class capacity", \.classCapacity, must: "0 or more", zeroOrMore),
            .init(
                "--gumbel-temperature", "Gumbel-softmax temperature", \.temperature, must: "above 0 (and at most 100), such as 0.5",
                temperature),
            .init(
                "--final-temperature", "final temperature", \.finalTemperature, must: "above 0 (and at most 100), such as 0.5", temperature),
            .init("--seed", "seed", \.seed, must: "a whole number from 0") { _ in true },
            .init("--patience", "patience", \.patience, fixed: false, must: "0 or more epochs") { $0 >= 0 },
            .init("--checkpoint-steps", "checkpoint steps", \.checkpointSteps, fixed: false, must: "0 or more updates") { $0 >= 0 },
            .init("--checkpoint-minutes", "checkpoint minutes", \.checkpointMinutes, fixed: false, must: "0 or more minutes", minutes),
            .init("--time-limit", "time limit", \.timeLimitMinutes, fixed: false, must: "0 (no limit) or a time such as 30m", minutes),
        ]
    }

    /// The setting a resume compares as `fixed`; every fixed setting kept in these options has one (a test checks).
    package static func setting(_ fixed: FixedSetting) -> TrainingSetting? { settings.first { $0.fixed == fixed } }

    /// The first setting whose value is not one it may take, or nil.
    package var invalidSetting: TrainingSetting? { Self.settings.first { !$0.isValid(self) } }
}
