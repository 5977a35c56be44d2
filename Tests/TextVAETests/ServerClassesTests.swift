#if Server
    import Foundation
    import Testing
    @testable import TextVAE
    @testable import TextVAEServer

    /// Classes in the API: `with_label`/`with_class` in sample and reconstruct, `/v1/classify`, each checked against
    /// the library on the same model file; and the access log's lines.
    @Suite(.serialized) struct ServerClassesTests {
        static let sentences = ["the cat sat on the mat", "a dog ran", "the dog sat"]

        /// A model with classes "cats" and "dogs" (untrained: the contract is what is tested), saved in `folder`.
        static func classModel(in folder: URL) throws -> String {
            try loadBLAS()
            let config = ModelConfig(vocabulary: 4 + TinyModel.words.count, embedding: 8, hidden: 8, latent: 4, classes: 2)
            let path = folder.appendingPathComponent("classes.safetensors").path
            try ModelFile(
                model: SentenceVAE(config: config, seed: 3), vocabulary: TinyModel.vocabulary(),
                tokenizer: TokenizerSettings(name: .whitespace), classNames: ["cats", "dogs"]
            ).save(to: path)
            return path
        }

        func withServer(
            _ path: String, _ settings: ServerSettings = ServerFixture.settings(),
            _ body: (RunningServer) async throws -> Void
        ) async throws {
            let server = try await RunningServer.start(ModelServer(model: try TrainedModel.load(path, threads: 1), settings: settings))
            do { try await body(server) } catch {
                await server.stop()
                throw error
            }
            await server.stop()
        }

        static func results(_ reply: HTTPReply, _ key: String) -> [[String: Any]] {
            reply.json?[key] as? [[String: Any]] ?? []
        }

        @Test func sampleDecodesTheAskedClassAsTheLibraryDoes() async throws {
            let folder = try temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let path = try Self.classModel(in: folder)
            let library = try TextVAEModel(path: path, threads: 1)
            try await withServer(path) { server in
                for (body, label) in [
                    (#"{"n": 5, "seed": 7, "raw": true, "with_label": "dogs"}"#, "dogs" as String?),
                    (#"{"n": 5, "seed": 7, "raw": true, "with_class": 0}"#, "cats"),
                    (#"{"n": 5, "seed": 7, "raw": true}"#, nil),
                ] {
                    let reply = try await server.post("/v1/sample", body)
                    #expect(reply.status == 200, "\(reply)")
                    let expected = try await library.sample(count: 5, seed: 7, label: label)
                    let got = Self.results(reply, "sentences")
                    #expect(got.map { $0["text"] as? String } == expected.map(\.text), "\(body)")
                    #expect(got.map { $0["class"] as? String } == expected.map(\.className), "\(body)")
                }
                for (body, words) in [
                    (#"{"with_label": "birds"}"#, ["no class 'birds'", "cats, dogs"]),
                    (#"{"with_class": 2}"#, ["classes 0 to 1"]),
                    (#"{"with_class": 1, "with_label": "dogs"}"#, ["not both"]),
                ] {
                    let reply = try await server.post("/v1/sample", body)
                    #expect(reply.status == 422, "\(reply)")
                    for word in words { #expect(reply.errorMessage?.contains(word) == true, "\(reply)") }
                }
            }
        }

        /// Reconstruct keeps z and decodes with the asked class (transfer), or with each sentence's most likely one.
        @Test func reconstructTransfersToTheAskedClass() async throws {
            let folder = try temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let path = try Self.classModel(in: folder)
            let trained = try TrainedModel.load(path, threads: 1)
            let input = try trained.input(lines: Self.sentences, name: "the sentences")
            let posteriors = trained.encode(input.ids)
            try await withServer(path) { server in
                let list = #"["the cat sat on the mat", "a dog ran", "the dog sat"]"#
                for (asked, classes) in [("\"with_label\": \"dogs\", ", [1, 1, 1]), ("", posteriors.mostLikelyClasses)] {
                    let reply = try await server.post("/v1/reconstruct", "{\(asked)\"raw\": true, \"sentences\": \(list)}")
                    #expect(reply.status == 200, "\(reply)")
                    let expected = trained.decode(posteriors.mu, classes: classes.flatMap(trained.oneHot), options: DecodingOptions())
                        .map { trained.text($0[0].tokens) }
                    let got = Self.results(reply, "results")
                    #expect(got.map { $0["output"] as? String } == expected, "\(asked)")
                    #expect(got.map { $0["class"] as? String } == classes.map { trained.classNames[$0] }, "\(asked)")
                }
            }
        }

        @Test func classifyGivesTheLibrarysClassesAndProbabilities() async throws {
            let folder = try temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let path = try Self.classModel(in: folder)
            let expected = try await TextVAEModel(path: path, threads: 1).classify(Self.sentences)
            try await withServer(path) { server in
                let reply = try await server.post("/v1/classify", #"{"sentences": ["the cat sat on the mat", "a dog ran", "the dog sat"]}"#)
                #expect(reply.status == 200, "\(reply)")
                let got = Self.results(reply, "results")
                #expect(got.count == 3)
                for (result, want) in zip(got, expected) {
                    #expect(result["class"] as? String == want.className)
                    #expect(abs((result["probability"] as? Double ?? -1) - want.probability) < 1e-6, "\(result)")
                    let probabilities = result["probabilities"] as? [String: Double] ?? [:]
                    #expect(
                        abs((probabilities["cats"] ?? -1) - want.probabilities[0]) < 1e-6
                            && abs((probabilities["dogs"] ?? -1) - want.probabilities[1]) < 1e-6)
                }
            }
        }

        @Test func aModelWithoutClassesSaysSo() async throws {
            let server = try await RunningServer.start(ModelServer(model: try ServerFixture.model(), settings: ServerFixture.settings()))
            for (route, body) in [
                ("/v1/classify", #"{"sentences": ["a dog ran"]}"#), ("/v1/sample", #"{"with_label": "dogs"}"#),
                ("/v1/reconstruct", #"{"sentences": ["a dog ran"], "with_class": 0}"#),
            ] {
                let reply = try await server.post(route, body)
                #expect(reply.status == 422 && reply.errorMessage?.contains("no classes") == true, "\(route): \(reply)")
            }
            // Without class fields, the sample carries no class.
            let plain = try await server.post("/v1/sample", #"{"n": 2}"#)
            #expect(Self.results(plain, "sentences").allSatisfy { $0["class"] == nil }, "\(plain)")
            await server.stop()
        }

        /// --access-log: one JSON object per answered request, errors included, appended to the file.
        @Test func theAccessLogHasALinePerRequest() async throws {
            let folder = try temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let log = folder.appendingPathComponent("access.jsonl").path
            try "an earlier line\n".write(toFile: log, atomically: false, encoding: .utf8)
            var settings = ServerFixture.settings()
            settings.accessLog = log
            let server = try await RunningServer.start(ModelServer(model: try ServerFixture.model(), settings: settings))
            #expect(try await server.request("GET", "/healthz").status == 200)
            #expect(try await server.post("/v1/sample", #"{"n": 1}"#).status == 200)
            #expect(try await server.request("GET", "/nowhere").status == 404)
            await server.stop()
            let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(lines.first == "an earlier line", "the log was not appended to: \(lines)")
            let entries = lines.dropFirst().compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
            #expect(entries.count == 3, "\(lines)")
            #expect(entries.map { $0["path"] as? String } == ["/healthz", "/v1/sample", "/nowhere"])
            #expect(entries.map { $0["method"] as? String } == ["GET", "POST", "GET"])
            #expect(entries.map { $0["status"] as? Int } == [200, 200, 404])
            #expect(
                entries.allSatisfy { ($0["seconds"] as? Double ?? -1) >= 0 && ($0["time"] as? String)?.hasSuffix("Z") == true },
                "\(entries)")
        }
    }
#endif
