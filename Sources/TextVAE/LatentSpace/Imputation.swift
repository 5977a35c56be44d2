/// Filling the blanks of a sentence with the model (Bowman et al. 2016, §5:
/// imputing missing words), by scoring.
///
/// Every blank starts as `<unk>`. Then, blank by blank, each candidate word is
/// put in its place and the whole sentence is scored by its −ELBO at z = μ,
///
///     score(x) = rec(x | z = μ(x)) + KL(q(z|x) ‖ p(z)),
///
/// the word with the lowest score is kept, and the next blank is done with
/// that choice fixed. Rounds over all blanks repeat until a round changes
/// nothing or the round limit is reached: coordinate descent on a bound of
/// −log p(x), so from the first round on the score never rises. (It may rise
/// in the first round: `<unk>` is never a candidate, yet it is often the
/// model's likeliest word.) A blank is not tried again until another blank
/// has changed, so one blank takes exactly one pass over the candidates.
///
/// Why scoring rather than decoding: a decoder fills a blank from the words to
/// its left (and z) only, while the score of the whole sentence also weighs
/// the words after the blank, which matter for a blank in the middle of a
/// sentence ("the ___ sat on the mat"). It needs nothing but the model's
/// forward pass, and it is deterministic. The price is one forward pass per
/// candidate per blank per round; `candidates` can be cut to the most
/// frequent words when the vocabulary is large.
package struct Imputation {
    /// The completed sentence (token ids).
    package var tokens: [Int32]
    /// Positions of the blanks in `tokens`.
    package var blanks: [Int]
    /// −ELBO at z = μ of the completed sentence, in nats.
    package var score: Double
    /// The sentence after each round (the first entry: blanks as `<unk>`; the last
    /// round may be one that only confirmed nothing changes).
    package var history: [[Int32]]
    /// True when the last round changed nothing.
    package var converged: Bool
}
