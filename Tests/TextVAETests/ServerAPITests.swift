#if Server
    import Foundation
    import Testing
    @testable import TextVAE
    @testable import TextVAEServer

    /// The JSON API on a real server (ephemeral loopback port) through a real HTTP client: every route,
    /// every limit and the error bodies.
    @Suite(.serialized) struct ServerAPITests {
        /// Runs `body` against a server for the tiny model with an index of `ServerFixture.indexLines`.
        func withServer(
            _ settings: ServerSettings = ServerFixture.settings(), index: Bool = true,
            _ body: (RunningServer, TrainedModel) async throws -> Void
        ) async throws {
            let folder = try temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let model = try ServerFixture.model()
            var sentenceIndex: SentenceIndex?
            if index {
                let path = folder.appendingPathComponent("index.txt").path
                try ServerFixture.indexLines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
                sentenceIndex = try SentenceIndex.build(path, model: model)
            }
            let server = try await RunningServer.start(ModelServer(model: model, settings: settings, index: sentenceIndex))
            do {
                try await body(server, model)
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()
        }

        @Test func infoRoutesDescribeTheModelAndServeThePage() async throws {
            try await withServer { server, model in
                let health = try await server.request("GET", "/healthz")
                #expect(health.status == 200 && health.json?["status"] as? String == "ok")

                let facts = try await server.request("GET", "/v1/model")
                let config = try #require(facts.json?["config"] as? [String: Any])
                #expect(config["latent"] as? Int == model.latent && config["vocabulary"] as? Int == model.vocabulary.count)
                let c = model.model.config
                #expect(config["cell"] as? String == c.cell.rawValue && config["bidirectional"] as? Bool == c.bidirectional)
                #expect(
                    config["tied_embeddings"] as? Bool == c.tiedEmbeddings
                        && (config["adaptive_softmax_cutoffs"] as? [Int]) == c.softmaxCutoffs)
                #expect((facts.json?["index"] as? [String: Any])?["sentences"] as? Int == ServerFixture.indexLines.count)
                #expect((facts.json?["limits"] as? [String: Any])?["max_sentences"] as? Int == 8)
                #expect(facts.contentType.hasPrefix("application/json"))

                let page = try await server.request("GET", "/")
                #expect(page.status == 200 && page.contentType.hasPrefix("text/html"))
                #expect(page.body.contains("id=\"interp-go\"") && page.body.contains("v1/interpolate"))
                for outside in ["src=\"http", "href=\"http", "url(http", "@import", "fetch(\"http"] {
                    #expect(!page.body.contains(outside), "the page loads nothing from elsewhere: \(outside)")
                }
            }
        }

        @Test func sampleGivesTheCommandsSentencesForTheSameSeed() async throws {
            try await withServer { server, model in
                for (body, options) in [
                    (#"{"n": 6, "seed": 3}"#, DecodingOptions(repetition: .standard)),
                    (#"{"n": 6, "seed": 3, "raw": true}"#, DecodingOptions()),
                    (
                        #"{"n": 6, "seed": 3, "temperature": 0.8, "top_p": 0.9}"#,
                        DecodingOptions(method: .sample(Sampling(temperature: 0.8, topP: 0.9)), repetition: .standard)
                    ),
                    (
                        #"{"n": 2, "seed": 3, "beam_width": 3, "max_length": 5}"#,
                        DecodingOptions(method: .beam(width: 3), maxLength: 5, repetition: .standard)
                    ),
                ] {
                    let reply = try await server.post("/v1/sample", body)
                    let sentences = try #require(reply.json?["sentences"] as? [[String: Any]], "\(reply)")
                    // What `textvae sample` decodes: the same z stream, the same per-row seeds.
                    let draws = model.priorDraws(count: sentences.count, seed: 3)
                    let expected = model.decode(draws.z, options: options, rowSeeds: draws.rowSeeds)
                    #expect(sentences.map { $0["text"] as? String } == expected.map { model.text($0[0].tokens) })
                    let tokens: [[String]?] = expected.map { $0[0].tokens.map { model.vocabulary.tokens[Int($0)] } }
                    #expect(sentences.map { $0["tokens"] as? [String] } == tokens)
                    let codes: [[Float]?] = sentences.map { ($0["z"] as? [Double])?.map(Float.init) }
                    let drawn: [[Float]?] = (0..<sentences.count).map { Array(draws.z[$0 * 4..<($0 + 1) * 4]) }
                    #expect(codes == drawn)
                    // The server decodes a few rows per turn (ModelServer.rowsPerTurn): the same words, and log-probabilities
                    // summed from products of another batch shape, equal to float rounding.
                    for (s, h) in zip(sentences, expected) {
                        #expect(abs((s["log_prob"] as? Double ?? 0) - h[0].logProbability) < 1e-5 * max(1, abs(h[0].logProbability)))
                    }
                    if case .beam = options.method { #expect((sentences[0]["beam"] as? [Any])?.count == 3) }
                }
            }
        }

        @Test func sampleMatchesTheCommandLineProgram() async throws {
            let folder = try temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            try TinyModel.file(TinyModel.varied(latentToInputs: false)).save(to: folder.appendingPathComponent("m.safetensors").path)
            let cli = try TextVAEProgram.run(
                [
                    "sample", "-m", "m.safetensors", "-n", "5", "--seed", "11", "--temperature", "1.3",
                    "--format", "jsonl", "--threads", "1",
                ], in: folder.path)
            #expect(cli.status == 0, "\(cli)")
            let lines = cli.stdout.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            try await withServer(index: false) { server, _ in
                let reply = try await server.post("/v1/sample", #"{"n": 5, "seed": 11, "temperature": 1.3}"#)
                let sentences = try #require(reply.json?["sentences"] as? [[String: Any]])
                #expect(sentences.map { $0["text"] as? String } == lines.map { $0?["text"] as? String })
                #expect(sentences.map { $0["z"] as? [Double] } == lines.map { $0?["z"] as? [Double] })
            }
        }

        @Test func interpolateReconstructEncodeAndScoreAgreeWithTheLibrary() async throws {
            try await withServer { server, model in
                let a = "the cat sat on the mat", b = "a dog ran"
                let ends = model.encode([try model.requireTokens(a), try model.requireTokens(b)])
                let ts = Interpolation.steps(4)
                let z = ts.flatMap { Interpolation.spherical(Array(ends.mu(0)), Array(ends.mu(1)), $0) }
                let expected = model.decode(z, options: DecodingOptions(repetition: .standard)).map { model.text($0[0].tokens) }

                let path = try await server.post(
                    "/v1/interpolate", #"{"a": "\#(a)", "b": "\#(b)", "steps": 4, "slerp": true, "refine": 0}"#)
                let points = try #require(path.json?["points"] as? [[String: Any]], "\(path)")
                #expect(points.map { $0["text"] as? String } == expected)
                #expect(points.map { $0["t"] as? Double } == ts)

                let za = ends.mu(0).map(\.description).joined(separator: ", "), zb = ends.mu(1).map(\.description).joined(separator: ", ")
                let codes = try await server.post("/v1/interpolate", #"{"za": [\#(za)], "zb": [\#(zb)], "steps": 4, "slerp": true}"#)
                #expect((codes.json?["points"] as? [[String: Any]])?.map { $0["text"] as? String } == expected)

                let reconstructed = try await server.post("/v1/reconstruct", #"{"sentences": ["\#(a)", "\#(b)"]}"#)
                let results = try #require(reconstructed.json?["results"] as? [[String: Any]], "\(reconstructed)")
                #expect(results.map { $0["input"] as? String } == [a, b])
                #expect(results.map { $0["output"] as? String } == [expected[0], expected[3]])

                let encoded = try await server.post("/v1/encode", #"{"sentences": ["\#(a)"]}"#)
                let first = try #require((encoded.json?["results"] as? [[String: Any]])?.first)
                #expect((first["mu"] as? [Double])?.map(Float.init) == model.encode([try model.requireTokens(a)]).mu)
                #expect((first["logvar"] as? [Double])?.count == model.latent && first["z"] == nil)

                let scored = try await server.post("/v1/score", #"{"sentences": ["\#(a)", "\#(b)"]}"#)
                var rng = Random(seed: 0)
                let s = model.model.score(
                    [try model.requireTokens(a), try model.requireTokens(b)], batchSize: 64, useMean: true,
                    rng: &rng, workspace: model.workspace)
                let scores = try #require(scored.json?["results"] as? [[String: Any]], "\(scored)")
                #expect(scores.map { ($0["rec"] as? Double).map(Float.init) } == s.rec)
                #expect(scores.map { $0["tokens"] as? Int } == s.targets)
                #expect(abs(((scored.json?["mean"] as? [String: Any])?["nelbo"] as? Double ?? 0) - s.meanNELBO) < 1e-9)
            }
        }

        @Test func neighboursAndMapUseTheIndex() async throws {
            try await withServer { server, model in
                let reply = try await server.post("/v1/neighbours", #"{"sentence": "the dog sat", "k": 3}"#)
                let found = try #require(reply.json?["neighbours"] as? [[String: Any]], "\(reply)")
                let means = model.means(try ServerFixture.indexLines.map { try model.requireTokens($0) })
                let expected = Neighbours.nearest(
                    to: model.means([try model.requireTokens("the dog sat")]), among: means,
                    dimension: model.latent, k: 3, metric: .cosine)
                #expect(found.map { $0["line"] as? Int } == expected.map { $0.index + 1 })
                #expect(found.first?["text"] as? String == "the dog sat" && found.map { $0["rank"] as? Int } == [1, 2, 3])

                let map = try await server.request("GET", "/v1/map")
                let points = try #require(map.json?["points"] as? [[String: Any]])
                let picture = LatentMap(means: means, dimension: model.latent, texts: ServerFixture.indexLines)
                // JSON carries the shortest decimal that reads back as the double; Foundation's reader may miss by an ulp.
                for (point, (x, y)) in zip(points, zip(picture.x, picture.y)) {
                    #expect(abs((point["x"] as? Double ?? .nan) - x) <= 1e-12 && abs((point["y"] as? Double ?? .nan) - y) <= 1e-12)
                }
                #expect(points.map { $0["text"] as? String } == ServerFixture.indexLines)
            }
            try await withServer(index: false) { server, _ in
                let reply = try await server.post("/v1/neighbours", #"{"sentence": "the dog sat"}"#)
                #expect(reply.status == 404 && reply.errorMessage?.contains("--index") == true, "\(reply)")
            }
        }

        /// Each bad request: its status and words its message must contain.
        /// "refine" on /v1/interpolate (default: textvae interpolate's 20 steps), /v1/reconstruct and /v1/encode gives the
        /// library's refined codes, on sentences whose codes refinement moves (a route that ignored it would fail).
        @Test func refineGivesTheLibrarysRefinedCodes() async throws {
            try await withServer(index: false) { server, model in
                let ids = TinyModel.sentencesRefinementMoves(model, steps: TextVAEModel.interpolationRefinement)
                try #require(ids.count == 2, "refinement moved the codes of \(ids.count) distinct sentences")
                let (a, b) = (model.text(ids[0]), model.text(ids[1]))
                let standard = DecodingOptions(repetition: .standard), Z = model.latent
                func texts(_ reply: HTTPReply, _ list: String, _ key: String) -> [String?]? {
                    (reply.json?[list] as? [[String: Any]])?.map { $0[key] as? String }
                }
                func path(refine: Int) throws -> [String] {
                    let ends = try model.interpolationEnds(a, b, refine: refine, options: standard).ends
                    let z = Interpolation.steps(4).flatMap { Interpolation.linear(ends[0].z, ends[1].z, $0) }
                    return model.decode(z, options: standard).map { model.text($0[0].tokens) }
                }
                let refinedPath = try path(refine: TextVAEModel.interpolationRefinement), meanPath = try path(refine: 0)
                #expect(refinedPath != meanPath, "\(refinedPath)")
                let byDefault = try await server.post("/v1/interpolate", #"{"a": "\#(a)", "b": "\#(b)", "steps": 4}"#)
                #expect(texts(byDefault, "points", "text") == refinedPath, "\(byDefault)")
                #expect(byDefault.json?["refine"] as? Int == TextVAEModel.interpolationRefinement, "\(byDefault)")
                let asked = try await server.post("/v1/interpolate", #"{"a": "\#(a)", "b": "\#(b)", "steps": 4, "refine": 0}"#)
                #expect(texts(asked, "points", "text") == meanPath, "\(asked)")

                let refinedBack = try await server.post("/v1/reconstruct", #"{"sentences": ["\#(a)", "\#(b)"], "refine": 20}"#)
                #expect(texts(refinedBack, "results", "output") == [refinedPath[0], refinedPath[3]], "\(refinedBack)")

                let encoded = try await server.post("/v1/encode", #"{"sentences": ["\#(a)", "\#(b)"], "refine": 20}"#)
                let rows = try #require(encoded.json?["results"] as? [[String: Any]], "\(encoded)")
                let served = rows.flatMap { ($0["z"] as? [Double])?.map(Float.init) ?? [] }
                let means = rows.flatMap { ($0["mu"] as? [Double])?.map(Float.init) ?? [] }
                let codes = model.refinedCodes(ids, from: model.encode(ids).mu, steps: 20, options: standard)
                #expect(served.count == 2 * Z && zip(served, codes).allSatisfy { abs($0 - $1) < 1e-5 } && served != means, "\(rows)")
            }
        }

        static let badRequests: [(path: String, body: String, status: Int, mentions: [String])] = [
            ("/v1/sample", #"{"n": 3"#, 400, ["not valid JSON"]),
            ("/v1/sample", #"[1, 2]"#, 400, ["JSON object"]),
            ("/v1/sample", #"{"count": 3}"#, 400, ["unknown field 'count'", "n, seed"]),
            ("/v1/sample", #"{"n": "3"}"#, 400, ["'n' must be an integer", "a string"]),
            ("/v1/sample", #"{"n": 2.5}"#, 400, ["'n' must be an integer"]),
            ("/v1/sample", #"{"seed": -1}"#, 400, ["'seed'"]),
            ("/v1/sample", #"{"no_unk": 1}"#, 400, ["'no_unk' must be true or false"]),
            ("/v1/sample", #"{"n": 9}"#, 413, ["limit of 8", "--max-sentences"]),
            ("/v1/sample", #"{"n": 0}"#, 422, ["at least 1"]),
            ("/v1/sample", #"{"beam_width": 5}"#, 413, ["limit of 4", "--max-beam-width"]),
            ("/v1/sample", #"{"top_p": 1.5}"#, 422, ["'top_p' must be in (0, 1]"]),
            ("/v1/sample", #"{"decoder": "greedy", "temperature": 0.5}"#, 422, ["apply to 'decoder' sample"]),
            ("/v1/sample", #"{"decoder": "nucleus"}"#, 422, ["one of greedy, sample, beam"]),
            ("/v1/sample", #"{"max_length": 500}"#, 422, ["max_length", "12"]),
            ("/v1/interpolate", #"{"a": "the cat", "b": "a dog", "steps": 10}"#, 413, ["limit of 9", "--max-steps"]),
            ("/v1/interpolate", #"{"a": "the cat", "b": "a dog", "steps": 1}"#, 422, ["at least 2"]),
            ("/v1/interpolate", #"{"a": "the cat"}"#, 422, ["'a' and 'b'"]),
            ("/v1/interpolate", #"{"a": "   ", "b": "a dog"}"#, 422, ["sentence 1", "no words"]),
            ("/v1/interpolate", #"{"za": [1, 2], "zb": [3, 4]}"#, 422, ["latent size, 4"]),
            ("/v1/interpolate", #"{"za": [1, "x", 3, 4], "zb": [1, 2, 3, 4]}"#, 400, ["'za' must be an array of numbers"]),
            ("/v1/interpolate", #"{"a": "the cat", "b": "a dog", "refine": 101}"#, 422, ["'refine'", "0 and 100"]),
            ("/v1/interpolate", #"{"za": [1, 2, 3, 4], "zb": [1, 2, 3, 4], "refine": 5}"#, 422, ["'a' and 'b'"]),
            ("/v1/reconstruct", #"{"sentences": ["the cat"], "sample": true, "refine": 5}"#, 422, ["'sample'"]),
            ("/v1/reconstruct", #"{"sentences": []}"#, 422, ["empty"]),
            ("/v1/reconstruct", #"{"sentences": "the cat"}"#, 400, ["array of strings"]),
            ("/v1/encode", #"{"sentences": ["a", "b", "c", "d", "e", "f", "g", "h", "i"]}"#, 413, ["limit of 8"]),
            ("/v1/score", #"{"sentences": ["the cat", ""]}"#, 422, ["sentence 2", "no words"]),
            ("/v1/neighbours", #"{"sentence": "the cat", "metric": "manhattan"}"#, 422, ["cosine or euclidean"]),
            (
                "/v1/sample", "{\"seed\": 1, \"pad\": \"" + String(repeating: "x", count: 3_000) + "\"}", 413,
                ["limit of 2000 bytes", "--max-body-bytes"]
            ),
            ("/v1/nothing", "{}", 404, ["no route POST /v1/nothing"]),
        ]

        @Test func badRequestsGetAJSONErrorThatSaysWhatToChange() async throws {
            try await withServer { server, _ in
                for bad in Self.badRequests {
                    let reply = try await server.post(bad.path, bad.body)
                    #expect(reply.status == bad.status, "\(bad.path) \(bad.body.prefix(80)): \(reply)")
                    #expect(reply.contentType.hasPrefix("application/json"), "\(reply)")
                    let message = reply.errorMessage ?? ""
                    for word in bad.mentions { #expect(message.contains(word), "\(bad.body.prefix(80)): '\(message)' lacks '\(word)'") }
                    #expect((reply.json?["error"] as? [String: Any])?["status"] as? Int == bad.status)
                }
                // The server is still there, and counted every answer.
                let metrics = try await server.request("GET", "/metrics")
                #expect(metrics.status == 200 && metrics.contentType.hasPrefix("text/plain"))
                #expect(metrics.body.contains(#"textvae_requests_total{route="/v1/sample",status="413"} 3"#), "\(metrics.body)")
                #expect(metrics.body.contains(#"textvae_request_duration_seconds_count{route="/v1/interpolate"} 8"#))
            }
        }

        @Test func anAPIKeyGuardsEverythingButThePageAndHealth() async throws {
            var settings = ServerFixture.settings()
            settings.apiKey = "s3cret"
            try await withServer(settings, index: false) { server, _ in
                let missing = try await server.post("/v1/sample", "{}")
                #expect(missing.status == 401 && missing.errorMessage?.contains("Authorization: Bearer") == true, "\(missing)")
                let wrong = try await server.post("/v1/sample", "{}", headers: ["Authorization": "Bearer guess"])
                #expect(wrong.status == 401 && wrong.errorMessage?.contains("wrong API key") == true)
                let right = try await server.post("/v1/sample", #"{"n": 2}"#, headers: ["Authorization": "Bearer s3cret"])
                #expect(right.status == 200, "\(right)")
                #expect(try await server.request("GET", "/metrics").status == 401)
                #expect(try await server.request("GET", "/healthz").status == 200)
                #expect(try await server.request("GET", "/").status == 200)
            }
        }

        @Test func sentencesAreCounted() async throws {
            try await withServer(index: false) { server, _ in
                _ = try await server.post("/v1/sample", #"{"n": 3}"#)
                _ = try await server.post("/v1/interpolate", #"{"a": "the cat", "b": "a dog", "steps": 5}"#)
                let metrics = try await server.request("GET", "/metrics").body
                #expect(metrics.contains("textvae_sentences_generated_total 8"), "\(metrics)")
                #expect(metrics.contains("textvae_requests_in_flight 1"))
            }
        }
    }
#endif
