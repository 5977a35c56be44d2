import Foundation
import Testing

@testable import TextVAE

/// Token files: the streaming preparation gives exactly the sentences, ids and vocabulary of the in-memory
/// route, whatever the chunk size and threads; stale and damaged files are noticed; training from one is
/// training from the text.
@Suite struct TokenFileTests {
    /// A messy corpus: mixed scripts, blank lines, CRLF, a BOM, a literal <unk>, repeated words.
    static let messy =
        "\u{FEFF}The cat sat on the mat.\r\nA dog ran, and the dog sat.\n\n   \nDer Hund läuft schnell.\n"
        + "the <unk> cat\n"
        + (0..<60).map { "sentence number \($0 % 7) is here and the cat is \($0 % 3) times happy" }.joined(separator: "\n")
        + "\n\nEin zweiter Absatz. Mit zwei Sätzen.\n\nlast line without a newline"

    struct Setup: CustomTestStringConvertible, Sendable {
        var paragraphs = false
        var subwords: Int?
        var valid = false
        var chunkBytes = 64
        var threads = 2
        var testDescription: String {
            "\(paragraphs ? "paragraphs" : "lines"), \(subwords.map { "bpe \($0)" } ?? "words"), \(valid ? "--valid" : "hold-out"), "
                + "chunks of \(chunkBytes) bytes, \(threads) threads"
        }
    }

    static let setups: [Setup] = [
        Setup(), Setup(threads: 1), Setup(chunkBytes: 1 << 20), Setup(paragraphs: true), Setup(paragraphs: true, chunkBytes: 1 << 20),
        Setup(subwords: 60), Setup(valid: true), Setup(subwords: 60, valid: true, chunkBytes: 7),
    ]

    @Test(arguments: setups)
    func preparationGivesTheInMemorySentencesAndVocabulary(_ setup: Setup) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let corpusPath = folder.appendingPathComponent("c.txt").path, validPath = folder.appendingPathComponent("v.txt").path
        try Data(Self.messy.utf8).write(to: URL(fileURLWithPath: corpusPath))
        try Data("the cat ran\nder hund\n".utf8).write(to: URL(fileURLWithPath: validPath))
        var data = DataSettings()
        data.paragraphs = setup.paragraphs
        data.subwords = setup.subwords
        data.validFraction = 0.1
        data.minCount = 1  // every word: the messy corpus is small
        if setup.valid { data.valid = validPath }
        let tokenizer = TokenizerSettings()
        let (memory, _) = try TrainingRun.read(corpusPath, data, tokenizer: Tokenizer(tokenizer), vocabulary: nil, maxLength: 8)

        let recipe = TokenFile.Recipe(
            tokenizer: tokenizer, paragraphs: data.paragraphs, skipInvalid: false,
            heldOutFraction: setup.valid ? nil : data.validFraction, minCount: 1, maxSize: 20_000,
            subwords: setup.subwords, vocabularyFile: nil)
        let file = try CorpusPreparation.prepare(
            corpusPath, to: folder.appendingPathComponent("c.tokens").path, recipe: recipe,
            threads: setup.threads, chunkBytes: setup.chunkBytes)
        let valid = try setup.valid ? Corpus.read(validPath, tokenizer: Tokenizer(tokenizer)) : nil
        let mapped = try TrainingSet(tokenFile: file, validCorpus: valid, maxLength: 8)
        #expect(mapped.vocabulary == memory.vocabulary)
        #expect(mapped.train.arrays == memory.train.arrays)
        #expect(mapped.valid == memory.valid)
        #expect(mapped.truncated == memory.truncated)
        #expect(
            TrainingData.fingerprint(train: mapped.train, valid: mapped.valid)
                == TrainingData.fingerprint([memory.train.arrays, memory.valid]))
        // Nothing of the preparation is left but the token file.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["c.tokens", "c.txt", "v.txt"])
    }

    @Test func selectionsSplitTheSentencesAsTheHoldOutDoes() {
        let sentences: [[Int32]] = (0..<23).map { [Int32($0 + 4), 5, 6, 7, 8].dropLast($0 % 4).map { $0 } }
        let all = SentenceIDs(sentences)
        for every in [2, 3, 5, 20, 23] {
            let holdOut = HoldOut(fraction: 1 / Double(every), sentences: sentences.count)
            #expect(holdOut.every == every)
            let kept = all.selecting(.kept(holdOut), maxLength: 3), held = all.selecting(.heldOut(holdOut), maxLength: 3)
            let expectKept = sentences.enumerated().filter { $0.offset % every != every - 1 }.map { Array($0.element.prefix(3)) }
            let expectHeld = sentences.enumerated().filter { $0.offset % every == every - 1 }.map { Array($0.element.prefix(3)) }
            #expect(kept.arrays == expectKept, "every \(every)")
            let split = holdOut.split(sentences)
            #expect(split.kept.map { Array($0.prefix(3)) } == expectKept && split.heldOut.map { Array($0.prefix(3)) } == expectHeld)
            #expect(held.arrays == expectHeld, "every \(every)")
            #expect(kept.indices.map(kept.length) == expectKept.map(\.count))
        }
    }

    @Test func theHoldOutKeepsOneSentenceEachWayHoweverSmallOrLargeTheFraction() {
        #expect(HoldOut(fraction: 0.05, sentences: 1000).every == 20)
        #expect(HoldOut(fraction: 0.05, sentences: 7).every == 7)  // one held out, six kept
        #expect(HoldOut(fraction: 0.9, sentences: 100).every == 2)  // never more than half
        let small = HoldOut(fraction: 0.05, sentences: 2)
        #expect(small.split(["a", "b"]) == (kept: ["a"], heldOut: ["b"]))
    }

    @Test func aChangedSourceOrOtherSettingsMakeTheFileStale() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let corpus = folder.appendingPathComponent("c.txt").path, tokens = folder.appendingPathComponent("c.tokens").path
        try Data("a b c\nb c d\n".utf8).write(to: URL(fileURLWithPath: corpus))
        let recipe = TokenFile.Recipe(
            tokenizer: TokenizerSettings(), paragraphs: false, skipInvalid: false, heldOutFraction: 0.05,
            minCount: 1, maxSize: 100, subwords: nil, vocabularyFile: nil)
        let file = try CorpusPreparation.prepare(corpus, to: tokens, recipe: recipe)
        #expect(file.staleness(source: try TokenFile.Source(path: corpus), recipe: recipe) == nil)
        var other = recipe
        other.minCount = 2
        #expect(file.staleness(source: try TokenFile.Source(path: corpus), recipe: other) != nil)
        // Same size, new content and time: stale.
        try Data("a b x\nb c d\n".utf8).write(to: URL(fileURLWithPath: corpus))
        var times = [timespec(tv_sec: 1_700_000_000, tv_nsec: 0), timespec(tv_sec: 1_700_000_000, tv_nsec: 0)]
        utimensat(AT_FDCWD, corpus, &times, 0)
        #expect(file.staleness(source: try TokenFile.Source(path: corpus), recipe: recipe) != nil)
    }

    @Test func damagedTokenFilesAreRefusedWithAReason() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let corpus = folder.appendingPathComponent("c.txt").path, tokens = folder.appendingPathComponent("c.tokens").path
        try Data("a b c\nb c d\nc d e\n".utf8).write(to: URL(fileURLWithPath: corpus))
        let recipe = TokenFile.Recipe(
            tokenizer: TokenizerSettings(), paragraphs: false, skipInvalid: false, heldOutFraction: 0.05,
            minCount: 1, maxSize: 100, subwords: nil, vocabularyFile: nil)
        _ = try CorpusPreparation.prepare(corpus, to: tokens, recipe: recipe)
        let good = try Data(contentsOf: URL(fileURLWithPath: tokens))
        var badID = good
        badID.replaceSubrange((good.count - 4)..<good.count, with: [0xFF, 0xFF, 0x00, 0x00])
        var badOffset = good
        let offsets = good.count - 4 * 9 - 8 * 4  // 9 ids, 4 offsets
        badOffset.replaceSubrange((offsets + 8)..<(offsets + 16), with: [0, 0, 0, 0, 0, 0, 0, 0])
        let cases: [(Data, String)] = [
            (good.prefix(good.count - 3), "cut short"), (Data("TVTOKENS".utf8) + Data(repeating: 7, count: 40), "damaged header"),
            (Data(String(repeating: "hello world\n", count: 4).utf8), "does not start with TVTOKENS"), (badID, "outside its vocabulary"),
            (badOffset, "offsets"),
        ]
        for (bytes, reason) in cases {
            try bytes.write(to: URL(fileURLWithPath: tokens))
            #expect { _ = try TokenFile.open(tokens) } throws: { "\($0)".contains(reason) }
        }
    }

    /// Training through the token file (as `textvae train` does) and training from sentences in memory give
    /// the same model, bit for bit.
    @Test func trainingFromTheTokenFileIsTrainingFromTheText() throws {
        try loadBLAS()
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let corpus = folder.appendingPathComponent("g.txt").path
        try Data(GrammarCorpus.sentences(count: 300, seed: 4).joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: corpus))
        var plan = TrainingPlan(corpus: corpus)
        plan.model = ModelConfig(vocabulary: 0, embedding: 16, hidden: 24, latent: 4)
        plan.options.epochs = 1
        plan.options.batchSize = 16
        plan.output = folder.appendingPathComponent("m.safetensors").path
        let viaFile = try TrainingRun.start(plan, threads: 1, note: { _ in })
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("m.tokens").path))
        let (set, _) = try TrainingRun.read(
            corpus, plan.data, tokenizer: Tokenizer(plan.tokenizer), vocabulary: nil,
            maxLength: plan.model.maxLength)
        let inMemory = try TrainingRun.newTrainer(set, plan, output: folder.appendingPathComponent("n.safetensors").path, threads: 1)
        let (order, batches, _) = viaFile.epochBatches()
        for b in batches.prefix(8) {
            let members = order[b].map(Int.init)
            _ = try viaFile.update(members)
            _ = try inMemory.update(members)
        }
        #expect(viaFile.checkpoint.file.model.parameters == inMemory.checkpoint.file.model.parameters)
        #expect(viaFile.checkpoint.data.fingerprint == inMemory.checkpoint.data.fingerprint)
        // A second start reuses the token file.
        var again = plan
        again.overwrite = true
        var notes: [String] = []
        _ = try TrainingRun.start(again, threads: 1, note: { notes.append($0) })
        #expect(notes.first?.contains("read from its token file") == true, "\(notes)")
    }

    /// `textvae train X.tokens` takes the prepared file's tokenizer and vocabulary (and reads --valid with that
    /// tokenizer), whatever the command line says.
    @Test func trainingFromAPreparedFileTakesItsTokenizerAndVocabulary() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = (0..<40).map { "Word\($0 % 5), and Other\($0 % 3)!" }.joined(separator: "\n")
        try Data(text.utf8).write(to: folder.appendingPathComponent("c.txt"))
        try Data("Word1, and Other2!\n".utf8).write(to: folder.appendingPathComponent("v.txt"))
        let prepared = try TextVAEProgram.run(
            ["prepare", "c.txt", "-o", "c.tokens", "--tokenizer", "whitespace", "--no-hold-out"],
            in: folder.path)
        try #require(prepared.status == 0, "\(prepared)")
        let trained = try TextVAEProgram.run(
            ["train", "c.tokens", "--valid", "v.txt", "-o", "m.safetensors", "--tokenizer", "icu"]
                + ReliabilityTests.tiny + ["--quiet"], in: folder.path)
        try #require(trained.status == 0, "\(trained)")
        let model = try ModelFile.load(folder.appendingPathComponent("m.safetensors").path)
        let file = try TokenFile.open(folder.appendingPathComponent("c.tokens").path)
        #expect(model.tokenizer.name == .whitespace)
        #expect(model.vocabulary == file.vocabulary)
        #expect(model.vocabulary.knows("Word1,"))  // a whitespace token, which ICU would have split
    }
}

/// Bad token files and corpora that are not files: a clear error or the same sentences, never a trap.
@Suite struct TokenFileInputTests {
    @Test func headerLengthsAndCountsOutOfRangeAreRefusedNotTrapped() throws {
        try withScratchFolder { folder in
            let magic = Array("TVTOKENS".utf8)
            let cases: [(String, [UInt8])] = [
                ("a header length of 2⁶⁴ − 1", magic + [UInt8](repeating: 0xFF, count: 8)),
                (
                    "counts near Int.max",
                    magic + [60, 0, 0, 0, 0, 0, 0, 0]
                        + Array(#"{"format":1,"sentences":9223372036854775000,"tokens":5}"#.utf8)
                ),
            ]
            for (name, bytes) in cases {
                let path = folder + "/bad.tokens"
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                #expect(throws: TextVAEError.self, "\(name)") { try TokenFile.open(path) }
                let run = try TextVAEProgram.run(["train", "bad.tokens"], in: folder)
                #expect(run.failedCleanly && run.stderr.contains("bad.tokens"), "\(name): \(run)")
            }
        }
    }

    /// A corpus read from a pipe (`<(cat c.txt)`) gives every token: the check for a token file does not read it.
    @Test func aCorpusFromAPipeLosesNothing() throws {
        try withScratchFolder { folder in
            try (GrammarCorpus.sentences(count: 200, seed: 3).joined(separator: "\n") + "\n")
                .write(toFile: folder + "/c.txt", atomically: true, encoding: .utf8)
            let binary = try TextVAEProgram.path()
            let fromFile = try TextVAEProgram.run(["prepare", "c.txt", "-o", "file.tokens"], in: folder)
            let fromPipe = try runProcess(
                "/bin/bash", ["-c", "\"$0\" prepare <(cat c.txt) -o pipe.tokens", binary], in: folder, stdin: nil)
            #expect(fromFile.status == 0 && fromPipe.status == 0, "\(fromFile) \(fromPipe)")
            let (a, b) = (try TokenFile.open(folder + "/file.tokens"), try TokenFile.open(folder + "/pipe.tokens"))
            #expect(a.header.tokens == b.header.tokens && a.header.sentences == b.header.sentences && a.vocabulary == b.vocabulary)
        }
    }

    /// A token file cut short while a run trains from it (`truncate`) does not end the run with SIGBUS: a file
    /// that fits in memory is trained from a copy.
    @Test func aTokenFileTruncatedUnderTheRunDoesNotKillIt() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(GrammarCorpus.sentences(count: 840, seed: 6).joined(separator: "\n").utf8).write(
            to: folder.appendingPathComponent("g.txt"))
        let prepared = try TextVAEProgram.run(["prepare", "g.txt", "-o", "g.tokens"], in: folder.path)
        try #require(prepared.status == 0, "\(prepared)")
        let job = try startTextVAE(
            [
                "train", "g.tokens", "-o", "m.safetensors", "--epochs", "2", "--checkpoint-steps", "5", "--embedding", "16",
                "--hidden", "24", "--latent", "4", "--batch-size", "16", "--threads", "1", "--quiet",
            ], in: folder)
        // Truncated once the run has trained (its first checkpoint is written), as an editor or `truncate` would.
        let checkpoint = folder.appendingPathComponent("m.checkpoint.safetensors").path
        waitForFile(checkpoint, while: job, seconds: 120)
        #expect(truncate(folder.appendingPathComponent("g.tokens").path, 4096) == 0)
        job.waitUntilExit()
        #expect(
            job.terminationReason == .exit && job.terminationStatus == 0,
            "train ended with \(job.terminationReason == .exit ? "status" : "signal") \(job.terminationStatus)")
    }
}
