/// What `SentenceVAE.decodeRunning` keeps for each running row, in the decoder state's row order: the caller's
/// tag, the sentence so far and its log-probability, the steps taken, the next input word, and (sampling) the
/// row's own generator.
struct RunningRows {
    private(set) var tags: [Int] = []
    private(set) var tokens: [[Int32]] = []
    private(set) var logProbabilities: [Double] = []
    private(set) var steps: [Int] = []
    private(set) var inputs: [Int32] = []
    var generators: [Random] = []
    let sampling: Bool

    var count: Int { tags.count }

    init(sampling: Bool) { self.sampling = sampling }

    /// Rows that join: no words yet, `<bos>` next.
    mutating func append(_ rows: [DecodingRow]) {
        tags += rows.map(\.tag)
        tokens += rows.map { _ in [] }
        logProbabilities += rows.map { _ in 0 }
        steps += rows.map { _ in 0 }
        inputs += rows.map { _ in Int32(Vocabulary.bos) }
        if sampling { generators += rows.map { Random(seed: $0.seed) } }
    }

    /// Row r emitted `word` with log-probability `logProbability`; returns whether it ended (`<eos>`).
    mutating func emit(_ r: Int, word: Int, logProbability: Double) -> Bool {
        logProbabilities[r] += logProbability
        if word == Vocabulary.eos { return true }
        tokens[r].append(Int32(word))
        inputs[r] = Int32(word)
        steps[r] += 1
        return false
    }

    /// Row r's sentence as far as it got.
    func hypothesis(_ r: Int, reachedLengthCap: Bool) -> Hypothesis {
        Hypothesis(tokens: tokens[r], logProbability: logProbabilities[r], reachedLengthCap: reachedLengthCap)
    }

    /// Keeps the rows `kept` (old row numbers, in their new order).
    mutating func keep(_ kept: [Int]) {
        tags = kept.map { tags[$0] }
        tokens = kept.map { tokens[$0] }
        logProbabilities = kept.map { logProbabilities[$0] }
        steps = kept.map { steps[$0] }
        inputs = kept.map { inputs[$0] }
        if sampling { generators = kept.map { generators[$0] } }
    }
}
