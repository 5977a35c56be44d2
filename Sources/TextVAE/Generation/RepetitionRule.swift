/// Degenerate generated text, and the decoding rule that keeps it out.
///
/// A sentence decoder trained on text with many rare words (Penn Treebank's `<unk>` is 4.8% of its tokens) falls,
/// from some z, into loops ("and <unk> and <unk> and ...") that greedy decoding never leaves: the most probable
/// word after a loop is the loop again. Generation libraries offer the rule used here: a word may not complete an
/// n-gram the sentence already has (Hugging Face's `no_repeat_ngram_size`), and runs of `<unk>` are bounded.
/// The rule changes only which words may be chosen; the log-probabilities reported stay the model's own.
public struct RepetitionRule: Equatable, Sendable {
    /// A word may not complete an n-gram (n words) the sentence already has; 0: off.
    public var noRepeatNGram: Int
    /// At most this many `<unk>` in a row; 0: no limit.
    public var longestUnknownRun: Int

    public init(noRepeatNGram: Int, longestUnknownRun: Int) {
        self.noRepeatNGram = noRepeatNGram
        self.longestUnknownRun = longestUnknownRun
    }

    /// The model's own choices, loops and all.
    public static let off = RepetitionRule(noRepeatNGram: 0, longestUnknownRun: 0)
    /// What `textvae sample` and the server use unless asked for the raw model: no 3-gram twice, at most two
    /// `<unk>` in a row — exactly what `isDegenerate` counts, so decoding under this rule never degenerates.
    public static let standard = RepetitionRule(noRepeatNGram: 3, longestUnknownRun: 2)

    var isOff: Bool { noRepeatNGram == 0 && longestUnknownRun == 0 }

    /// The words that may not come next after `history` (may repeat a word).
    func banned(after history: [Int32]) -> [Int32] {
        var words: [Int32] = []
        let n = noRepeatNGram, count = history.count
        if n == 1 {
            words = history
        } else if n > 1 && count >= n - 1 {
            // Every earlier place where the last n − 1 words occur bans the word that followed them there.
            let tail = count - (n - 1)
            for start in 0..<tail where (0..<n - 1).allSatisfy({ history[start + $0] == history[tail + $0] }) {
                words.append(history[start + n - 1])
            }
        }
        let unk = Int32(Vocabulary.unk)
        if longestUnknownRun > 0 && count >= longestUnknownRun && history.suffix(longestUnknownRun).allSatisfy({ $0 == unk }) {
            words.append(unk)
        }
        return words
    }

    /// Whether a generated sentence is degenerate: some 3-gram occurs twice, or three or more `<unk>` stand in a
    /// row. `textvae sample --stats` reports the share of such sentences.
    package static func isDegenerate(_ tokens: [Int32]) -> Bool {
        let unk = Int32(Vocabulary.unk)
        var run = 0
        for token in tokens {
            run = token == unk ? run + 1 : 0
            if run >= 3 { return true }
        }
        guard tokens.count >= 4 else { return false }
        var seen = Set<[Int32]>()
        for start in 0...(tokens.count - 3) where !seen.insert(Array(tokens[start..<start + 3])).inserted { return true }
        return false
    }
}
