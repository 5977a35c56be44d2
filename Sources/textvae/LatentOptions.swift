import ArgumentParser
import TextVAE

extension DistanceMetric: ExpressibleByArgument {}

/// The model file, for the commands that read one.
struct ModelPath: ParsableArguments {
    @Option(name: .shortAndLong, help: "Model file written by 'textvae train'.")
    var model: String

    func check() throws {
        if model.hasSuffix(".metrics.jsonl") || model.hasSuffix(".vocab.txt") {
            throw ValidationError("-m wants the model file (.safetensors), not \(model)")
        }
    }
}
