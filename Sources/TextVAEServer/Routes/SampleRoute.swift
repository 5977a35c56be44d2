#if Server
    import Foundation
    import Hummingbird
    import TextVAE

    extension ModelServer {
        /// `POST /v1/sample`: sentences from the prior, the same as `textvae sample` gives for the same seed and options.
        func addSampleRoute(_ v1: RouterGroup<BasicRequestContext>) {
            v1.post("sample") { request, _ in
                let fields = try await self.fields(request, ["n", "seed"] + Self.decoderFields + Self.lengthFields + Self.classFields)
                let model = self.worker.model
                let n = try fields.count(
                    "n", default: min(10, self.settings.maxSentences), limit: self.settings.maxSentences, option: "--max-sentences")
                let options = try self.decodingOptions(fields, maxLength: model.model.config.maxLength)
                let seed = try fields.seed("seed") ?? 0
                let draws = model.priorDraws(count: n, seed: seed)
                // With classes: every sentence of the asked class, or each of a class drawn uniformly, as textvae sample.
                let classes = model.priorClasses(count: n, seed: seed, fixed: try self.askedClass(fields))
                let decoded = try await self.decode(
                    draws.z, classes: classes.isEmpty ? nil : classes.flatMap(model.oneHot), options,
                    rowSeeds: draws.rowSeeds)
                let Z = model.latent
                let sentences: [JSONValue] = decoded.enumerated().map { r, hypotheses in
                    var fields = Self.json(hypotheses[0], model)
                    fields["z"] = .floats(draws.z[r * Z..<(r + 1) * Z])
                    if !classes.isEmpty { fields["class"] = .string(model.classNames[classes[r]]) }
                    if case .beam = options.method { fields["beam"] = .array(hypotheses.map { .object(Self.json($0, model)) }) }
                    return .object(fields)
                }
                return Response.json(.object(["sentences": .array(sentences)]))
            }
        }
    }
#endif
