import Foundation
import Testing

@testable import TextVAE

/// A subword model used as a user would: trained with `--vocab-type bpe`, then every command reads the
/// merges from the model file.
@Suite(.serialized) struct SubwordCLITests {
    /// Trains a tiny subword model on the grammar corpus in `folder` (g.txt, bpe.safetensors).
    static func train(in folder: String, _ extra: [String] = []) throws -> Run {
        try Data(GrammarCorpus.sentences(count: 600, seed: 4).joined(separator: "\n").utf8)
            .write(to: URL(fileURLWithPath: folder + "/g.txt"))
        return try TextVAEProgram.run(
            [
                "train", "g.txt", "-o", "bpe.safetensors", "--quiet", "--subwords", "60",
                "--embedding", "16", "--hidden", "16", "--latent", "4", "--epochs", "2",
            ] + extra, in: folder)
    }

    @Test func everyCommandReadsTheSubwordsFromTheModel() throws {
        let folder = try temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let trained = try Self.train(in: folder)
        #expect(trained.status == 0, "\(trained)")
        let model = try ModelFile.load(folder + "/bpe.safetensors")
        let vocabulary = model.vocabulary
        #expect(vocabulary.subwords != nil && vocabulary.count == 60)
        // The vocabulary file beside the model carries the merges too, and `train --vocab` reads it.
        #expect(try Vocabulary.load(folder + "/bpe.vocab.txt") == vocabulary)

        // Greedy text has no <unk> (every character of the grammar is known, so <unk> is never a target) and no marker.
        let sample = try TextVAEProgram.run(["sample", "-m", "bpe.safetensors", "-n", "30", "--seed", "3"], in: folder)
        #expect(sample.status == 0 && !sample.stdout.contains("<unk>") && !sample.stdout.contains(Subwords.marker), "\(sample)")

        // tokenize -m shows the pieces; the words they spell are the input's.
        let pieces = try TextVAEProgram.run(
            ["tokenize", "-m", "bpe.safetensors", "--separator", " ", "the old teacher sees a robot ."], in: folder)
        #expect(pieces.status == 0 && pieces.stdout.contains(Subwords.marker), "\(pieces)")
        let shown = pieces.stdout.trimmingCharacters(in: .newlines).split(separator: " ").map(String.init)
        #expect(vocabulary.words(shown.map { Int32(vocabulary.id($0)) }) == ["the", "old", "teacher", "sees", "a", "robot", "."])

        // reconstruct shows the input as the model sees it: an unknown character as <unk> inside its word.
        let reconstructed = try TextVAEProgram.run(
            ["reconstruct", "-m", "bpe.safetensors"], in: folder, stdin: "the old teacher sees a rжbot .\n")
        #expect(reconstructed.status == 0 && reconstructed.stdout.hasPrefix("the old teacher sees a r<unk>bot.\t"), "\(reconstructed)")

        // evaluate counts words as well as pieces; per word, the perplexity is higher than per piece.
        try Data(GrammarCorpus.sentences(count: 40, seed: 8).joined(separator: "\n").utf8).write(
            to: URL(fileURLWithPath: folder + "/v.txt"))
        let evaluated = try TextVAEProgram.run(["evaluate", "-m", "bpe.safetensors", "v.txt", "-k", "5", "--json"], in: folder)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(evaluated.stdout.utf8)) as? [String: Any], "\(evaluated)")
        let words = try #require(report["words"] as? Int), tokens = try #require(report["tokens"] as? Int)
        #expect(words + 40 < tokens)
        #expect(try #require(report["word_ppl"] as? Double) > (try #require(report["ppl"] as? Double)))
        let sentences = try String(contentsOfFile: folder + "/v.txt", encoding: .utf8).split(separator: "\n")
        #expect(words == sentences.reduce(0) { $0 + $1.split(separator: " ").count })

        // impute fills a blank with a word the vocabulary holds whole.
        let imputed = try TextVAEProgram.run(["impute", "-m", "bpe.safetensors", "the ___ sees a robot ."], in: folder)
        #expect(imputed.status == 0 && !imputed.stdout.contains(Subwords.marker), "\(imputed)")
    }

    @Test func optionsThatConflictWithSubwordsAreRefused() throws {
        let folder = try temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (extra, words) in [
            (["--min-count", "2"], ["--min-count", "--subwords"]),
            (["--vocab-type", "word"], ["--subwords applies to --vocab-type bpe"]),
        ] {
            let run = try Self.train(in: folder, extra)
            #expect(run.failedCleanly, "\(extra): \(run)")
            for word in words { #expect(run.stderr.contains(word), "\(extra): \(run.stderr)") }
        }
        let trained = try Self.train(in: folder, ["--checkpoint-steps", "5"])
        #expect(trained.status == 0, "\(trained)")
        let resumed = try TextVAEProgram.run(
            ["train", "--resume", "bpe.checkpoint.safetensors", "--subwords", "80", "--epochs", "3"], in: folder)
        #expect(resumed.failedCleanly && resumed.stderr.contains("--subwords") && resumed.stderr.contains("bpe 60"), "\(resumed)")
    }
}
