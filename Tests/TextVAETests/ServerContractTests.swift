#if Server
    import Foundation
    import Testing
    @testable import TextVAE
    @testable import TextVAEServer

    /// The server keeps to its published description: real replies of every route, successes and errors alike, are
    /// checked against the schema that `GET /openapi.json` gives for their path, method and status.
    @Suite(.serialized) struct ServerContractTests {
        /// One request and where its reply is described.
        struct Call {
            var method: String
            var path: String
            var body: String?
            var headers: [String: String] = [:]
            var status: Int
        }

        static func document(_ server: RunningServer) async throws -> JSONSchemaCheck {
            let reply = try await server.request("GET", "/openapi.json")
            #expect(reply.status == 200 && reply.contentType.hasPrefix("application/json"), "\(reply.status) \(reply.contentType)")
            let document = try JSONDecoder().decode(JSONValue.self, from: Data(reply.body.utf8))
            guard case .object(let top) = document, case .string(let version)? = top["openapi"], version.hasPrefix("3.1"),
                case .object(let info)? = top["info"], info["version"] == .string(TextVAEVersion.current)
            else {
                throw TestFailure("openapi.json is not an OpenAPI 3.1 document of version \(TextVAEVersion.current)")
            }
            return JSONSchemaCheck(document: document)
        }

        /// Makes each call and checks its status and its body against the document.
        static func check(_ calls: [Call], on server: RunningServer, _ check: JSONSchemaCheck) async throws {
            for call in calls {
                let reply = try await server.request(call.method, call.path, body: call.body, headers: call.headers)
                let what = "\(call.method) \(call.path) \(call.body ?? "")"
                #expect(reply.status == call.status, "\(what): \(reply)")
                #expect(reply.contentType.hasPrefix("application/json"), "\(what): \(reply.contentType)")
                // A route's reply by its documented schema; an unknown path's by the shared error schema.
                let schema =
                    check.responseSchema(call.method, call.path, status: reply.status)
                    ?? (call.path == "/nowhere" ? check.resolve("#/components/schemas/Error") : nil)
                guard let schema else {
                    Issue.record("\(what): status \(reply.status) is not documented")
                    continue
                }
                let body = try JSONDecoder().decode(JSONValue.self, from: Data(reply.body.utf8))
                let problems = check.problems(body, schema)
                #expect(problems.isEmpty, "\(what): \(problems.joined(separator: "; ")) in \(reply.body.prefix(400))")
            }
        }

        @Test func everyRouteRepliesAsDocumented() async throws {
            let folder = try temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let model = try ServerFixture.model()
            let indexPath = folder.appendingPathComponent("index.txt").path
            try ServerFixture.indexLines.joined(separator: "\n").write(toFile: indexPath, atomically: true, encoding: .utf8)
            let index = try SentenceIndex.build(indexPath, model: model)
            let zeros = "[" + Array(repeating: "0", count: model.latent).joined(separator: ", ") + "]"
            let ones = "[" + Array(repeating: "1", count: model.latent).joined(separator: ", ") + "]"
            let server = try await RunningServer.start(ModelServer(model: model, settings: ServerFixture.settings(), index: index))
            let document = try await Self.document(server)
            let sentences = #"{"sentences": ["the cat sat on the mat", "a dog ran"]}"#
            try await Self.check(
                [
                    Call(method: "GET", path: "/healthz", status: 200),
                    Call(method: "GET", path: "/v1/model", status: 200),
                    Call(method: "GET", path: "/v1/map", status: 200),
                    Call(method: "POST", path: "/v1/sample", body: #"{"n": 2, "seed": 3}"#, status: 200),
                    Call(method: "POST", path: "/v1/sample", body: #"{"n": 2, "decoder": "beam", "beam_width": 2}"#, status: 200),
                    Call(
                        method: "POST", path: "/v1/sample",
                        body: #"{"n": 2, "decoder": "sample", "temperature": 0.8, "top_k": 5, "raw": true}"#, status: 200),
                    Call(method: "POST", path: "/v1/sample", body: #"{"n": "two"}"#, status: 400),
                    Call(method: "POST", path: "/v1/sample", body: #"{"n": 0}"#, status: 422),
                    Call(method: "POST", path: "/v1/sample", body: #"{"m": 1}"#, status: 400),
                    Call(method: "POST", path: "/v1/sample", body: "{", status: 400),
                    Call(method: "POST", path: "/v1/sample", body: #"{"n": 99}"#, status: 413),
                    Call(method: "POST", path: "/v1/sample", body: #"{"n": 1}"#, headers: ["Content-Type": "text/plain"], status: 415),
                    Call(
                        method: "POST", path: "/v1/interpolate", body: #"{"a": "the cat sat", "b": "a dog ran", "steps": 3}"#, status: 200),
                    Call(method: "POST", path: "/v1/interpolate", body: #"{"za": \#(zeros), "zb": \#(ones), "slerp": true}"#, status: 200),
                    Call(method: "POST", path: "/v1/interpolate", body: #"{"a": "the cat sat"}"#, status: 422),
                    Call(method: "POST", path: "/v1/reconstruct", body: sentences, status: 200),
                    Call(method: "POST", path: "/v1/encode", body: sentences, status: 200),
                    Call(method: "POST", path: "/v1/score", body: sentences, status: 200),
                    Call(method: "POST", path: "/v1/classify", body: sentences, status: 422),
                    Call(method: "POST", path: "/v1/neighbours", body: #"{"sentence": "the dog sat", "k": 2}"#, status: 200),
                    Call(method: "GET", path: "/nowhere", status: 404),
                ], on: server, document)
            await server.stop()

            var keyed = ServerFixture.settings()
            keyed.apiKey = "k3y"
            let guarded = try await RunningServer.start(ModelServer(model: model, settings: keyed))
            try await Self.check(
                [
                    Call(method: "GET", path: "/v1/model", status: 401),
                    Call(method: "GET", path: "/v1/model", headers: ["Authorization": "Bearer k3y"], status: 200),
                    Call(method: "GET", path: "/healthz", status: 200),
                ], on: guarded, try await Self.document(guarded))
            await guarded.stop()
        }

        /// The check can fail: replies that break the document (an undocumented field, a wrong type, a missing
        /// required field, a class map with a string) are caught.
        @Test func repliesThatBreakTheDocumentAreCaught() async throws {
            let server = try await RunningServer.start(ModelServer(model: try ServerFixture.model(), settings: ServerFixture.settings()))
            let check = try await Self.document(server)
            await server.stop()
            let sample = try #require(check.responseSchema("POST", "/v1/sample", status: 200))
            let good = JSONValue.object([
                "sentences": .array([
                    .object([
                        "text": .string("a dog ran"), "tokens": .strings(["a", "dog", "ran"]),
                        "log_prob": .double(-3.5), "length_cap": .bool(false), "z": .floats([0.5]),
                    ])
                ])
            ])
            #expect(check.problems(good, sample).isEmpty, "\(check.problems(good, sample))")
            func broken(_ change: (inout [String: JSONValue]) -> Void) -> JSONValue {
                guard case .object(let top) = good, case .array(let list) = top["sentences"]!, case .object(var first) = list[0] else {
                    return good
                }
                change(&first)
                return .object(["sentences": .array([.object(first)])])
            }
            #expect(!check.problems(broken { $0["extra"] = .int(1) }, sample).isEmpty)
            #expect(!check.problems(broken { $0["text"] = .int(1) }, sample).isEmpty)
            #expect(!check.problems(broken { $0["text"] = nil }, sample).isEmpty)
            let classify = try #require(check.responseSchema("POST", "/v1/classify", status: 200))
            let q = JSONValue.object([
                "results": .array([
                    .object([
                        "input": .string("a"), "class": .string("cats"), "probability": .double(0.9),
                        "probabilities": .object(["cats": .double(0.9), "dogs": .string("x")]),
                    ])
                ])
            ])
            #expect(!check.problems(q, classify).isEmpty)
            #expect(check.responseSchema("POST", "/v1/sample", status: 299) == nil)
        }

        @Test func classRoutesReplyAsDocumented() async throws {
            let folder = try temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let path = try ServerClassesTests.classModel(in: folder)
            let server = try await RunningServer.start(
                ModelServer(model: try TrainedModel.load(path, threads: 1), settings: ServerFixture.settings()))
            let sentences = #"["the cat sat on the mat", "a dog ran"]"#
            try await Self.check(
                [
                    Call(method: "GET", path: "/v1/model", status: 200),
                    Call(method: "POST", path: "/v1/sample", body: #"{"n": 2, "with_label": "dogs"}"#, status: 200),
                    Call(method: "POST", path: "/v1/sample", body: #"{"n": 2, "with_class": 7}"#, status: 422),
                    Call(method: "POST", path: "/v1/reconstruct", body: #"{"sentences": \#(sentences), "with_class": 0}"#, status: 200),
                    Call(method: "POST", path: "/v1/classify", body: #"{"sentences": \#(sentences)}"#, status: 200),
                ], on: server, try await Self.document(server))
            await server.stop()
        }
    }
#endif
