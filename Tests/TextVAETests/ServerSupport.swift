#if Server
    import Foundation
    #if canImport(FoundationNetworking)
        import FoundationNetworking
    #endif
    import Testing
    @testable import TextVAE
    @testable import TextVAEServer

    /// What one HTTP request got back.
    struct HTTPReply: CustomStringConvertible {
        var status: Int
        var body: String
        var contentType: String

        /// The body as a JSON object (nil when it is not one).
        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] }
        /// The message of an API error body.
        var errorMessage: String? { (json?["error"] as? [String: Any])?["message"] as? String }
        var description: String { "HTTP \(status): \(body)" }
    }

    /// A real HTTP client (Foundation's URLSession) for the server tests.
    func httpRequest(
        _ method: String, port: Int, _ path: String, body: String? = nil,
        headers: [String: String] = [:]
    ) async throws -> HTTPReply {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.timeoutInterval = 120
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")  // as the API asks; a test may override it
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        return HTTPReply(
            status: http.statusCode, body: String(decoding: data, as: UTF8.self),
            contentType: http.value(forHTTPHeaderField: "Content-Type") ?? "")
    }

    /// Threads of the in-process servers' own, for their tasks (and the connection tasks they start, which
    /// inherit the preference). Tests that wait for a child process block a thread of the cooperative pool,
    /// which has as many as the machine has cores (2 here); a server that needed one of them to answer waited
    /// with them, and curl gave up after 60 s (seen when the suite ran beside the training tests).
    final class ServerThreads: TaskExecutor, @unchecked Sendable {  // `jobs` guarded by `condition`
        static let shared = ServerThreads(count: 2)
        private let condition = NSCondition()
        private var jobs: [UnownedJob] = []

        init(count: Int) {
            for n in 0..<count {
                let thread = Thread { [unowned self] in run() }
                thread.name = "test server \(n)"
                thread.start()
            }
        }

        func enqueue(_ job: consuming ExecutorJob) {
            let job = UnownedJob(job)
            condition.lock()
            jobs.append(job)
            condition.signal()
            condition.unlock()
        }

        private func run() {
            while true {
                condition.lock()
                while jobs.isEmpty { condition.wait() }
                let job = jobs.removeFirst()
                condition.unlock()
                job.runSynchronously(on: asUnownedTaskExecutor())
            }
        }
    }

    /// A `ModelServer` running in this process on an ephemeral loopback port, until `stop`.
    struct RunningServer {
        let port: Int
        let task: Task<Void, any Error>

        static func start(_ server: ModelServer) async throws -> RunningServer {
            let (ports, continuation) = AsyncStream<Int>.makeStream()
            let task = Task(executorPreference: ServerThreads.shared) {
                defer { continuation.finish() }  // a server that cannot start ends the wait below
                // Cancelling is how a test stops it; HummingbirdCore logs that at error level, so only critical logs show.
                try await server.run(handlingSignals: false, logLevel: .critical) { continuation.yield($0) }
            }
            var port: Int?
            for await p in ports {
                port = p
                break
            }
            guard let port else {
                try await task.value
                throw TestFailure("the server stopped before it listened")
            }
            return RunningServer(port: port, task: task)
        }

        func request(_ method: String, _ path: String, body: String? = nil, headers: [String: String] = [:]) async throws -> HTTPReply {
            try await httpRequest(method, port: port, path, body: body, headers: headers)
        }

        func post(_ path: String, _ body: String, headers: [String: String] = [:]) async throws -> HTTPReply {
            try await request("POST", path, body: body, headers: headers)
        }

        func stop() async {
            task.cancel()
            _ = try? await task.value
        }
    }

    enum ServerFixture {
        /// The tiny generation model as the server holds it (one thread, whitespace tokenizer).
        static func model() throws -> TrainedModel {
            try loadBLAS()
            return try TrainedModel(file: TinyModel.file(TinyModel.varied(latentToInputs: false)), path: "tiny.safetensors", threads: 1)
        }

        /// Settings with small limits that the tests can cross.
        static func settings() -> ServerSettings {
            var s = ServerSettings()
            s.port = 0
            s.maxSentences = 8
            s.maxSteps = 9
            s.maxBeamWidth = 4
            s.maxBodyBytes = 2_000
            return s
        }

        static let indexLines = ["the cat sat on the mat", "a dog ran", "the dog sat", "a cat ran on a mat", "the mat"]
    }
#endif
