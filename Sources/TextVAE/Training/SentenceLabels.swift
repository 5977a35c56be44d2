/// The labels of a run's sentences, as class numbers: each training and validation sentence's class, or nil
/// where its label is empty (semi-supervised training treats those as unlabelled). The classes are the
/// distinct labels of the training sentences, numbered in order of first appearance.
package struct SentenceLabels: Equatable, Sendable {
    package var names: [String]
    package var train: [Int?]
    package var valid: [Int?]
    /// Validation sentences whose label no training sentence has (read as unlabelled).
    package var unknownValid = 0

    package init(names: [String], train: [Int?], valid: [Int?]) {
        self.names = names
        self.train = train
        self.valid = valid
    }

    /// Numbers the labels ("" = none); refuses fewer than two classes, which would teach nothing.
    package init(train: [String], valid: [String], corpusName: String) throws {
        var index: [String: Int] = [:], names: [String] = []
        for label in train where !label.isEmpty && index[label] == nil {
            index[label] = names.count
            names.append(label)
        }
        guard names.count >= 2 else {
            throw TextVAEError.file(
                corpusName,
                names.isEmpty ? "has no labels in its training lines" : "has only one label ('\(names[0])') in its training lines",
                fix: "give at least two classes (check --label-column or --label-file), or train without labels")
        }
        guard names.count <= 1000 else {
            throw TextVAEError.file(
                corpusName, "has \(names.count) distinct labels", fix: "give at most 1000 classes (is --label-column the right column?)")
        }
        self.init(names: names, train: train.map { index[$0] }, valid: valid.map { index[$0] })
        unknownValid = zip(valid, self.valid).filter { !$0.0.isEmpty && $0.1 == nil }.count
    }

    package var labelledTrain: Int { train.filter { $0 != nil }.count }
}
