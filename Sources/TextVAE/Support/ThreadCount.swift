import Foundation

/// How many threads work is split over when none are asked for: `TEXTVAE_THREADS` if set (1 to 256), else the
/// cores this process may use. Here, below every layer, so that reading text and running the model ask the same
/// place. Use one thread while other heavy jobs run.
package enum ThreadCount {
    package static let `default`: Int = {
        if let text = ProcessInfo.processInfo.environment["TEXTVAE_THREADS"], let n = Int(text), (1...256).contains(n) { return n }
        return min(256, max(1, ProcessInfo.processInfo.activeProcessorCount))
    }()
}
