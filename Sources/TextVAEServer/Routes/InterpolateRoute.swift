#if Server
    import Foundation
    import Hummingbird
    import TextVAE

    extension ModelServer {
        /// `POST /v1/interpolate`: Bowman et al.'s homotopy between two sentences' codes (posterior means, refined
        /// as `textvae interpolate` refines them by default) or two given codes, decoded greedily at evenly spaced t,
        /// as `textvae interpolate` does.
        func addInterpolateRoute(_ v1: RouterGroup<BasicRequestContext>) {
            v1.post("interpolate") { request, _ in
                let fields = try await self.fields(request, ["a", "b", "za", "zb", "steps", "slerp", "refine"] + Self.lengthFields)
                let model = self.worker.model
                let steps = try fields.count("steps", default: 5, limit: self.settings.maxSteps, option: "--max-steps")
                if steps < 2 { throw APIError.unprocessable("'steps' must be at least 2 (the two ends), got \(steps)") }
                let options = try self.decodingOptions(fields, maxLength: model.model.config.maxLength)
                let (a, b, refined) = try await self.endPoints(
                    fields, latent: model.latent, refine: try self.refineSteps(fields, default: TextVAEModel.interpolationRefinement),
                    options: options)
                let slerp = try fields.bool("slerp") ?? false
                let ts = Interpolation.steps(steps)
                // As textvae interpolate and TextVAEModel; with classes, c moves between the ends' most likely classes
                // (given codes have none: the average class).
                var (z, classes) = model.homotopy((a.z, a.c ?? 0), (b.z, b.c ?? 0), at: ts, spherical: slerp)
                if a.c == nil { classes = nil }
                let decoded = try await self.decode(z, classes: classes, options, rowSeeds: SentenceVAE.rowSeeds(0, rows: 0..<steps))
                let points: [JSONValue] = zip(ts, decoded).map { t, hypotheses in
                    .object(["t": .double(t), "text": .string(model.text(hypotheses[0].tokens))])
                }
                return Response.json(.object(["points": .array(points), "refine": .int(refined)]))
            }
        }

        /// The two ends: the posterior means (refined by `refine` steps where that gives more of a sentence back
        /// under `options`) and most likely classes of sentences a and b, or the codes za and zb (class nil); and the
        /// refinement steps taken. The default refinement is cut to what `--max-request-work` allows (a 413 is for
        /// what the client asked for); an asked-for `refine` over the limit is refused.
        private func endPoints(
            _ fields: RequestFields, latent Z: Int, refine: Int, options: DecodingOptions
        ) async throws -> ((z: [Float], c: Int?), (z: [Float], c: Int?), refined: Int) {
            let a = try fields.string("a"), b = try fields.string("b")
            let za = try fields.floats("za"), zb = try fields.floats("zb")
            if let za, let zb, a == nil, b == nil {
                if try fields.int("refine") ?? 0 > 0 {
                    throw APIError.unprocessable("'refine' refines the codes of sentences: give 'a' and 'b', not 'za' and 'zb'")
                }
                guard za.count == Z, zb.count == Z else {
                    throw APIError.unprocessable(
                        "'za' and 'zb' must each have the model's latent size, \(Z) numbers; got \(za.count) and \(zb.count)")
                }
                return ((za, nil), (zb, nil), 0)
            }
            guard let a, let b, za == nil, zb == nil else {
                throw APIError.unprocessable("give two sentences as 'a' and 'b', or two latent codes as 'za' and 'zb'")
            }
            let asked = try fields.int("refine") != nil
            return try await onModel { model in
                var steps = refine
                if steps > 0 {
                    let ids = try Self.read([a, b], model).0.ids
                    if asked {
                        try self.checkRefineWork(steps: steps, ids, model)
                    } else {
                        steps = self.affordableRefineSteps(steps, ids, model)
                    }
                }
                let ends = try model.interpolationEnds(a, b, refine: steps, options: options).ends
                return ((ends[0].z, ends[0].c), (ends[1].z, ends[1].c), steps)
            }
        }
    }
#endif
