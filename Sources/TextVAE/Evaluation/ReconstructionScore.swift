/// How well decodings reproduce their inputs, summed over sentences.
package struct ReconstructionScore: Equatable, Sendable {
    package private(set) var sentences = 0
    /// Sentences decoded to exactly their words.
    package private(set) var exact = 0
    /// Targets (T + 1 per sentence: the words, then `<eos>`) the decoding got right.
    package private(set) var correct = 0
    package private(set) var targets = 0

    package init() {}

    package var exactShare: Double { sentences == 0 ? 0 : Double(exact) / Double(sentences) }
    package var tokenAccuracy: Double { targets == 0 ? 0 : Double(correct) / Double(targets) }

    /// Position by position: target t (the input's word, or `<eos>` after the
    /// last) is right when the output has the same token there, the output's
    /// `<eos>` standing right after its last word. A shifted output scores low,
    /// as it should: the decoder conditions on its own earlier words.
    package mutating func add(input: [Int32], output: [Int32]) {
        correct += Self.correctTargets(input: input, output: output)
        sentences += 1
        targets += input.count + 1
        if input == output { exact += 1 }
    }

    /// The targets of `input` (its words, then `<eos>`) that `output` gets right, position by position.
    package static func correctTargets(input: [Int32], output: [Int32]) -> Int {
        let eos = Int32(Vocabulary.eos)
        return (0...input.count).count { t in
            let want = t < input.count ? input[t] : eos
            let got: Int32? = t < output.count ? output[t] : t == output.count ? eos : nil
            return got == want
        }
    }
}
