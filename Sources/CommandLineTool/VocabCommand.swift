import ArgumentParser
import Foundation
import TextVAE

struct VocabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vocab",
        abstract: "Build a vocabulary from a corpus and write it as token<TAB>count lines.",
        discussion: """
            The four specials <pad> <unk> <bos> <eos> come first, then tokens by count,
            ties broken by code points, so the same corpus always gives the same file. With
            --subwords N the entries are subword pieces learned by byte-pair encoding
            (pieces starting with ▁ begin a word), followed by a line <merges> and the
            merges in the order they apply. 'textvae train --vocab FILE' reads both kinds.
            Examples:
              textvae vocab corpus.txt -o corpus.vocab.txt --min-count 2
              textvae vocab corpus.txt -o corpus.bpe.txt --subwords 8000
            """
    )

    @Argument(help: "Training corpus, one sentence per line.")
    var corpus: String

    @Option(name: .shortAndLong, help: "Where to write the vocabulary.")
    var output: String

    @Option(
        help: ArgumentHelp(
            "Leave out tokens seen fewer times than this; auto: 2 when the words seen twice or more cover 95% of the tokens, else 1 (default: auto, as train).",
            valueName: "n|auto"))
    var minCount: CountOrAuto = .auto

    @Option(help: "Keep at most this many words (the 4 specials come on top).")
    var maxSize = 20_000

    @Option(help: "Learn a subword vocabulary of about this many pieces (specials included) instead of words.")
    var subwords: Int?

    @OptionGroup var tokenization: TokenizerOptions

    func validate() throws {
        if let n = minCount.number, n < 1 { throw ValidationError("--min-count must be at least 1, or auto") }
        if maxSize < 1 { throw ValidationError("--max-size must be at least 1") }
        if let subwords, subwords < 16 || subwords > 1_000_000 {
            throw ValidationError("--subwords must be between 16 and 1000000, such as 8000")
        }
    }

    func run() throws {
        try refuseOutputThatIsAnInput(output, inputs: [(corpus, "the corpus")])
        let start = Date()
        let text = try tokenization.readCorpus(corpus)
        let learning = Date()
        let vocabulary =
            try subwords.map { try Vocabulary(learningSubwords: text.sentences, size: $0) }
            ?? Vocabulary(building: text.sentences, minCount: minCount.number ?? Vocabulary.automaticMinCount, maxSize: maxSize)
        let learnSeconds = Date().timeIntervalSince(learning)
        try vocabulary.write(to: output)
        let seconds = Date().timeIntervalSince(start)
        let say = summary(writing: output)
        if let merges = vocabulary.subwords?.merges {
            say(
                "wrote \(output): \(vocabulary.count) entries (4 specials + \(vocabulary.count - 4) pieces) and \(merges.count) merges, "
                    + "learned in \(f(learnSeconds, 2)) s")
        } else {
            say("wrote \(output): \(vocabulary.count) entries (4 specials + \(vocabulary.count - 4) words)")
        }
        say(
            "corpus: \(text.sentences.count) sentences, \(text.tokenCount) tokens, \(f(seconds, 2)) s "
                + "(\(Int(Double(text.sentences.count) / max(seconds, 1e-9))) sentences/s)")
        say("coverage: \(f(100 * vocabulary.coverage(of: text.sentences), 2))% of the corpus's tokens are in the vocabulary")
        if text.skippedInvalid > 0 { say("skipped \(text.skippedInvalid) lines of invalid UTF-8") }
    }
}
