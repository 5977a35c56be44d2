import Foundation
import Testing

@testable import TextVAE

/// Models with classes: the file format, the exact sum over c in importance sampling, labelled training that
/// resumes bit for bit, and the commands (train with labels, classify, sample/reconstruct/interpolate with a
/// class, evaluate with labels) on a corpus whose two classes use different words.
@Suite(.serialized) struct LabelsTests {
    /// "animal" lines say what an animal did, "vehicle" lines what a vehicle did: the class is in the words.
    static func labelledLines(_ count: Int, seed: UInt64) -> [String] {
        var rng = Random(seed: seed)
        func pick(_ words: [String]) -> String { words[Int(rng.next() % UInt64(words.count))] }
        return (0..<count).map { i in
            i % 2 == 0
                ? "animal\tthe \(pick(["cat", "dog", "bird", "horse"])) \(pick(["sat", "slept", "ran", "ate"])) on the \(pick(["mat", "grass", "hill"]))"
                : "vehicle\ta \(pick(["car", "bus", "train", "truck"])) \(pick(["stopped", "waited", "turned"])) at the \(pick(["station", "corner", "bridge"]))"
        }
    }

    static let animalWords: Set = ["cat", "dog", "bird", "horse", "sat", "slept", "ran", "ate", "mat", "grass", "hill"]
    static let vehicleWords: Set = ["car", "bus", "train", "truck", "stopped", "waited", "turned", "station", "corner", "bridge"]

    static func tinyConfig(classes: Int, latentToInputs: Bool = false) -> ModelConfig {
        ModelConfig(vocabulary: 12, embedding: 6, hidden: 5, latent: 3, latentToInputs: latentToInputs, classes: classes)
    }

    static func vocabulary(_ size: Int) throws -> Vocabulary {
        let words = (0..<size - 4).map { "w\($0)" }
        return try Vocabulary(tokens: Vocabulary.specials + words, counts: [0, 0, 0, 0] + words.map { _ in 1 })
    }

    @Test func modelFilesStoreClassesAndFilesWithoutThemAreUnchanged() throws {
        try withScratchFolder { folder in
            let plain = ModelFile(
                model: SentenceVAE(config: Self.tinyConfig(classes: 0), seed: 1), vocabulary: try Self.vocabulary(12),
                tokenizer: TokenizerSettings(name: .whitespace))
            #expect(!plain.tensors.contains { $0.name.hasPrefix("hidden2class") })
            let plainMetadata = try plain.metadata()
            #expect(!plainMetadata["config"]!.contains("classes") && plainMetadata["class_names"] == nil)
            #expect(plain.tensors.count == 17)

            let config = Self.tinyConfig(classes: 3, latentToInputs: true)
            let file = ModelFile(
                model: SentenceVAE(config: config, seed: 2), vocabulary: try Self.vocabulary(12),
                tokenizer: TokenizerSettings(name: .whitespace), classNames: ["noun", "verb", "adj"])
            try file.save(to: folder + "/k3.safetensors")
            let loaded = try ModelFile.load(folder + "/k3.safetensors")
            #expect(loaded.classNames == ["noun", "verb", "adj"] && loaded.model.config == config)
            #expect(loaded.model.parameters == file.model.parameters)
            #expect(ParameterTensor.latentWeight.shape(config) == [5, 3 + 3] && ParameterTensor.classWeight.shape(config) == [3, 5])
            #expect(ParameterTensor.decoderWeightIH.shape(config) == [15, 6 + 3 + 3])

            // Names that do not match K are refused with a message naming the file.
            var broken = Safetensors(metadata: try file.metadata(), tensors: file.tensors)
            broken.metadata["class_names"] = "[\"noun\",\"verb\"]"
            try AtomicFile.write(broken.encoded(), to: folder + "/broken.safetensors")
            #expect {
                try ModelFile.load(folder + "/broken.safetensors")
            } throws: { "\($0)".contains("class_names") && "\($0)".contains("broken.safetensors") }
        }
    }

    /// nll(x) = log k − logsumexp_i [log (1/K) Σ_c p(x|z_i, c) + log p(z_i) − log q(z_i|x)], recomputed by hand from
    /// the same draws with one decoder call per (sample, class).
    @Test func importanceSamplingSumsOverTheClassesExactly() throws {
        try loadBLAS()
        let config = Self.tinyConfig(classes: 3)
        let model = SentenceVAE(config: config, seed: 4)
        let sentences: [[Int32]] = [[4, 5, 6], [7], [8, 9, 10, 11, 4]]
        let ws = Workspace()
        let posteriors = model.encode(sentences, workspace: ws)
        let k = 4
        var rng = Random(seed: 9)
        let (nll, _) = model.importanceSampledNLL(sentences, posteriors: posteriors, samples: k, rng: &rng, rowsPerCall: 5, workspace: ws)
        var draws = Random(seed: 9)
        for (s, sentence) in sentences.enumerated() {
            var logWeights: [Double] = []
            for _ in 0..<k {
                var z: [Float] = [], lp = 0.0, lq = 0.0
                for (u, lv) in zip(posteriors.mu(s), posteriors.logv(s)) {
                    let e = draws.normal()
                    let value = u + VectorMath.fastExp(0.5 * lv) * e
                    z.append(value)
                    lp += -0.5 * (log(2 * Double.pi) + Double(value) * Double(value))
                    lq += -0.5 * (log(2 * Double.pi) + Double(lv) + Double(e) * Double(e))
                }
                let likelihoods = (0..<3).map { c in
                    exp(-Double(model.reconstructionNLL(Batch([sentence]), code: z + (0..<3).map { $0 == c ? 1 : 0 }, workspace: ws)[0]))
                }
                logWeights.append(log(likelihoods.reduce(0, +) / 3) + lp - lq)
            }
            let top = logWeights.max()!
            let expected = log(Double(k)) - (top + log(logWeights.reduce(0) { $0 + exp($1 - top) }))
            #expect(abs(nll[s] - expected) <= 1e-6 * abs(expected), "sentence \(s): \(nll[s]) vs \(expected)")
        }
    }

    @Test func labelsAreNumberedByFirstAppearanceAndOneClassIsRefused() throws {
        let labels = try SentenceLabels(train: ["b", "", "a", "b"], valid: ["a", "c", ""], corpusName: "x.tsv")
        #expect(labels.names == ["b", "a"] && labels.train == [0, nil, 1, 0] && labels.valid == [1, nil, nil])
        #expect(labels.unknownValid == 1 && labels.labelledTrain == 3)
        #expect { try SentenceLabels(train: ["a", "", "a"], valid: [], corpusName: "x.tsv") } throws: {
            "\($0)".contains("only one label") && "\($0)".contains("x.tsv")
        }
    }

    static func labelledSet(_ count: Int, keepEvery: Int = 1) throws -> TrainingSet {
        let lines = labelledLines(count, seed: 3).enumerated().map { i, line in
            i % keepEvery == 0 ? line : "\t" + line.split(separator: "\t")[1]  // an empty label: unlabelled
        }
        let tokenizer = try Tokenizer(TokenizerSettings(name: .whitespace))
        let split = try LabelledLines(lines, path: "lines.tsv", columns: .init(label: 1))
        let corpus = LabelledCorpus(sentences: try split.texts.map { try tokenizer.tokenize($0) }, labels: split.labels!)
        return try TrainingSet(
            labelled: corpus, validCorpus: nil, validFraction: 0.1, vocabulary: nil, minCount: 1, maxSize: 1000,
            subwords: nil, maxLength: 20, corpusName: "lines.tsv")
    }

    static func trainer(_ set: TrainingSet, folder: URL, epochs: Int) -> Trainer {
        let config = ModelConfig(vocabulary: set.vocabulary.count, embedding: 16, hidden: 16, latent: 4, classes: set.labels!.names.count)
        let model = SentenceVAE(config: config, seed: 5)
        var options = TrainingOptions()
        options.epochs = epochs
        options.patience = 0
        options.checkpointMinutes = 0
        options.seed = 5
        let data = TrainingData(corpus: "lines.tsv", reading: DataSettings(), train: set.train, valid: set.valid, labels: set.labels)
        let cp = Checkpoint(
            file: ModelFile(
                model: model, vocabulary: set.vocabulary, tokenizer: TokenizerSettings(name: .whitespace),
                classNames: set.labels!.names),
            adam: Adam(parameterCount: model.layout.total), state: TrainingState(seed: 5), options: options, data: data,
            output: folder.appendingPathComponent("m.safetensors").path)
        return Trainer(checkpoint: cp, train: set.train, valid: set.valid, labels: set.labels)
    }

    /// Semi-supervised (a third of the lines labelled): the Gumbel noise is each sentence's own, so an interrupted run
    /// resumes to the same parameters bit for bit; the labels are part of the data's fingerprint.
    @Test func semiSupervisedTrainingResumesBitForBit() throws {
        try loadBLAS()
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let set = try Self.labelledSet(300, keepEvery: 3)
        #expect(set.labels!.names == ["animal", "vehicle"])
        #expect(set.labels!.train.contains(nil) && set.labels!.train.contains(0) && set.labels!.train.contains(1))
        let straightFolder = folder.appendingPathComponent("straight"), resumedFolder = folder.appendingPathComponent("resumed")
        for f in [straightFolder, resumedFolder] { try FileManager.default.createDirectory(at: f, withIntermediateDirectories: true) }
        let straight = Self.trainer(set, folder: straightFolder, epochs: 2)
        var accuracies: [Double] = []
        _ = try straight.run { if case .epoch(let e) = $0, let a = e.validAccuracy { accuracies.append(a) } }
        #expect(accuracies.count == 2, "each epoch reports the validation accuracy")

        let first = Self.trainer(set, folder: resumedFolder, epochs: 2)
        // A flag of this trainer's own, not the process-wide one that other tests' trainers read.
        let stop = StopFlag()
        first.isInterrupted = { stop.raised }
        #expect(throws: TrainingInterrupted.self) {
            try first.run { event in if case .step(let s) = event, s.step == 11 { stop.raised = true } }
        }
        let saved = try Checkpoint.load(first.checkpointPath)
        #expect(saved.file.classNames == ["animal", "vehicle"])
        let resumed = Trainer(checkpoint: saved, train: set.train, valid: set.valid, labels: set.labels)
        _ = try resumed.run { _ in }
        #expect(resumed.checkpoint.file.model.parameters == straight.checkpoint.file.model.parameters)

        var relabelled = set.labels!
        relabelled.train[0] = 1 - relabelled.train[0]!
        #expect(
            TrainingData.fingerprint(train: set.train, valid: set.valid, labels: relabelled)
                != TrainingData.fingerprint(train: set.train, valid: set.valid, labels: set.labels))
    }

    /// The commands, as a user runs them, on a model trained with labels for a few seconds.
    @Test func labelledModelClassifiesSamplesAndTransfersAsAsked() throws {
        try withScratchFolder { folder in
            let lines = Self.labelledLines(700, seed: 1)
            try (lines.prefix(600).joined(separator: "\n") + "\n").write(toFile: folder + "/train.tsv", atomically: true, encoding: .utf8)
            try (lines.suffix(100).joined(separator: "\n") + "\n").write(toFile: folder + "/test.tsv", atomically: true, encoding: .utf8)
            // The default plan (epochs and annealing placed for 570 sentences), small sizes.
            let train = try TextVAEProgram.run(
                [
                    "train", "train.tsv", "--label-column", "1", "-o", "m.safetensors",
                    "--embedding", "24", "--hidden", "32", "--latent", "4", "--tokenizer", "whitespace",
                    "--quiet",
                ], in: folder)
            #expect(train.status == 0, "\(train)")

            // q(c|x) on held-out lines: the words give the class away.
            let classify = try TextVAEProgram.run(
                ["classify", "-m", "m.safetensors", "test.tsv", "--label-column", "1", "--quiet"], in: folder)
            #expect(classify.status == 0, "\(classify)")
            let accuracy = try #require(classify.stdout.split(separator: " ").dropFirst().first.flatMap { Double($0.dropLast()) })
            #expect(accuracy >= 95, "\(classify.stdout)")
            #expect(classify.stdout.contains("always guessing the most common gold label: 50.00%") && classify.stdout.contains("gold ↓"))
            let jsonl = try TextVAEProgram.run(
                ["classify", "-m", "m.safetensors", "test.tsv", "--label-column", "1", "--format", "jsonl"], in: folder)
            let first = try #require(GenerationCLITests.lines(jsonl.stdout).first)
            let row = try JSONSerialization.jsonObject(with: Data(first.utf8)) as! [String: Any]
            let probabilities = row["probabilities"] as! [String: Double]
            #expect(Set(probabilities.keys) == ["animal", "vehicle"] && abs(probabilities.values.reduce(0, +) - 1) < 1e-5)
            #expect(row["gold"] as? String == "animal")

            // Samples of each class use that class's words.
            for (label, words) in [("animal", Self.animalWords), ("vehicle", Self.vehicleWords)] {
                let sample = try TextVAEProgram.run(
                    ["sample", "-m", "m.safetensors", "-n", "20", "--with-label", label, "--seed", "2"], in: folder)
                #expect(sample.status == 0, "\(sample)")
                let ofClass = GenerationCLITests.lines(sample.stdout).filter {
                    !Set($0.split(separator: " ").map(String.init)).isDisjoint(with: words)
                }
                #expect(ofClass.count >= 16, "\(label): \(sample.stdout)")
                // q(c|x) reads each label's samples as that label: the class changes what is sampled.
                try sample.stdout.write(toFile: folder + "/\(label).txt", atomically: true, encoding: .utf8)
                let classified = try TextVAEProgram.run(["classify", "-m", "m.safetensors", label + ".txt"], in: folder)
                let asLabel = GenerationCLITests.lines(classified.stdout).filter { $0.hasPrefix(label + "\t") }
                #expect(asLabel.count >= 16, "\(label): \(classified)")
            }
            let byNumber = try TextVAEProgram.run(
                ["sample", "-m", "m.safetensors", "-n", "3", "--with-class", "1", "--format", "jsonl"], in: folder)
            #expect(GenerationCLITests.lines(byNumber.stdout).allSatisfy { $0.contains("\"class\":\"vehicle\"") }, "\(byNumber)")

            // Reconstruct keeps z and swaps the class; interpolate says what it does with c.
            let swapped = try TextVAEProgram.run(
                ["reconstruct", "-m", "m.safetensors", "--with-label", "vehicle"], in: folder,
                stdin: "the cat sat on the mat\n")
            #expect(
                swapped.status == 0
                    && !Set(swapped.stdout.split(separator: "\t")[1].split(separator: " ").map(String.init))
                        .isDisjoint(with: Self.vehicleWords),
                "\(swapped)")
            let walk = try TextVAEProgram.run(
                ["interpolate", "-m", "m.safetensors", "the dog ran on the hill", "a bus waited at the corner"], in: folder)
            #expect(walk.status == 0 && walk.stderr.contains("class 'animal' at the start, 'vehicle' at the end"), "\(walk)")

            // evaluate: the label accuracy, and nll summed over the classes.
            let evaluate = try TextVAEProgram.run(
                ["evaluate", "-m", "m.safetensors", "test.tsv", "--label-column", "1", "-k", "3", "--json"], in: folder)
            let report = try JSONSerialization.jsonObject(with: Data(evaluate.stdout.utf8)) as! [String: Any]
            #expect(
                report["classes"] as? Int == 2 && (report["accuracy"] as? Double ?? 0) >= 0.95 && report["labelled"] as? Int == 100,
                "\(evaluate)")
            #expect((report["nelbo"] as! Double) >= (report["nll"] as! Double) - 0.5, "\(evaluate)")

            // map without labels colours by the model's own classes.
            let map = try TextVAEProgram.run(
                ["map", "-m", "m.safetensors", "test.tsv", "--label-column", "1", "-o", "gold.svg"], in: folder)
            #expect(map.status == 0 && map.stdout.contains("2 labels"), "\(map)")
            let own = try TextVAEProgram.run(["map", "-m", "m.safetensors", "test.tsv", "--text-column", "2", "-o", "own.svg"], in: folder)
            #expect(own.status == 0 && own.stdout.contains("2 labels"), "\(own)")
            let svg = try String(contentsOfFile: folder + "/own.svg", encoding: .utf8)
            #expect(svg.contains("animal (model)") && svg.contains("vehicle (model)"))

            // Mistakes say what to do.
            let unknown = try TextVAEProgram.run(["sample", "-m", "m.safetensors", "--with-label", "plant"], in: folder)
            #expect(unknown.status != 0 && unknown.stderr.contains("its classes are: animal, vehicle"), "\(unknown)")
            let range = try TextVAEProgram.run(["sample", "-m", "m.safetensors", "--with-class", "2"], in: folder)
            #expect(range.status != 0 && range.stderr.contains("classes 0 to 1"), "\(range)")
            let both = try TextVAEProgram.run(
                ["train", "train.tsv", "--label-column", "1", "--classes", "3", "-o", "n.safetensors"], in: folder)
            #expect(both.status != 0 && both.stderr.contains("leave out --classes"), "\(both)")
            try "animal\nvehicle\n".write(toFile: folder + "/two.labels", atomically: true, encoding: .utf8)
            let short = try TextVAEProgram.run(["train", "train.tsv", "--label-file", "two.labels", "-o", "n.safetensors"], in: folder)
            #expect(short.status != 0 && short.stderr.contains("has 2 lines but train.tsv has 600"), "\(short)")
            #expect(!FileManager.default.fileExists(atPath: folder + "/n.safetensors"))
        }
    }

    /// Free bits are off by default when every training line is labelled, kept when some are not or when asked for.
    @Test func freeBitsDefaultDependsOnWhetherEveryLineIsLabelled() throws {
        try loadBLAS()
        try withScratchFolder { folder in
            let lines = Self.labelledLines(200, seed: 2)
            try (lines.joined(separator: "\n") + "\n").write(toFile: folder + "/all.tsv", atomically: true, encoding: .utf8)
            let some = lines.enumerated().map { $0.offset % 3 == 0 ? $0.element : "\t" + $0.element.split(separator: "\t")[1] }
            try (some.joined(separator: "\n") + "\n").write(toFile: folder + "/some.tsv", atomically: true, encoding: .utf8)
            for (file, given, expected) in [
                ("all", false, Float(0)), ("some", false, TrainingOptions().freeBits), ("all", true, Float(0.5)),
            ] {
                var plan = TrainingPlan(corpus: folder + "/\(file).tsv")
                plan.data.labelColumns = LabelledLines.Columns(label: 1)
                plan.tokenizer = TokenizerSettings(name: .whitespace)
                plan.model = ModelConfig(vocabulary: 0, embedding: 8, hidden: 8, latent: 2)
                plan.output = folder + "/\(file)-\(given).safetensors"
                plan.freeBitsGiven = given
                if given { plan.options.freeBits = 0.5 }
                var notes: [String] = []
                let trainer = try TrainingRun.start(plan, threads: 1) { notes.append($0) }
                #expect(trainer.checkpoint.options.freeBits == expected, "\(file), given \(given)")
                #expect(notes.contains { $0.contains("free bits off") } == (file == "all" && !given), "\(notes)")
                #expect(trainer.checkpoint.file.model.config.classes == 2)
            }
        }
    }

    @Test func commandsSayWhenAModelHasNoClasses() throws {
        try withScratchFolder { folder in
            _ = try GenerationCLITests.saveModel(folder)
            try "the cat sat\n".write(toFile: folder + "/s.txt", atomically: true, encoding: .utf8)
            for arguments in [
                ["sample", "-m", "model.safetensors", "--with-label", "x"], ["classify", "-m", "model.safetensors", "s.txt"],
                ["reconstruct", "-m", "model.safetensors", "s.txt", "--with-class", "0"],
            ] {
                let run = try TextVAEProgram.run(arguments, in: folder)
                #expect(run.status != 0 && run.stderr.contains("has no classes"), "\(arguments): \(run)")
            }
        }
    }

    /// The flags renamed in 0.7.0 (--labels is --label-file, --label is --with-label, --class is --with-class) stop
    /// with the new name before anything is read or written, and help no longer shows them.
    @Test func renamedFlagsStopWithTheirNewNames() throws {
        try withScratchFolder { folder in
            let cases: [(arguments: [String], old: String, new: String)] = [
                (["sample", "-m", "m.safetensors", "--label", "x"], "--label", "--with-label"),
                (["reconstruct", "-m", "m.safetensors", "s.txt", "--class", "0"], "--class", "--with-class"),
                (["interpolate", "-m", "m.safetensors", "--label", "x"], "--label", "--with-label"),
                (["evaluate", "-m", "m.safetensors", "s.txt", "--labels", "f.txt"], "--labels", "--label-file"),
                (["classify", "-m", "m.safetensors", "s.txt", "--labels", "f.txt"], "--labels", "--label-file"),
                (["map", "-m", "m.safetensors", "s.txt", "--labels", "f.txt"], "--labels", "--label-file"),
                (["train", "s.txt", "--labels", "f.txt", "-o", "n.safetensors"], "--labels", "--label-file"),
            ]
            for c in cases {
                let run = try TextVAEProgram.run(c.arguments, in: folder)
                #expect(
                    run.failedCleanly && run.stderr.contains("\(c.old) was renamed \(c.new) in 0.7.0: use \(c.new) "),
                    "\(c.arguments): \(run)")
            }
            #expect(!FileManager.default.fileExists(atPath: folder + "/n.safetensors"))

            let sample = try TextVAEProgram.run(["sample", "--help"], in: folder)
            #expect(
                sample.status == 0 && sample.stdout.contains("--with-label <name>") && sample.stdout.contains("--with-class <k>")
                    && !sample.stdout.contains("--label ") && !sample.stdout.contains("--class "), "\(sample)")
            let evaluate = try TextVAEProgram.run(["evaluate", "--help"], in: folder)
            #expect(
                evaluate.status == 0 && evaluate.stdout.contains("--label-file <file>") && !evaluate.stdout.contains("--labels"),
                "\(evaluate)")
        }
    }
}
