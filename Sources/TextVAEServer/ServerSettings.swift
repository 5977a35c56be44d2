#if Server
import Foundation

/// Where `textvae serve` listens, who may call it, and how much one request may ask for.
/// The defaults are what `textvae serve --help` shows.
public struct ServerSettings: Sendable {
    public var host = "127.0.0.1"
    /// 0: any free port (the server says which once it listens).
    public var port = 8080
    /// When set, every route but `/healthz` and `/` needs `Authorization: Bearer <key>`.
    public var apiKey: String?
    /// Merge concurrent decoding requests into shared decoding batches (off only to measure what it gains).
    public var batching = true
    /// Largest request body, in bytes.
    public var maxBodyBytes = 64 * 1024
    /// Most sentences one request may ask for or send (`n` of sample; `sentences` of reconstruct, encode, score).
    public var maxSentences = 100
    /// Most points of one interpolation.
    public var maxSteps = 100
    /// Widest beam.
    public var maxBeamWidth = 16
    /// Longest wait for one request's model work (queueing included), in seconds; over it: 503.
    public var timeLimit = 30.0

    public init() {}

    /// Whether `host` is a loopback address, which may be served without a key.
    public var isLoopback: Bool {
        ["127.0.0.1", "::1", "localhost"].contains(host) || host.hasPrefix("127.")
    }
}
#endif
