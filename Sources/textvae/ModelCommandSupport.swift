import ArgumentParser
import Foundation
import TextVAE

/// `-m MODEL`: the trained model a command reads (sample, interpolate, reconstruct, encode, evaluate).
struct ModelArgument: ParsableArguments {
    @Option(name: .shortAndLong, help: "Model file written by 'textvae train' (.safetensors).")
    var model: String

    @Option(help: "Threads for matrix products (2 is fastest on an idle 2-core machine; use 1 while other heavy jobs run).")
    var threads = 2

    func check() throws {
        if threads < 1 || threads > 256 { throw ValidationError("--threads must be between 1 and 256") }
    }

    /// Loads BLAS and the model; errors name the file and say what to do.
    func load() throws -> ModelFile {
        BLAS.threads = threads
        try BLAS.load()
        return try ModelFile.load(model)
    }
}

/// Decoder options shared by the commands that turn z into sentences.
struct LengthOptions: ParsableArguments {
    @Option(help: "Longest sentence in words (default: the model's max_length).")
    var maxLength: Int?

    @Flag(help: "Never emit <unk> (the next most probable word is used instead).")
    var noUnk = false

    func check() throws {
        if let maxLength, maxLength < 1 || maxLength > 10_000 {
            throw ValidationError("--max-length must be between 1 and 10000, got \(maxLength)")
        }
    }
}

extension ModelFile {
    /// The words of a decoded sentence, joined for display.
    func text(_ ids: [Int32]) -> String {
        vocabulary.text(ids)
    }

    /// An input sentence as the model sees it: unknown words shown as <unk>.
    func text(_ sentence: ModelInput.Sentence) -> String {
        Detokenizer.join(zip(sentence.tokens, sentence.ids).map { $1 == Int32(Vocabulary.unk) ? "<unk>" : $0 })
    }

    func tokenizerForInput() throws -> Tokenizer { try Tokenizer(tokenizer) }

    func readInput(_ path: String) throws -> ModelInput {
        if path == "-" && isatty(0) != 0 {
            warn("reading sentences from standard input, one per line (end with Ctrl-D)")
        }
        let input = try ModelInput.read(path, tokenizer: tokenizerForInput(), vocabulary: vocabulary, maxLength: model.config.maxLength)
        for w in input.warnings { warn("warning: " + w) }
        return input
    }
}

/// Writes a line to stderr (stdout stays the command's output).
func warn(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}

/// Collects stdout text and writes it in large pieces.
struct OutputBuffer {
    private var text = ""

    mutating func line(_ s: String) {
        text += s
        text += "\n"
        if text.utf8.count > 1 << 16 { flush() }
    }

    mutating func flush() {
        if !text.isEmpty { FileHandle.standardOutput.write(Data(text.utf8)); text = "" }
    }
}

/// JSON text for one value, for JSON lines written by hand so keys keep a fixed order.
enum JSON {
    static func string(_ s: String) -> String { jsonString(s) }

    /// Shortest text that reads back as the same Float; non-finite values become null.
    static func number(_ x: Float) -> String { x.isFinite ? "\(x)" : "null" }
    static func number(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
    static func array(_ xs: ArraySlice<Float>) -> String { "[" + xs.map(number).joined(separator: ",") + "]" }
    static func array(_ xs: [Float]) -> String { array(xs[...]) }

    /// {"k1":v1,...} from already encoded values, in the given order.
    static func object(_ pairs: [(String, String)]) -> String {
        "{" + pairs.map { "\(string($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }
}

