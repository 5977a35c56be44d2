#if Server
    import Foundation
    import Testing
    @testable import TextVAE

    /// `textvae serve` as a user starts it: the line it prints, what it refuses, and a SIGTERM that lets the
    /// requests in flight finish before it exits 0.
    @Suite(.serialized) struct ServeCommandTests {
        /// A model whose decoding takes a while (V = 3,000, H = 256, random weights: sentences run to the
        /// length cap), so that requests are still in flight when the signal comes.
        static func slowModel() throws -> ModelFile {
            let words = (0..<2_996).map { "w\($0)" }
            let vocabulary = try Vocabulary(tokens: Vocabulary.specials + words, counts: [0, 0, 0, 0] + words.map { _ in 1 })
            let config = ModelConfig(vocabulary: vocabulary.count, embedding: 32, hidden: 256, latent: 8, maxLength: 60)
            return ModelFile(
                model: SentenceVAE(config: config, seed: 3), vocabulary: vocabulary, tokenizer: TokenizerSettings(name: .whitespace))
        }

        /// Starts `textvae serve` and waits for its `listening on` line; returns the process, its port and its output files.
        func startServer(_ arguments: [String], in folder: URL, environment: [String: String] = [:]) throws -> (Process, Int, URL, URL) {
            let out = folder.appendingPathComponent("serve.out"), err = folder.appendingPathComponent("serve.err")
            FileManager.default.createFile(atPath: out.path, contents: nil)
            FileManager.default.createFile(atPath: err.path, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try TextVAEProgram.path())
            process.arguments = ["serve", "--port", "0"] + arguments
            process.currentDirectoryURL = folder
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            process.standardOutput = try FileHandle(forWritingTo: out)
            process.standardError = try FileHandle(forWritingTo: err)
            try process.run()
            for _ in 0..<1_200 {  // a generous guard against a hang (2 minutes), not a timing
                let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
                if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening on http://127.0.0.1:") }),
                    let port = Int(line.dropFirst("listening on http://127.0.0.1:".count).prefix { $0.isNumber })
                {
                    return (process, port, out, err)
                }
                if !process.isRunning { break }
                Thread.sleep(forTimeInterval: 0.1)
            }
            process.terminate()
            throw TestFailure("textvae serve did not say it was listening: \((try? String(contentsOf: err, encoding: .utf8)) ?? "")")
        }

        @Test func sigtermLetsRequestsInFlightFinishThenExitsZero() async throws {
            let folder = try temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            try Self.slowModel().save(to: folder.appendingPathComponent("slow.safetensors").path)
            // A request time limit far beyond the three requests' work: on a loaded machine (the rest of the suite runs
            // beside this test) the third waits more than the default 30 s, and this test is about SIGTERM, not time limits.
            let (process, port, _, err) = try startServer(
                [
                    "-m", "slow.safetensors", "--no-batching", "--threads", "1", "--time-limit", "600", "--max-request-work", "1000000000",
                    "--max-sentences", "1000",
                ],
                in: folder)
            defer { if process.isRunning { process.terminate() } }

            // Three requests of 1,000 sentences (a second or more each even on a fast CPU: with 100, the three were done
            // before a loaded CI machine's first look at the gauge), the worker running them one after the other, each written whole to its own connection by a bash
            // client before the test looks at the server: URLSession may hold requests back while the rest of the suite
            // keeps the machine busy, and then they never reach the server together (CI saw exactly that).
            let replies = try (0..<3).map { i -> (Process, URL) in
                let reply = folder.appendingPathComponent("reply\(i).txt")
                FileManager.default.createFile(atPath: reply.path, contents: nil)
                let body = #"{"n": 1000, "seed": \#(i)}"#
                let client = Process()
                client.executableURL = URL(fileURLWithPath: "/bin/bash")
                client.arguments = [
                    "-c",
                    """
                    exec 3<>/dev/tcp/127.0.0.1/\(port)
                    printf 'POST /v1/sample HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Type: application/json\\r\\nConnection: close\\r\\nContent-Length: \(body.utf8.count)\\r\\n\\r\\n%s' '\(body)' >&3
                    cat <&3
                    """,
                ]
                client.standardOutput = try FileHandle(forWritingTo: reply)
                try client.run()
                return (client, reply)
            }
            defer { for (client, _) in replies where client.isRunning { client.terminate() } }
            // Wait until the server has them (the gauge counts the /metrics request too), then ask it to stop. Nothing
            // here blocks a thread of the concurrency pool: other suites' in-process servers run on it.
            var inFlight = 0
            let deadline = Date().addingTimeInterval(120)  // a guard against a hang on a loaded machine, not a timing
            while inFlight < 4 && Date() < deadline {
                let metrics = try await httpRequest("GET", port: port, "/metrics").body
                let line = metrics.split(separator: "\n").first { $0.hasPrefix("textvae_requests_in_flight ") } ?? ""
                inFlight = Int(line.split(separator: " ").last ?? "") ?? 0
                if inFlight < 4 { try await Task.sleep(nanoseconds: 2_000_000) }
            }
            #expect(inFlight >= 4, "the requests never reached the server together")
            kill(process.processIdentifier, SIGTERM)

            for (client, reply) in replies {
                while client.isRunning { try await Task.sleep(nanoseconds: 50_000_000) }
                let text = (try? String(contentsOf: reply, encoding: .utf8)) ?? ""
                #expect(text.hasPrefix("HTTP/1.1 200"), "\(text.prefix(300))")
                let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
                let json = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
                #expect((json?["sentences"] as? [Any])?.count == 1000, "\(body.prefix(300))")
            }
            while process.isRunning { try await Task.sleep(nanoseconds: 50_000_000) }
            #expect(
                process.terminationReason == .exit && process.terminationStatus == 0,
                "\((try? String(contentsOf: err, encoding: .utf8)) ?? "")")
            #expect(((try? String(contentsOf: err, encoding: .utf8)) ?? "").contains("stopped"))
        }

        @Test func theCommandRefusesAnOpenAddressWithoutAKeyAndBadLimits() throws {
            let folder = try temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            try TinyModel.file().save(to: folder.appendingPathComponent("m.safetensors").path)
            for (arguments, mentions) in [
                (["--host", "0.0.0.0"], ["--api-key", "--insecure"]),
                (["--api-key", "two words"], ["the API key must be non-empty and without spaces"]),
                (["--host", "127.x.example"], ["--api-key", "--insecure"]),
                (["--time-limit", "1e11"], ["at most a day"]),
                (["--api-key-file", "missing.key"], ["missing.key cannot be read"]),
                (["--cors-origin", "example.com"], ["--cors-origin takes an origin"]),
                (["--port", "70000"], ["--port must be between 0 and 65535"]),
                (["--time-limit", "0"], ["--time-limit must be a positive time"]),
                (["--time-limit", "inf"], ["--time-limit"]),
                (["--read-timeout", "40s"], ["must be shorter than --idle-timeout"]),
                (["--max-connections", "0"], ["--max-connections must be at least 1"]),
                (["--access-log", "m.safetensors"], ["is the model", "choose another output file"]),
                (["--index", "missing.txt"], ["missing.txt"]),
            ] {
                let run = try TextVAEProgram.run(["serve", "-m", "m.safetensors", "--port", "0"] + arguments, in: folder.path)
                #expect(run.failedCleanly, "\(arguments): \(run)")
                for word in mentions { #expect(run.stderr.contains(word), "\(arguments): \(run.stderr)") }
            }
            let help = try TextVAEProgram.run(["serve", "--help"], in: folder.path)
            for word in ["/v1/sample", "--api-key", "--index", "--no-batching", "SIGTERM"] {
                #expect(help.stdout.contains(word), "serve --help lacks \(word)")
            }
        }

        /// The key may come from the environment or a file, so that it does not show in `ps`.
        @Test func theKeyComesFromTheEnvironmentOrAFile() async throws {
            let folder = try temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            try TinyModel.file().save(to: folder.appendingPathComponent("m.safetensors").path)
            try "s3cret\n".write(to: folder.appendingPathComponent("key.txt"), atomically: true, encoding: .utf8)
            for (arguments, environment) in [([String](), ["TEXTVAE_API_KEY": "s3cret"]), (["--api-key-file", "key.txt"], [:])] {
                let (process, port, _, err) = try startServer(["-m", "m.safetensors"] + arguments, in: folder, environment: environment)
                defer { process.terminate(); process.waitUntilExit() }
                let without = try await httpRequest("GET", port: port, "/v1/model")
                #expect(without.status == 401, "\(arguments) \(environment): \(without)")
                let with = try await httpRequest("GET", port: port, "/v1/model", headers: ["Authorization": "Bearer s3cret"])
                #expect(with.status == 200, "\(arguments) \(environment): \(with) \((try? String(contentsOf: err, encoding: .utf8)) ?? "")")
            }
        }
    }
#endif
