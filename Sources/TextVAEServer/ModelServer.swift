#if Server
    import Foundation
    import Hummingbird
    import HummingbirdCore
    import Logging
    import TextVAE

    /// `textvae serve`: one trained model behind a JSON API (`/v1/...`), a page (`/`), `/healthz` and
    /// `/metrics`. The routes are in Routes/, one file per family; the model runs on `ModelWorker`'s thread.
    package final class ModelServer: Sendable {
        let settings: ServerSettings
        let worker: ModelWorker
        let metrics = ServerMetrics()
        let index: SentenceIndex?
        /// The body of `GET /v1/model`, built once.
        let facts: JSONValue
        /// The body of `GET /v1/map` (with an index), built once.
        let mapBody: [UInt8]?

        package init(model: TrainedModel, settings: ServerSettings, index: SentenceIndex? = nil) {
            self.settings = settings
            self.index = index
            worker = ModelWorker(model: model, batching: settings.batching, metrics: metrics)
            facts = Self.facts(model, settings: settings, index: index)
            mapBody = index.map(Self.mapBody)
        }

        /// Serves until SIGINT or SIGTERM (with `handlingSignals`) or until the task is cancelled; then stops
        /// taking connections, lets the requests in flight finish, and returns.
        /// - Parameter onListening: called with the port once connections are accepted (useful with port 0).
        package func run(
            handlingSignals: Bool = true, logLevel: Logger.Level = .warning,
            onListening: @escaping @Sendable (Int) -> Void = { _ in }
        ) async throws {
            var logger = Logger(label: "textvae serve")
            logger.logLevel = logLevel
            let port = settings.port
            let accessLog = try settings.accessLog.map { try AccessLog(path: $0) }
            let app = Application(
                router: makeRouter(accessLog: accessLog),
                // A connection that sends no complete request within the idle timeout is closed (slow headers
                // included), and past --max-connections new ones wait in the kernel's queue: slow clients cannot
                // take every descriptor, and /healthz still answers.
                server: .http1(configuration: .init(idleTimeout: .milliseconds(Int64(settings.idleTimeout * 1000)))),
                configuration: .init(
                    address: .hostname(settings.host, port: settings.port), serverName: "textvae",
                    availableConnectionsDelegate: MaximumAvailableConnections(settings.maxConnections)),
                onServerRunning: { channel in onListening(channel.localAddress?.port ?? port) },
                logger: logger
            )
            worker.start()
            defer { worker.stop() }
            if handlingSignals {
                try await app.runService()
            } else {
                try await app.run()
            }
        }

        func makeRouter(accessLog: AccessLog? = nil) -> Router<BasicRequestContext> {
            let router = Router()
            router.add(middleware: ResponseMiddleware(metrics: metrics, accessLog: accessLog))
            router.add(
                middleware: RequestGuard(
                    listeningHost: settings.host, allowedHosts: settings.allowedHosts.map { $0.lowercased() },
                    corsOrigins: settings.corsOrigins))
            router.add(middleware: KeyMiddleware(key: settings.apiKey, publicMetrics: settings.publicMetrics))
            addInfoRoutes(router)
            let v1 = router.group("v1")
            addSampleRoute(v1)
            addInterpolateRoute(v1)
            addSentenceRoutes(v1)
            addIndexRoutes(v1)
            return router
        }

        /// Reads a route's body with this server's size limit.
        func fields(_ request: Request, _ allowed: [String]) async throws -> RequestFields {
            try await RequestFields.read(request, limit: settings.maxBodyBytes, allowed: allowed, timeout: settings.readTimeout)
        }

        /// Runs `work` on the model within the time limit. The library's errors about what the request asked (a
        /// sentence without words, a class the model lacks) are the caller's to fix: 422 with the library's message.
        /// The others (a library failing) are the server's: they reach the middleware, which answers 500 and logs them.
        /// - Parameter timeLimit: the seconds left to the request (by default the whole time limit).
        func onModel<T: Sendable>(timeLimit: Double? = nil, _ work: @escaping @Sendable (TrainedModel) throws -> T) async throws -> T {
            do {
                return try await worker.run(timeLimit: timeLimit ?? settings.timeLimit, work)
            } catch let error as TextVAEError {
                switch error {
                case .invalidInput, .modelLacks, .conflict: throw APIError.unprocessable(error.description)
                case .file, .diverged, .interrupted, .system: throw error
                }
            }
        }

        /// Refuses, before it is queued, a request whose work passes `--max-request-work`: counted in word scores
        /// (one row of the output layer for one word at one step), the cost that grows with every size a request sets.
        func checkWork(_ scores: Double, _ what: String) throws {
            guard scores <= Double(settings.maxRequestWork) else {
                throw APIError.tooLarge(
                    "this request asks for \(what) = \(Int(scores)) word scores, over this server's limit of "
                        + "\(settings.maxRequestWork) (textvae serve --max-request-work); ask for less, or split it")
            }
        }

        /// Rows one decoding turn on the worker takes. A larger request is decoded a turn at a time, each turn queued
        /// behind the requests that came meanwhile, so that one client's hundred sentences do not hold everyone else
        /// for their whole time. Sampling that sorts the vocabulary at each word (a top_k above 32, a top_p) costs
        /// about 25 greedy rows on a 10,000-word model: 4 rows per turn (drawn on both cores).
        /// Smaller turns cost the large request itself more than they give the others (Tests/Scripts/bench/bench-serve-attack.sh).
        static func rowsPerTurn(_ options: DecodingOptions) -> Int {
            switch options.method {
            case .greedy: 64
            case .sample(let s): s.sortsTheVocabulary ? 4 : 64
            case .beam(let width): max(1, 64 / width)
            }
        }

        /// Decodes on the model worker within the time limit, sharing a batch with other requests when it can, a
        /// turn of `rowsPerTurn` rows at a time (each row keeps its seed: the sentences are those of one call).
        func decode(_ z: [Float], classes: [Float]? = nil, _ options: DecodingOptions, rowSeeds: [UInt64]) async throws -> [[Hypothesis]] {
            let model = worker.model, c = model.model.config
            var width = 1
            if case .beam(let w) = options.method { width = w }
            let steps = options.maxLength ?? c.maxLength
            try checkWork(
                Double(rowSeeds.count) * Double(steps) * Double(width) * Double(c.vocabulary),
                "\(rowSeeds.count) sentences × \(steps) steps × beam width \(width) × \(c.vocabulary) words")
            let deadline = ContinuousClock.now + .milliseconds(Int64(settings.timeLimit * 1000))
            let Z = model.latent, K = model.classes, turn = Self.rowsPerTurn(options)
            var decoded: [[Hypothesis]] = []
            for start in stride(from: 0, to: rowSeeds.count, by: turn) {
                let rows = start..<min(rowSeeds.count, start + turn)
                decoded += try await worker.decode(
                    Array(z[rows.lowerBound * Z..<rows.upperBound * Z]),
                    classes: classes.map { Array($0[rows.lowerBound * K..<rows.upperBound * K]) },
                    options: options, rowSeeds: Array(rowSeeds[rows]), timeLimit: try secondsLeft(deadline))
            }
            metrics.countSentences(decoded.count)
            return decoded
        }

        /// The seconds left before `deadline`, or the time limit's 503 when none are.
        func secondsLeft(_ deadline: ContinuousClock.Instant) throws -> Double {
            let left = ContinuousClock.now.duration(to: deadline)
            let seconds = Double(left.components.seconds) + Double(left.components.attoseconds) * 1e-18
            guard seconds > 0 else {
                throw APIError(
                    .serviceUnavailable,
                    "the request took longer than the server's time limit of \(settings.timeLimit) s (textvae serve --time-limit); ask for less or retry"
                )
            }
            return seconds
        }
    }
#endif
