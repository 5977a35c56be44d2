#if Server
    import Foundation

    /// Where `textvae serve` listens, who may call it, and how much one request may ask for.
    /// The defaults are what `textvae serve --help` shows.
    package struct ServerSettings: Sendable {
        package var host = "127.0.0.1"
        /// 0: any free port (the server says which once it listens).
        package var port = 8080
        /// When set, every route but `/healthz` and `/` needs `Authorization: Bearer <key>`.
        package var apiKey: String?
        /// Merge concurrent decoding requests into shared decoding batches (off only to measure what it gains).
        package var batching = true
        /// Largest request body, in bytes.
        package var maxBodyBytes = 64 * 1024
        /// Most sentences one request may ask for or send (`n` of sample; `sentences` of reconstruct, encode, score).
        package var maxSentences = 100
        /// Most points of one interpolation.
        package var maxSteps = 100
        /// Widest beam.
        package var maxBeamWidth = 16
        /// Longest wait for one request's model work (queueing included), in seconds; over it: 503.
        package var timeLimit = 30.0
        /// The most work one request may ask for, in word scores (sentences × steps × beam width × vocabulary for
        /// decoding; tokens × vocabulary for scoring): about 10 s of one core for a 10,000-word model at the default.
        package var maxRequestWork = 200_000_000
        /// Seconds a connection may stay without a complete request (its headers included) before it is closed.
        package var idleTimeout = 30.0
        /// Seconds a request's body may take to arrive; over it: 408.
        package var readTimeout = 10.0
        /// Connections served at once; more wait to be accepted.
        package var maxConnections = 256
        /// `/metrics` without the API key (for a scraper on a trusted network).
        package var publicMetrics = false
        /// Host names besides the listening address, `localhost` and loopback that requests may use (`*`: any).
        package var allowedHosts: [String] = []
        /// Web origins (such as `https://app.example.com`) whose pages may call the API; `*`: any.
        package var corsOrigins: [String] = []
        /// A file that gets one JSON line per answered request (`-`: standard error); nil: no access log.
        package var accessLog: String?
        /// The longest time limit (a day): longer ones are refused, so that no deadline overflows a clock.
        package static let maxTimeLimit = 86_400.0

        package init() {}

        /// Whether `host` is a loopback address, which may be served without a key.
        package var isLoopback: Bool {
            if ["::1", "localhost"].contains(host) { return true }
            // 127.0.0.0/8 as an address (four numbers), not a name such as 127.x.example.
            let parts = host.split(separator: ".", omittingEmptySubsequences: false)
            return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
        }
    }
#endif
