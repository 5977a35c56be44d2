import Foundation
import TextVAE

/// textvae's readers of files that come from outside, each fed arbitrary bytes.
/// A thrown error is the right answer to bad bytes; a crash, a hang or a leak
/// is a bug. `Tests/Scripts/ci/fuzz.sh` runs them under libFuzzer; the test suite
/// replays the seed corpora (`Tests/Fuzz/Corpus/NAME`) through them.
package enum FuzzTarget: String, CaseIterable, Sendable {
    /// A model file: safetensors header, tensors, metadata (`ModelFile.load`).
    case modelFile = "model-file"
    /// A training checkpoint: a model file plus optimiser state and JSON metadata (`Checkpoint.load`).
    case checkpoint
    /// A training metrics log, JSON lines (`TrainingCurves`), and the picture drawn from it.
    case metricsLog = "metrics-log"
    /// Text through the UTF-8 reader, ICU and whitespace tokenizers, vocabulary and detokenizer.
    case tokenizer
    /// A vocabulary file, `token<TAB>count` lines (`Vocabulary.load`).
    case vocabulary
    /// A token file (`TokenFile.open`: header, offsets and ids, mapped), then every sentence read.
    case tokenFile = "token-file"

    /// Runs one input. Returns whether the reader accepted it (for the replay's summary).
    @discardableResult
    package func run(_ bytes: Data) -> Bool {
        do {
            switch self {
            case .modelFile:
                let file = try ModelFile.load(data: bytes, name: "input")
                precondition(file.vocabulary.count == file.model.config.vocabulary, "a loaded model disagrees with its vocabulary")
            case .checkpoint:
                let checkpoint = try Checkpoint.load(data: bytes, name: "input")
                precondition(checkpoint.state.problem == nil && checkpoint.options.problem == nil, "an unusable state was accepted")
            case .metricsLog:
                let curves = try TrainingCurves.parse(lines(bytes), name: "input")
                _ = CurvePlot.svg(curves, title: "fuzz").text
            case .tokenizer:
                try tokenize(bytes)
            case .vocabulary:
                let vocabulary = try Vocabulary.parse(lines(bytes), name: "input")
                _ = vocabulary.text(vocabulary.ids(vocabulary.tokens))
            case .tokenFile:
                // TokenFile maps a file: the input goes to one of this process's own.
                let path = NSTemporaryDirectory() + "textvae-fuzz-\(getpid()).tokens"
                try bytes.write(to: URL(fileURLWithPath: path))
                defer { try? FileManager.default.removeItem(atPath: path) }
                let file = try TokenFile.open(path)
                let V = Int32(file.vocabulary.count)
                for i in 0..<file.sentences.count {
                    precondition(file.sentences[i].allSatisfy { $0 >= 0 && $0 < V }, "an id outside the vocabulary was accepted")
                }
            }
            return true
        } catch {
            return false
        }
    }

    private func lines(_ bytes: Data) throws -> [String] {
        try TextFile.lines(of: [UInt8](bytes), name: "input").lines
    }

    /// Tokenisers are made once: ICU's break iterators take milliseconds to open.
    nonisolated(unsafe) private static var tokenizers: [Tokenizer] = []

    private func tokenize(_ bytes: Data) throws {
        if Self.tokenizers.isEmpty {
            Self.tokenizers = try [
                TokenizerSettings(name: .icu, locale: "en"), TokenizerSettings(name: .icu, locale: "th"),
                TokenizerSettings(name: .whitespace),
            ].map(Tokenizer.init)
        }
        let lines = try TextFile.lines(of: [UInt8](bytes), name: "input", skipInvalid: true).lines
        for tokenizer in Self.tokenizers {
            let sentences = try lines.map { try tokenizer.tokenize($0) }
            let vocabulary = try Vocabulary(building: sentences)
            for s in sentences { _ = vocabulary.text(vocabulary.ids(s)) }
            // Subwords learned from the same sentences spell every word back (unless it holds a character
            // learning never saw, such as the marker itself).
            let subwords = try Vocabulary(learningSubwords: sentences, size: 64)
            for s in sentences {
                let ids = subwords.ids(s)
                guard !ids.contains(Int32(Vocabulary.unk)) else { continue }
                precondition(
                    subwords.words(ids).map { Array($0.utf8) } == s.map { Array($0.utf8) }, "subword pieces do not spell the words back")
            }
            _ = try tokenizer.sentences(lines.joined(separator: " "))
        }
    }
}
