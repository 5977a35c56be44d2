#if Server
    import Foundation
    import TextVAE

    extension ModelServer {
        /// The most refinement steps a request may ask for: each step is a decoder pass forward and back on the
        /// worker, which decodes for nobody else meanwhile.
        static let maxRefineSteps = 100

        /// The request's `refine` (0 to `maxRefineSteps`; `default` when it gives none): gradient steps that move
        /// each sentence's code towards a code that gives the sentence back, as `--refine` does for the commands.
        func refineSteps(_ fields: RequestFields, default value: Int) throws -> Int {
            let steps = try fields.int("refine") ?? value
            guard (0...Self.maxRefineSteps).contains(steps) else {
                throw APIError.unprocessable("'refine' must be between 0 and \(Self.maxRefineSteps) steps, got \(steps)")
            }
            return steps
        }

        /// Refuses refinement whose work passes `--max-request-work`: each step scores every token (and `<eos>`)
        /// against the vocabulary forward and, twice, backward.
        func checkRefineWork(steps: Int, _ ids: [[Int32]], _ model: TrainedModel) throws {
            guard steps > 0 else { return }
            let tokens = Self.refineTargets(ids), V = model.model.config.vocabulary
            try checkWork(
                Double(steps) * 3 * Double(tokens) * Double(V), "\(steps) refinement steps × 3 passes × \(tokens) tokens × \(V) words")
        }

        /// The most refinement steps (at most `steps`) whose work fits `--max-request-work`: for a default the client
        /// did not ask for, which must not turn a request it could make without refinement into a 413.
        func affordableRefineSteps(_ steps: Int, _ ids: [[Int32]], _ model: TrainedModel) -> Int {
            let perStep = 3 * Double(Self.refineTargets(ids)) * Double(model.model.config.vocabulary)
            return min(steps, Int(Double(settings.maxRequestWork) / perStep))
        }

        /// The targets refinement scores: every token and each sentence's `<eos>`.
        private static func refineTargets(_ ids: [[Int32]]) -> Int { ids.reduce(0) { $0 + $1.count + 1 } }
    }
#endif
