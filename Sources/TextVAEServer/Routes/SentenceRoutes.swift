#if Server
    import Foundation
    import Hummingbird
    import TextVAE

    extension ModelServer {
        /// `POST /v1/reconstruct`, `/v1/encode`, `/v1/score` and `/v1/classify`: routes that take a list of sentences.
        func addSentenceRoutes(_ v1: RouterGroup<BasicRequestContext>) {
            v1.post("reconstruct") { request, _ in
                let fields = try await self.fields(
                    request, ["sentences", "sample", "seed", "refine"] + Self.lengthFields + Self.classFields)
                let sentences = try self.sentences(fields)
                let options = try self.decodingOptions(fields, maxLength: self.worker.model.model.config.maxLength)
                let sample = try fields.bool("sample") ?? false, seed = try fields.seed("seed") ?? 0
                let refine = try self.refineSteps(fields, default: 0)
                if sample && refine > 0 { throw APIError.unprocessable("'refine' refines the posterior mean: leave out 'sample'") }
                let asked = try self.askedClass(fields)
                let (inputs, z, classes) = try await self.onModel { model in
                    let (input, inputs) = try Self.read(sentences, model)
                    try self.checkRefineWork(steps: refine, input.ids, model)
                    var rng = Random(seed: seed)
                    let posteriors = model.encode(input.ids)
                    // With classes: each sentence's most likely class, or the asked one with its z kept (transfer), as
                    // textvae reconstruct.
                    let classes = model.classes == 0 ? [] : asked.map { k in inputs.map { _ in k } } ?? posteriors.mostLikelyClasses
                    let z =
                        sample
                        ? posteriors.draw(&rng)
                        : model.refinedCodes(
                            input.ids, from: posteriors.mu, classes: classes.isEmpty ? nil : classes, steps: refine, options: options)
                    return (inputs, z, classes)
                }
                let model = self.worker.model
                let decoded = try await self.decode(
                    z, classes: classes.isEmpty ? nil : classes.flatMap(model.oneHot), options,
                    rowSeeds: SentenceVAE.rowSeeds(0, rows: 0..<sentences.count))
                let results: [JSONValue] = zip(inputs, decoded).enumerated().map { i, pair in
                    var fields: [String: JSONValue] = ["input": .string(pair.0), "output": .string(model.text(pair.1[0].tokens))]
                    if !classes.isEmpty { fields["class"] = .string(model.classNames[classes[i]]) }
                    return .object(fields)
                }
                return Response.json(.object(["results": .array(results)]))
            }

            v1.post("encode") { request, _ in
                let fields = try await self.fields(request, ["sentences", "refine"])
                let sentences = try self.sentences(fields)
                let refine = try self.refineSteps(fields, default: 0)
                let results = try await self.onModel { model in
                    let (input, inputs) = try Self.read(sentences, model)
                    try self.checkRefineWork(steps: refine, input.ids, model)
                    let posteriors = model.encode(input.ids), Z = model.latent
                    // With refine: the codes textvae encode --refine writes, as "z" beside "mu".
                    let z = model.refinedMeans(input.ids, posteriors, steps: refine)
                    return inputs.indices.map { i -> JSONValue in
                        var fields: [String: JSONValue] = [
                            "input": .string(inputs[i]), "mu": .floats(posteriors.mu(i)),
                            "logvar": .floats(posteriors.logv[i * Z..<(i + 1) * Z]),
                        ]
                        if refine > 0 { fields["z"] = .floats(z[i * Z..<(i + 1) * Z]) }
                        return .object(fields)
                    }
                }
                return Response.json(.object(["results": .array(results)]))
            }

            v1.post("score") { request, _ in
                let sentences = try self.sentences(try await self.fields(request, ["sentences"]))
                let deadline = ContinuousClock.now + .milliseconds(Int64(self.settings.timeLimit * 1000))
                let ids = try await self.onModel { model in try Self.read(sentences, model).0.ids }
                let model = self.worker.model, V = model.model.config.vocabulary
                let tokens = ids.reduce(0) { $0 + $1.count + 1 }
                try self.checkWork(Double(tokens) * Double(V), "\(tokens) tokens × \(V) words")
                // Scored a turn of at most `scoreTokensPerTurn` tokens at a time, each turn queued behind the requests
                // that came meanwhile (as decoding is), so that long sentences do not hold the model for everyone.
                var turns: [Range<Int>] = [], start = 0, held = 0
                for (i, sentence) in ids.enumerated() {
                    if held > 0 && held + sentence.count + 1 > Self.scoreTokensPerTurn {
                        turns.append(start..<i)
                        (start, held) = (i, 0)
                    }
                    held += sentence.count + 1
                }
                turns.append(start..<ids.count)
                var rec: [Float] = [], kl: [Float] = [], classKL: [Float] = [], targets: [Int] = []
                for turn in turns {
                    let part = Array(ids[turn])
                    let s = try await self.onModel(timeLimit: try self.secondsLeft(deadline)) { model in
                        var rng = Random(seed: 0)  // unused: z = μ
                        let s = model.model.score(part, batchSize: 64, useMean: true, rng: &rng, workspace: model.workspace)
                        return (rec: s.rec, kl: s.kl, classKL: s.classKL, targets: s.targets)
                    }
                    rec += s.rec
                    kl += s.kl
                    classKL += s.classKL
                    targets += s.targets
                }
                let results: [JSONValue] = rec.indices.map {
                    .object(["rec": .float(rec[$0]), "kl": .float(kl[$0]), "tokens": .int(targets[$0])])
                }
                func mean(_ values: [Float]) -> Double { values.reduce(0.0) { $0 + Double($1) } / Double(max(1, rec.count)) }
                return Response.json(
                    .object([
                        "results": .array(results),
                        "mean": .object([
                            "rec": .double(mean(rec)), "kl": .double(mean(kl)), "nelbo": .double(mean(rec) + mean(kl) + mean(classKL)),
                        ]),
                    ]))
            }

            v1.post("classify") { request, _ in
                let sentences = try self.sentences(try await self.fields(request, ["sentences"]))
                guard self.worker.model.classes > 0 else {
                    throw APIError.unprocessable(
                        "this model has no classes: train it with labels (--label-column or --label-file) or with --classes K to classify")
                }
                let results = try await self.onModel { model in
                    let (input, inputs) = try Self.read(sentences, model)
                    let posteriors = model.encode(input.ids)
                    return posteriors.mostLikelyClasses.enumerated().map { i, k -> JSONValue in
                        let q = Array(posteriors.classProbabilities(i))
                        return .object([
                            "input": .string(inputs[i]), "class": .string(model.classNames[k]), "probability": .float(q[k]),
                            "probabilities": .object(
                                Dictionary(uniqueKeysWithValues: zip(model.classNames, q.map { JSONValue.float($0) }))),
                        ])
                    }
                }
                return Response.json(.object(["results": .array(results)]))
            }
        }

        /// Tokens one scoring turn on the worker takes (about 0.3 s for a 10,000-word model on one core).
        static let scoreTokensPerTurn = 2_000

        /// The request's `sentences`: 1 to `--max-sentences` of them.
        func sentences(_ fields: RequestFields) throws -> [String] {
            guard let sentences = try fields.strings("sentences") else {
                throw APIError.unprocessable("give 'sentences', an array of strings such as [\"the cat sat .\"]")
            }
            if sentences.isEmpty { throw APIError.unprocessable("'sentences' is empty; give at least one sentence") }
            if sentences.count > settings.maxSentences {
                throw APIError.tooLarge(
                    "'sentences' has \(sentences.count), over this server's limit of \(settings.maxSentences) (textvae serve --max-sentences)"
                )
            }
            return sentences
        }

        /// The sentences tokenised (every one must have a word), and each as the model sees it (unknown words as <unk>).
        static func read(_ sentences: [String], _ model: TrainedModel) throws -> (ModelInput, [String]) {
            let input = try model.input(lines: sentences, name: "the sentences")
            // ModelInput skips what has no words (blank or not); here each sentence must give one result.
            if let missing = sentences.indices.first(where: { i in !input.sentences.contains { $0.line == i + 1 } }) {
                throw TextVAEError.invalidInput(
                    "sentence \(missing + 1) '\(sentences[missing])' has no words; give a sentence with at least one word")
            }
            return (input, input.sentences.map { model.text($0) })
        }
    }
#endif
