#if Server
    import Foundation
    import Testing
    @testable import TextVAE
    @testable import TextVAEServer

    /// What a hostile page or a costly request can no longer do: reach the API through the user's browser
    /// (Host, Origin, Content-Type), or hold the model with one small request (top-k, the work budget).
    /// curl sends the headers a browser would; Foundation's client may not set Host or Origin itself.
    @Suite(.serialized) struct ServerGuardTests {
        static let curlPath = "/usr/bin/curl"

        func withServer(_ settings: ServerSettings = ServerFixture.settings(), _ body: (RunningServer) async throws -> Void) async throws {
            let server = try await RunningServer.start(ModelServer(model: try ServerFixture.model(), settings: settings))
            do { try await body(server) } catch {
                await server.stop()
                throw error
            }
            await server.stop()
        }

        /// The status, headers and body curl got.
        func curl(_ port: Int, _ arguments: [String]) throws -> (status: Int, headers: String, body: String) {
            let run = try runProcess(
                Self.curlPath, ["-s", "-m", "60", "-D", "-", "-w", "\n%{http_code}"] + arguments, in: NSTemporaryDirectory())
            let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            let status = Int(lines.last ?? "") ?? 0
            let text = lines.dropLast().joined(separator: "\n")
            let parts = text.components(separatedBy: "\r\n\r\n")
            return (status, parts.first ?? "", parts.dropFirst().joined(separator: "\r\n\r\n"))
        }

        @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: curlPath), "curl is not installed"))
        func aForeignHostOrOriginIsRefusedAndAnAllowedOneServed() async throws {
            var settings = ServerFixture.settings()
            settings.allowedHosts = ["textvae.internal"]
            settings.corsOrigins = ["https://app.example.com"]
            try await withServer(settings) { server in
                let url = "http://127.0.0.1:\(server.port)/v1/model"
                // DNS rebinding: the browser calls 127.0.0.1 under the attacker's name.
                let rebound = try curl(server.port, ["-H", "Host: attacker.example:\(server.port)", url])
                #expect(rebound.status == 400 && rebound.body.contains("--allowed-host"), "\(rebound)")
                #expect(try curl(server.port, ["-H", "Host: textvae.internal", url]).status == 200)
                #expect(try curl(server.port, ["-H", "Host: localhost:\(server.port)", url]).status == 200)

                let foreign = try curl(server.port, ["-H", "Origin: https://evil.example", url])
                #expect(foreign.status == 403 && foreign.body.contains("--cors-origin"), "\(foreign)")
                let allowed = try curl(server.port, ["-H", "Origin: https://app.example.com", url])
                #expect(
                    allowed.status == 200 && allowed.headers.lowercased().contains("access-control-allow-origin: https://app.example.com"),
                    "\(allowed)")
                let preflight = try curl(
                    server.port,
                    [
                        "-X", "OPTIONS", "-H", "Origin: https://app.example.com",
                        "-H", "Access-Control-Request-Method: POST", url,
                    ])
                #expect(preflight.status == 204 && preflight.headers.lowercased().contains("access-control-allow-methods"), "\(preflight)")
                // The page's own origin is the server's.
                #expect(try curl(server.port, ["-H", "Origin: http://127.0.0.1:\(server.port)", url]).status == 200)
            }
        }

        @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: curlPath), "curl is not installed"))
        func aPostThatIsNotJSONIsRefused() async throws {
            try await withServer { server in
                let url = "http://127.0.0.1:\(server.port)/v1/sample"
                // What a cross-site form sends (curl -d: application/x-www-form-urlencoded), and no type at all.
                let form = try curl(server.port, ["-d", #"{"n": 2}"#, url])
                #expect(form.status == 415 && form.body.contains("Content-Type: application/json"), "\(form)")
                let none = try curl(server.port, ["-X", "POST", "-H", "Content-Type:", url])
                #expect(none.status == 415, "\(none)")
                let json = try curl(server.port, ["--json", #"{"n": 2}"#, url])
                #expect(json.status == 200, "\(json)")
            }
        }

        @Test func topKIsCappedAndWorkOverTheBudgetIsRefusedBeforeItRuns() async throws {
            var settings = ServerFixture.settings()
            settings.maxRequestWork = 2_000
            try await withServer(settings) { server in
                let V = try ServerFixture.model().vocabulary.count
                let over = try await server.post("/v1/sample", #"{"n": 2, "top_k": \#(V + 1)}"#)
                #expect(over.status == 422 && over.body.contains("'top_k'"), "\(over)")
                // 8 sentences × 12 steps × 12 words = 1,152 word scores: within 2,000; beam width 4 makes it 4,608.
                #expect(try await server.post("/v1/sample", #"{"n": 8, "temperature": 3, "top_k": \#(V - 2), "raw": true}"#).status == 200)
                let costly = try await server.post("/v1/sample", #"{"n": 8, "beam_width": 4}"#)
                #expect(costly.status == 413 && costly.body.contains("--max-request-work"), "\(costly)")
                // Refinement: 10 steps × 3 passes × 4 targets × 12 words = 1,440 word scores; 20 steps, 2,880.
                #expect(try await server.post("/v1/reconstruct", #"{"sentences": ["the cat sat"], "refine": 10}"#).status == 200)
                let refined = try await server.post("/v1/reconstruct", #"{"sentences": ["the cat sat"], "refine": 20}"#)
                #expect(refined.status == 413 && refined.body.contains("refinement steps"), "\(refined)")
                // Interpolation refines by default: 20 steps of two sentences (8 targets) would be 5,760 word scores.
                // Not asked for, the default is cut to what fits, 6 steps (1,728); asked for, 20 is refused.
                let path = try await server.post("/v1/interpolate", #"{"a": "the cat sat", "b": "a dog ran"}"#)
                #expect(path.status == 200 && path.json?["refine"] as? Int == 6, "\(path)")
                let asked = try await server.post("/v1/interpolate", #"{"a": "the cat sat", "b": "a dog ran", "refine": 20}"#)
                #expect(asked.status == 413 && asked.body.contains("refinement steps"), "\(asked)")
            }
        }

        @Test func theModelRouteNamesNoPaths() async throws {
            try await withServer { server in
                let facts = try await server.request("GET", "/v1/model")
                #expect(facts.json?["path"] == nil && facts.json?["name"] as? String == "tiny.safetensors", "\(facts)")
                #expect(facts.json?["classes"] as? [String] == [], "\(facts)")
            }
        }

        @Test func metricsNameTheVersionAndTheProcessAndMayBePublic() async throws {
            for publicMetrics in [false, true] {
                var settings = ServerFixture.settings()
                settings.apiKey = "k3y"
                settings.publicMetrics = publicMetrics
                try await withServer(settings) { server in
                    let open = try await server.request("GET", "/metrics")
                    #expect(open.status == (publicMetrics ? 200 : 401), "\(open)")
                    let keyed = try await server.request("GET", "/metrics", headers: ["Authorization": "Bearer k3y"])
                    for name in [
                        "textvae_build_info{version=\"\(TextVAEVersion.current)\"} 1", "process_resident_memory_bytes ",
                        "process_open_fds ",
                    ] {
                        #expect(keyed.body.contains(name), "\(name) missing: \(keyed.body)")
                    }
                }
            }
        }

        /// Slowloris: headers that never end are cut off by the idle timeout, a body that never comes gets a 408;
        /// meanwhile /healthz answers. bash's /dev/tcp is the raw client (no HTTP library finishes a request this slowly).
        @Test func slowClientsAreCutOffAndTheServerStillAnswers() async throws {
            var settings = ServerFixture.settings()
            settings.idleTimeout = 2  // longer than the read timeout, as by default: a silent body meets the 408 first
            settings.readTimeout = 1
            try await withServer(settings) { server in
                let headers = try runProcess(
                    "/usr/bin/timeout",
                    [
                        "20", "/bin/bash", "-c",
                        """
                        exec 3<>/dev/tcp/127.0.0.1/\(server.port); printf 'GET /healthz HTTP/1.1\\r\\nHost: 127.0.0.1' >&3; cat <&3; echo closed
                        """,
                    ], in: NSTemporaryDirectory())
                #expect(headers.status == 0 && headers.stdout.contains("closed"), "\(headers)")
                let body = try runProcess(
                    "/usr/bin/timeout",
                    [
                        "20", "/bin/bash", "-c",
                        """
                        exec 3<>/dev/tcp/127.0.0.1/\(server.port)
                        printf 'POST /v1/sample HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Type: application/json\\r\\nContent-Length: 100\\r\\n\\r\\n{' >&3
                        head -1 <&3
                        """,
                    ], in: NSTemporaryDirectory())
                #expect(body.status == 0 && body.stdout.hasPrefix("HTTP/1.1 408"), "\(body)")
                #expect(try await server.request("GET", "/healthz").status == 200)
            }
        }

        @Test func onlyLoopbackAddressesCountAsLoopback() {
            for (host, loopback) in [
                ("127.0.0.1", true), ("127.1.2.3", true), ("::1", true), ("localhost", true),
                ("127.x.example", false), ("127.0.0.1.nip.io", false), ("0.0.0.0", false), ("10.0.0.1", false),
            ] {
                var s = ServerSettings()
                s.host = host
                #expect(s.isLoopback == loopback, "\(host)")
            }
        }

        /// A k near the vocabulary takes the sort path; it must draw exactly what picking by insertion draws.
        @Test func topKBySortingDrawsWhatInsertionDraws() {
            let V = 300
            var rng = Random(seed: 4)
            let rules = TokenRules(vocabulary: V, forbidUnknown: false)
            var sampler = Sampler(vocabulary: V)
            for k in [5, 32, 33, 120, 299] {
                for trial in 0..<20 {
                    // Ties on purpose: logits rounded to a few values.
                    let row = (0..<V).map { _ in Float(Int(rng.normal() * 3)) }
                    var a = Random(seed: UInt64(trial)), b = Random(seed: UInt64(trial))
                    let drawn = row.withUnsafeBufferPointer {
                        sampler.draw($0.baseAddress!, rules: rules, Sampling(temperature: 1.5, topK: k), &a)
                    }
                    #expect(drawn == Self.referenceDraw(row, k: k, temperature: 1.5, &b), "k \(k), trial \(trial)")
                }
            }
        }

        /// The integer-key sort orders as the comparison it replaces: heavier first, ties by the lower index.
        @Test func heaviestFirstSortsByWeightThenIndex() {
            var rng = Random(seed: 11)
            for n in [1, 2, 33, 500] {
                let weights = (0..<n).map { _ in Float(Int(rng.uniform() * 6)) * 0.25 }  // many ties, zeros included
                let expected = weights.indices.sorted { weights[$0] != weights[$1] ? weights[$0] > weights[$1] : $0 < $1 }
                #expect(Sampler.heaviestFirst(weights, weights.indices) == expected, "n \(n)")
                let some = weights.indices.filter { $0 % 3 != 1 }
                #expect(Sampler.heaviestFirst(weights, some) == expected.filter { $0 % 3 != 1 }, "n \(n), a subset")
            }
        }

        /// The draw with the k heaviest kept by insertion, as the sampler did before the sort path.
        static func referenceDraw(_ row: [Float], k: Int, temperature: Float, _ rng: inout Random) -> Int {
            // Never <pad> (0) or <bos> (2), as TokenRules.
            var candidates = row.indices.filter { $0 != Vocabulary.pad && $0 != Vocabulary.bos }
            let m = candidates.map { row[$0] }.max()!
            var weights = candidates.map { VectorMath.fastExp((row[$0] - m) * (1 / temperature)) }
            if k < candidates.count {  // as the sampler: a k that keeps every candidate leaves them in id order
                var top = TopCandidates(capacity: k)
                for i in candidates.indices { top.offer(Double(weights[i]), hypothesis: i, word: 0) }
                let chosen = (0..<top.count).map { top[$0].1 }
                candidates = chosen.map { candidates[$0] }
                weights = chosen.map { weights[$0] }
            }
            let u = rng.uniform() * weights.reduce(0, +)
            var acc: Float = 0
            for (i, w) in weights.enumerated() {
                acc += w
                if u < acc { return candidates[i] }
            }
            return candidates[weights.lastIndex { $0 > 0 } ?? 0]
        }

        /// Decoding asks `stop` before each step and ends once it says so (the server stops work whose requests all
        /// gave up); asked and never stopping, it decodes what it decodes without being asked.
        @Test func decodingEndsAtTheStepItIsToldTo() throws {
            let model = try ServerFixture.model()
            let z = (0..<3 * model.latent).map { Float($0 % 5) * 0.3 - 0.6 }
            let seeds = SentenceVAE.rowSeeds(0, rows: 0..<3)
            for method in [DecodingMethod.greedy, .sample(Sampling(temperature: 1.5)), .beam(width: 3)] {
                let options = DecodingOptions(method: method, maxLength: 40)
                let whole = model.decode(z, options: options, rowSeeds: seeds)
                #expect(model.decode(z, options: options, rowSeeds: seeds, stop: { false }) == whole, "\(method)")
                var asked = 0
                let cut = model.decode(
                    z, options: options, rowSeeds: seeds,
                    stop: {
                        asked += 1; return asked > 2
                    })
                #expect(whole.contains { $0.contains { $0.tokens.count > 2 } }, "\(method): no sentence longer than the cut")
                #expect(asked == 3, "\(method): asked \(asked) times")
                for hypotheses in cut { #expect(hypotheses.allSatisfy { $0.tokens.count <= 2 }, "\(method): \(hypotheses)") }
            }
        }

        /// A large request is served in turns (decoding a few rows, scoring about 2,000 tokens at a time, each turn
        /// queued behind the requests that came meanwhile); its answer is the one a single call gives.
        @Test func requestsServedInTurnsAnswerAsOneCall() async throws {
            var settings = ServerFixture.settings()
            settings.maxBodyBytes = 1 << 16
            settings.maxSentences = 40
            let model = try ServerFixture.model()
            try await withServer(settings) { server in
                let sampling = DecodingOptions(method: .sample(Sampling(temperature: 1.2, topP: 0.9)), repetition: .standard)
                #expect(ModelServer.rowsPerTurn(sampling) < 40)
                let reply = try await server.post("/v1/sample", #"{"n": 40, "seed": 5, "temperature": 1.2, "top_p": 0.9}"#)
                let draws = model.priorDraws(count: 40, seed: 5)
                let expected = model.decode(draws.z, options: sampling, rowSeeds: draws.rowSeeds).map { model.text($0[0].tokens) }
                let got = (reply.json?["sentences"] as? [[String: Any]] ?? []).map { $0["text"] as? String ?? "" }
                #expect(got == expected, "\(reply)")

                let words = ["the", "cat", "sat", "on", "mat", "a", "dog", "ran"]
                let long = (0..<8).map { s in (0..<400).map { words[($0 * 3 + s) % words.count] }.joined(separator: " ") }
                let body = "{\"sentences\": [" + long.map { "\"\($0)\"" }.joined(separator: ", ") + "]}"
                let scored = try await server.post("/v1/score", body)
                #expect(scored.status == 200, "\(scored.status) \(scored.errorMessage ?? "")")
                let input = try model.input(lines: long, name: "the sentences")
                var rng = Random(seed: 0)
                let whole = model.model.score(input.ids, batchSize: 64, useMean: true, rng: &rng, workspace: model.workspace)
                let results = scored.json?["results"] as? [[String: Any]] ?? []
                #expect(results.count == 8 && 8 * 401 > ModelServer.scoreTokensPerTurn)
                for (i, result) in results.enumerated() {
                    let rec = result["rec"] as? Double ?? -1, kl = result["kl"] as? Double ?? -1
                    #expect(
                        abs(rec - Double(whole.rec[i])) <= 1e-4 * abs(Double(whole.rec[i]))
                            && abs(kl - Double(whole.kl[i])) <= 1e-4 + 1e-4 * Double(whole.kl[i]),
                        "sentence \(i): \(result) against rec \(whole.rec[i]), kl \(whole.kl[i])")
                }
            }
        }

        /// After a large job the server's worker gives back the buffers it grew (`releaseBuffers`); they grow again
        /// when needed, with the same results.
        @Test func largeJobsGiveTheirBuffersBack() throws {
            let model = try ServerFixture.model()
            let V = Int32(model.model.config.vocabulary)
            let long = (0..<32).map { s in (0..<1_500).map { Int32(4) + Int32(($0 * 7 + s) % Int(V - 4)) } }
            func score() -> [Float] {
                var rng = Random(seed: 0)
                return model.model.score(long, batchSize: 32, useMean: true, rng: &rng, workspace: model.workspace).rec
            }
            let first = score()
            let grown = model.workspace.bytesHeld
            #expect(grown > 4 << 20, "the long job held only \(grown) bytes")
            let given = model.releaseBuffers(over: 64 << 10)
            #expect(given > 0 && model.workspace.bytesHeld < grown - given / 2, "gave back \(given) of \(grown)")
            #expect(model.workspace.bytesHeld < 2 << 20, "still holds \(model.workspace.bytesHeld) bytes")
            #expect(score() == first)
        }

        /// The heap keeps what a full sort keeps, ties in index order included.
        @Test func neighboursByHeapAreNeighboursBySort() {
            var rng = Random(seed: 9)
            let Z = 3, N = 200
            let points = (0..<N * Z).map { _ in Float(Int(rng.normal() * 2)) }  // many equal distances
            let query = [Float](repeating: 0, count: Z)
            for k in [1, 5, 50, 200, 250] {
                let all = (0..<N).map { i in
                    (index: i, distance: DistanceMetric.euclidean.distance(query[...], points[(i * Z)..<((i + 1) * Z)]))
                }
                let sorted = all.sorted { $0.distance != $1.distance ? $0.distance < $1.distance : $0.index < $1.index }.prefix(k)
                let found = Neighbours.nearest(to: query, among: points, dimension: Z, k: k, metric: .euclidean)
                #expect(found.map(\.index) == sorted.map(\.index), "k \(k)")
            }
        }
    }
#endif
