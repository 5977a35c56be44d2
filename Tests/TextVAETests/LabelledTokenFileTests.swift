import Foundation
import Testing

@testable import TextVAE

/// Token files with labels: a labelled corpus (a label column or a labels file) is prepared in chunks into a
/// token file that carries each sentence's label, and a run reads from it exactly the sentences, ids and
/// labels that reading the labelled text in memory (`TrainingSet(labelled:)`) gives.
@Suite struct LabelledTokenFileTests {
    /// Labelled lines with the mess a user's file has: empty labels, a line without words, a blank line, a
    /// label that only held-out lines carry.
    static let lines: [String] =
        ["pos\tthe cat sat on the mat", "neg\ta dog ran and the dog sat", "\tno label here", "pos\t   ", "", "neu\tsat sat"]
        + (0..<50).map { "\(["pos", "neg", ""][$0 % 3])\tsentence number \($0 % 7) is here and the cat is \($0 % 3) happy" }
        + ["rare\tthe only rare line"]

    struct Setup: CustomTestStringConvertible, Sendable {
        var labelsFile = false
        var valid = false
        var chunkBytes = 48
        var testDescription: String {
            "\(labelsFile ? "labels file" : "label column"), \(valid ? "--valid" : "hold-out"), chunks of \(chunkBytes) bytes"
        }
    }

    @Test(arguments: [
        Setup(), Setup(chunkBytes: 1 << 20), Setup(labelsFile: true), Setup(valid: true), Setup(labelsFile: true, valid: true),
    ])
    func preparationGivesTheInMemorySentencesAndLabels(_ setup: Setup) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let corpus = folder.appendingPathComponent("c.tsv").path, labelsPath = folder.appendingPathComponent("labels.txt").path
        let validPath = folder.appendingPathComponent("v.tsv").path
        let columns = setup.labelsFile ? LabelledLines.Columns() : LabelledLines.Columns(label: 1)
        if setup.labelsFile {
            try Data(
                Self.lines.map { $0.split(separator: "\t", omittingEmptySubsequences: false).last.map(String.init) ?? "" }
                    .joined(separator: "\n").utf8
            ).write(to: URL(fileURLWithPath: corpus))
            try Data(
                Self.lines.map { $0.contains("\t") ? String($0.split(separator: "\t", omittingEmptySubsequences: false)[0]) : "" }
                    .joined(separator: "\n").utf8
            ).write(to: URL(fileURLWithPath: labelsPath))
        } else {
            try Data(Self.lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: corpus))
        }
        let validLines = setup.labelsFile ? "the cat ran\nder hund\n" : "neg\tthe cat ran\nunseen\tder hund\n"
        try Data(validLines.utf8).write(to: URL(fileURLWithPath: validPath))
        let tokenizer = try Tokenizer(TokenizerSettings(name: .whitespace))

        // In memory: the reference.
        let text = try LabelledCorpus.read(
            corpus, tokenizer: tokenizer, columns: columns, labelsFile: setup.labelsFile ? labelsPath : nil, skipInvalid: false)
        let validText =
            try setup.valid
            ? LabelledCorpus.read(validPath, tokenizer: tokenizer, columns: columns, labelsFile: nil, skipInvalid: false) : nil
        let memory = try TrainingSet(
            labelled: text, validCorpus: validText, validFraction: 0.1, vocabulary: nil, minCount: 1, maxSize: 1000,
            subwords: nil, maxLength: 6, corpusName: corpus)

        let recipe = TokenFile.Recipe(
            tokenizer: TokenizerSettings(name: .whitespace), paragraphs: false, skipInvalid: false,
            heldOutFraction: setup.valid ? nil : 0.1, minCount: 1, maxSize: 1000, subwords: nil, vocabularyFile: nil,
            labels: TokenFile.LabelReading(columns: columns, labelsFile: setup.labelsFile ? try TokenFile.Source(path: labelsPath) : nil))
        let file = try CorpusPreparation.prepare(
            corpus, to: folder.appendingPathComponent("c.tokens").path, recipe: recipe, threads: 2, chunkBytes: setup.chunkBytes)
        #expect(file.header.format == 2 && file.labels?.count == file.header.sentences)
        let mapped = try TrainingSet(
            tokenFile: file, validCorpus: validText.map { Corpus(sentences: $0.sentences) }, validLabels: validText?.labels, maxLength: 6)
        #expect(mapped.vocabulary == memory.vocabulary)
        #expect(mapped.train.arrays == memory.train.arrays)
        #expect(mapped.valid == memory.valid)
        #expect(mapped.truncated == memory.truncated)
        #expect(mapped.labels == memory.labels)
        #expect(mapped.labels!.names.count >= 3 && mapped.labels!.train.contains(nil), "\(String(describing: mapped.labels))")
        #expect(
            TrainingData.fingerprint(train: mapped.train, valid: mapped.valid, labels: mapped.labels)
                == TrainingData.fingerprint(train: memory.train, valid: memory.valid, labels: memory.labels))
    }

    @Test func aLabelsFileOfAnotherLengthOrADamagedLabelIsRefused() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let corpus = folder.appendingPathComponent("c.txt").path, labels = folder.appendingPathComponent("l.txt").path
        let tokens = folder.appendingPathComponent("c.tokens").path
        try Data("a b c\nb c d\nc d e\n".utf8).write(to: URL(fileURLWithPath: corpus))
        try Data("x\ny\n".utf8).write(to: URL(fileURLWithPath: labels))
        func recipe() throws -> TokenFile.Recipe {
            TokenFile.Recipe(
                tokenizer: TokenizerSettings(), paragraphs: false, skipInvalid: false, heldOutFraction: 0.05, minCount: 1,
                maxSize: 100, subwords: nil, vocabularyFile: nil,
                labels: TokenFile.LabelReading(columns: LabelledLines.Columns(), labelsFile: try TokenFile.Source(path: labels)))
        }
        #expect { _ = try CorpusPreparation.prepare(corpus, to: tokens, recipe: try recipe(), chunkBytes: 6) } throws: {
            "\($0)".contains("has 2 lines but") && "\($0)".contains("has 3")
        }
        #expect(!FileManager.default.fileExists(atPath: tokens), "nothing is written when the labels do not fit")

        try Data("x\ny\nx\n".utf8).write(to: URL(fileURLWithPath: labels))
        let file = try CorpusPreparation.prepare(corpus, to: tokens, recipe: try recipe())
        #expect(file.labels! == ["x", "y", "x"] && file.header.labels! == ["x", "y"])
        var damaged = try Data(contentsOf: URL(fileURLWithPath: tokens))
        damaged.replaceSubrange((damaged.count - 4)..<damaged.count, with: [7, 0, 0, 0])  // the last sentence's label: 7 of 2
        try damaged.write(to: URL(fileURLWithPath: tokens))
        #expect { _ = try TokenFile.open(tokens) } throws: { "\($0)".contains("holds label 7 for sentence 2") }
    }
}
