import ArgumentParser
import TextVAE

/// Which class c a model with classes decodes with: `--with-label NAME` or `--with-class k`.
struct ClassOptions: ParsableArguments {
    @Option(
        name: .customLong("with-label"),
        help: ArgumentHelp(
            "For a model trained with labels (or --classes): decode with this class (a label name, as 'textvae classify' prints them).",
            valueName: "name"))
    var label: String?
    @Option(name: .customLong("with-class"), help: ArgumentHelp("As --with-label, by the class's number (0 to K − 1).", valueName: "k"))
    var classNumber: Int?
    /// `--label NAME` and `--class k`, renamed `--with-label` and `--with-class` in 0.7.0: refused with the new names.
    @Option(name: .customLong("label"), help: .hidden)
    var renamedLabel: String?
    @Option(name: .customLong("class"), help: .hidden)
    var renamedClass: String?

    func check() throws {
        try RenamedFlag.refuse(renamedLabel, old: "--label", new: "--with-label", valueName: "NAME")
        try RenamedFlag.refuse(renamedClass, old: "--class", new: "--with-class", valueName: "K")
        if label != nil && classNumber != nil { throw ValidationError("give either --with-label or --with-class, not both") }
    }

    /// The class asked for, checked against the model; nil when none was asked for.
    func resolve(_ model: TrainedModel) throws -> Int? {
        if let label { return try model.classIndex(named: label) }
        if let classNumber { return try model.classIndex(number: classNumber) }
        return nil
    }
}
