#if Server
    import ArgumentParser
    import Foundation
    import TextVAE
    import TextVAEServer

    struct ServeCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve",
            abstract: "Serve a model over HTTP: a JSON API for applications and a page for people.",
            discussion: """
                Open http://127.0.0.1:8080/ in a browser for the page: the homotopy between two
                sentences, sampling with temperature and top-p, reconstruction, and (with
                --index) a map of a file's sentences. Applications call the JSON API:

                  curl -s --json '{"n": 3, "seed": 7}' localhost:8080/v1/sample
                  curl -s --json '{"a": "he was sad .", "b": "she smiled ."}' localhost:8080/v1/interpolate

                Routes: GET /v1/model, POST /v1/sample, /v1/interpolate, /v1/reconstruct,
                /v1/encode, /v1/score, /v1/classify (a model with classes), /v1/neighbours
                (with --index), GET /v1/map (with --index), GET /healthz, GET /metrics
                (Prometheus), GET /openapi.json (every route, field and error). Fields and
                defaults are those of the commands of the same name; the same seed gives the
                same sentences. A POST's body is JSON (Content-Type: application/json). Errors
                are JSON: {"error": {"status": 422, "message": "..."}}.

                Concurrent decoding requests with the same options share decoding batches
                (--no-batching turns that off, to measure it). The server listens on loopback
                unless --host says otherwise; any other address needs --api-key (clients send
                'Authorization: Bearer KEY') or --insecure. Ctrl-C or SIGTERM stops taking
                requests, finishes those in flight and exits 0.

                Examples:
                  textvae serve -m model.safetensors
                  textvae serve -m model.safetensors --index valid.txt --port 9000
                  TEXTVAE_API_KEY="$(openssl rand -hex 16)" textvae serve -m model.safetensors --host 0.0.0.0
                  textvae serve -m model.safetensors --access-log access.jsonl
                """
        )

        @OptionGroup var model: ModelArgument

        @Option(help: "Address to listen on (loopback by default; others need --api-key or --insecure).")
        var host = ServerSettings().host

        @Option(help: "Port to listen on (0: any free port; the server prints the one it took).")
        var port = ServerSettings().port

        @Option(help: "File of sentences, one per line, encoded at start for /v1/neighbours and the map.")
        var index: String?

        @Option(
            help:
                "Require 'Authorization: Bearer KEY' on every route but / and /healthz (visible to other users in 'ps': prefer TEXTVAE_API_KEY or --api-key-file)."
        )
        var apiKey: String?

        @Option(help: ArgumentHelp("Read the API key from this file (its first line).", valueName: "file"))
        var apiKeyFile: String?

        @Option(
            help: ArgumentHelp(
                "Also accept requests whose Host header is this name (repeatable; '*' for any), e.g. behind a reverse proxy.",
                valueName: "name"))
        var allowedHost: [String] = []

        @Option(
            help: ArgumentHelp(
                "Let web pages of this origin call the API from a browser (repeatable; '*' for any), e.g. https://app.example.com.",
                valueName: "origin"))
        var corsOrigin: [String] = []

        @Flag(help: "Listen on a non-loopback --host without an API key (anyone who can reach it can use it).")
        var insecure = false

        @Option(help: "Most sentences per request (n of sample; sentences of reconstruct, encode, score; k of neighbours).")
        var maxSentences = ServerSettings().maxSentences

        @Option(help: "Most points per interpolation.")
        var maxSteps = ServerSettings().maxSteps

        @Option(help: "Widest beam a request may ask for.")
        var maxBeamWidth = ServerSettings().maxBeamWidth

        @Option(
            help:
                "Most work per request, in word scores: sentences × steps × beam width × vocabulary for decoding, tokens × vocabulary for scoring; more gets a 413 before any work."
        )
        var maxRequestWork = ServerSettings().maxRequestWork

        @Option(help: "Largest request body in bytes.")
        var maxBodyBytes = ServerSettings().maxBodyBytes

        @Option(
            help: ArgumentHelp(
                "How long a request may wait for the model (queueing included) before a 503: 30s, 2m, or a number of seconds (default: \(Int(ServerSettings().timeLimit))s).",
                valueName: "time"))
        var timeLimit: TimeSpan?

        @Option(
            help: ArgumentHelp(
                "Close a connection that sends no complete request for this long (slow headers included; default: 30s).", valueName: "time")
        )
        var idleTimeout: TimeSpan?

        @Option(
            help: ArgumentHelp(
                "Answer 408 to a request whose body takes longer than this to arrive (shorter than --idle-timeout; default: 10s).",
                valueName: "time"))
        var readTimeout: TimeSpan?

        @Option(help: "Connections served at once; more wait to be accepted.")
        var maxConnections = ServerSettings().maxConnections

        @Flag(help: "Serve /metrics without the API key (for a Prometheus scraper).")
        var publicMetrics = false

        @Option(
            help: ArgumentHelp(
                "Append one JSON line per request (time, method, path, status, seconds) to this file; '-': standard error.",
                valueName: "file"))
        var accessLog: String?

        @Flag(help: "Decode each request on its own instead of merging concurrent ones (to measure what batching gains).")
        var noBatching = false

        @Flag(help: "Log each connection and request on stderr.")
        var verbose = false

        var settings: ServerSettings {
            var s = ServerSettings()
            s.host = host
            s.port = port
            s.apiKey = resolvedKey
            s.allowedHosts = allowedHost
            s.corsOrigins = corsOrigin
            s.batching = !noBatching
            s.maxSentences = maxSentences
            s.maxSteps = maxSteps
            s.maxBeamWidth = maxBeamWidth
            s.maxBodyBytes = maxBodyBytes
            s.maxRequestWork = maxRequestWork
            s.publicMetrics = publicMetrics
            s.idleTimeout = idleTimeout?.seconds(bare: .seconds) ?? s.idleTimeout
            s.readTimeout = readTimeout?.seconds(bare: .seconds) ?? s.readTimeout
            s.maxConnections = maxConnections
            s.accessLog = accessLog
            s.timeLimit = timeLimit?.seconds(bare: .seconds) ?? s.timeLimit
            return s
        }

        /// The key from --api-key, --api-key-file or TEXTVAE_API_KEY, in that order.
        var resolvedKey: String? {
            if let apiKey { return apiKey }
            if let apiKeyFile {
                let text = (try? String(contentsOfFile: apiKeyFile, encoding: .utf8)) ?? ""
                return text.split(separator: "\n", omittingEmptySubsequences: false).first.map {
                    $0.trimmingCharacters(in: .whitespacesAndNewlines)
                } ?? ""
            }
            return ProcessInfo.processInfo.environment["TEXTVAE_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        }

        func validate() throws {
            try model.check()
            if let accessLog, accessLog != "-" {
                let inputs =
                    [(model.model, "the model")] + (index.map { [($0, "the index")] } ?? [])
                    + (apiKeyFile.map { [($0, "the API key file")] } ?? [])
                try refuseOutputThatIsAnInput(accessLog, inputs: inputs.map { (path: $0.0, role: $0.1) })
            }
            if apiKey != nil && apiKeyFile != nil { throw ValidationError("give either --api-key or --api-key-file, not both") }
            if let apiKeyFile, !FileManager.default.isReadableFile(atPath: apiKeyFile) {
                throw ValidationError("--api-key-file \(apiKeyFile) cannot be read: check the path and its permissions")
            }
            for origin in corsOrigin where origin != "*" && !(origin.hasPrefix("http://") || origin.hasPrefix("https://")) {
                throw ValidationError(
                    "--cors-origin takes an origin such as https://app.example.com (scheme, host and port if any), got \(origin)")
            }
            if !(0...65535).contains(port) { throw ValidationError("--port must be between 0 and 65535, got \(port)") }
            if !settings.isLoopback && resolvedKey == nil && !insecure {
                throw ValidationError(
                    "--host \(host) is reachable from other machines: set an API key (TEXTVAE_API_KEY, --api-key-file FILE or --api-key KEY; clients send 'Authorization: Bearer KEY'), or --insecure to serve without one"
                )
            }
            if let key = resolvedKey, key.isEmpty || key.contains(where: { $0.isWhitespace }) {
                throw ValidationError("the API key must be non-empty and without spaces, such as the output of 'openssl rand -hex 16'")
            }
            if maxRequestWork < 1 { throw ValidationError("--max-request-work must be at least 1") }
            if maxConnections < 1 { throw ValidationError("--max-connections must be at least 1") }
            for (name, t) in [("--idle-timeout", settings.idleTimeout), ("--read-timeout", settings.readTimeout)]
            where !(t > 0 && t <= ServerSettings.maxTimeLimit) {
                throw ValidationError("\(name) must be a positive time of at most a day, such as 30s")
            }
            // A body that stalls is met by whichever comes first; the idle timeout closes without an answer.
            if settings.readTimeout >= settings.idleTimeout {
                throw ValidationError(
                    "--read-timeout (\(settings.readTimeout) s) must be shorter than --idle-timeout (\(settings.idleTimeout) s), or a stalled body is dropped without its 408"
                )
            }
            if maxSentences < 1 || maxSteps < 2 || maxBeamWidth < 1 || maxBodyBytes < 64 {
                throw ValidationError(
                    "--max-sentences, --max-beam-width must be at least 1, --max-steps at least 2, --max-body-bytes at least 64")
            }
            if !(settings.timeLimit > 0 && settings.timeLimit <= ServerSettings.maxTimeLimit) {
                throw ValidationError("--time-limit must be a positive time of at most a day, such as 30s")
            }
        }

        func run() async throws {
            let trained = try model.load()
            try trained.requireLatent(for: "serve (the server's routes need z)")
            var index: SentenceIndex?
            if let path = self.index {
                let built = try SentenceIndex.build(path, model: trained)
                for note in built.notes { warn("note: \(note)") }
                index = built
            }
            let server = ModelServer(model: trained, settings: settings, index: index)
            if verbose { warn("\(BLAS.description(threads: trained.threads)); \(BF16OutputLayer.description)") }
            let host = self.host.contains(":") ? "[\(self.host)]" : self.host
            let count = index.map { " (index: \($0.count) sentences of \($0.path))" } ?? ""
            try await server.run(logLevel: verbose ? .info : .warning) { port in
                // On standard output and flushed: scripts that start the server wait for this line.
                FileHandle.standardOutput.write(Data("listening on http://\(host):\(port)/\(count); Ctrl-C to stop\n".utf8))
            }
            warn("stopped")
        }
    }
#endif
