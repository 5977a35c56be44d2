import ArgumentParser
import Foundation
import TextVAE

/// Test-time refinement of the codes of typed sentences, shared by the commands that encode sentences to decode them
/// (off by default; `interpolate` has its own option, on by default).
struct RefineOption: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Refine each sentence's code with this many gradient steps on its own objective (−log p(x|z) + ½‖z‖², from μ) before decoding, so that more sentences come back as typed; a sentence keeps μ where μ gives back as much of it. Each step costs a decoder pass forward and back (default: 0, off; try 20).",
            valueName: "steps"))
    var refine = 0

    func check() throws { try Self.check(refine) }

    /// Refuses a number of steps outside 0 to `TrainedModel.maxRefinementSteps`.
    static func check(_ steps: Int) throws {
        if steps < 0 || steps > TrainedModel.maxRefinementSteps {
            throw ValidationError("--refine must be between 0 and \(TrainedModel.maxRefinementSteps) steps, got \(steps)")
        }
    }

    /// The codes `z` (N × Z) of `sentences`, refined when asked where that gives more of a sentence back under
    /// `options` (`TrainedModel.refinedCodes`; with each sentence's class in `classes`, in a model with classes).
    func codes(_ z: [Float], of sentences: [[Int32]], classes: [Int]?, model: TrainedModel, options: DecodingOptions) -> [Float] {
        model.refinedCodes(sentences, from: z, classes: classes, steps: refine, options: options)
    }
}
