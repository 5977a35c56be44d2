import ArgumentParser
import TextVAE

/// Which class c a model with classes decodes with: `--label NAME` or `--class k`.
struct ClassOptions: ParsableArguments {
    @Option(help: "For a model trained with labels (or --classes): decode with this class (a label name, as 'textvae classify' prints them).")
    var label: String?
    @Option(name: .customLong("class"), help: "As --label, by the class's number (0 to K − 1).")
    var classNumber: Int?

    func check() throws {
        if label != nil && classNumber != nil { throw ValidationError("give either --label or --class, not both") }
    }

    /// The class asked for, checked against the model; nil when none was asked for.
    func resolve(_ model: TrainedModel) throws -> Int? {
        if let label { return try model.classIndex(named: label) }
        if let classNumber { return try model.classIndex(number: classNumber) }
        return nil
    }
}
