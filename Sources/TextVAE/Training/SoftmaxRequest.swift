/// The output layer a new run asks for (`train --softmax`); an adaptive softmax's cutoffs, when not given, are
/// chosen once the vocabulary is built (`AdaptiveSoftmax.defaultCutoffs`).
package enum SoftmaxRequest: Equatable, Sendable {
    case full
    case adaptive(cutoffs: [Int]?)

    /// The cutoffs for a vocabulary of `V` tokens (empty: the full softmax), or an error naming the fix.
    package func cutoffs(vocabulary V: Int) throws -> [Int] {
        switch self {
        case .full: return []
        case .adaptive(let given?):
            if let problem = AdaptiveSoftmax.problem(cutoffs: given, vocabulary: V) {
                throw TextVAEError.invalidInput("--softmax-cutoffs: \(problem); give smaller ones, such as 2000,10000")
            }
            return given
        case .adaptive(nil):
            guard let chosen = AdaptiveSoftmax.defaultCutoffs(vocabulary: V) else {
                throw TextVAEError.invalidInput(
                    "--softmax adaptive: the vocabulary has \(V) tokens, and an adaptive softmax pays only from about "
                        + "4,000 (its head alone holds 2,000); leave out --softmax, or give --softmax-cutoffs below \(V)")
            }
            return chosen
        }
    }

    /// As `--softmax` spells it.
    package var name: String {
        switch self {
        case .full: "full"
        case .adaptive: "adaptive"
        }
    }
}
