import Foundation

/// Wall time spent in each phase of a training update, for `textvae bench --profile`
/// (`Benchmark.profile` switches it on for the timed updates only).
///
/// Off by default: `lap` then costs one branch. When on, each `lap(phase)`
/// charges the time since the previous lap to `phase`, so the phases of an
/// update add up to its wall time (both cores' work overlaps inside a phase).
enum PhaseProfile {
    enum Phase: Int, CaseIterable, Sendable {
        case batchAndNoise, encoderForward, decoderForward, outputForward, softmaxCrossEntropy, outputBackward,
            decoderBackward, encoderBackward, allReduce, gradientNorm, adam

        /// The profile's phase for one the model marks.
        init(_ pass: PassPhase) {
            switch pass {
            case .encoderForward: self = .encoderForward
            case .decoderForward: self = .decoderForward
            case .outputForward: self = .outputForward
            case .softmaxCrossEntropy: self = .softmaxCrossEntropy
            case .outputBackward: self = .outputBackward
            case .decoderBackward: self = .decoderBackward
            case .encoderBackward: self = .encoderBackward
            }
        }

        /// The phase's name in `bench --profile`'s table, with the model's cell ("encoder LSTM forward").
        func name(cell: RecurrentCell) -> String {
            let rnn = cell.displayName
            return switch self {
            case .batchAndNoise: "batch, word dropout, zero gradient"
            case .encoderForward: "encoder \(rnn) forward"
            case .decoderForward: "decoder \(rnn) forward"
            case .outputForward: "output layer forward (logits)"
            case .softmaxCrossEntropy: "softmax cross-entropy"
            case .outputBackward: "output layer backward"
            case .decoderBackward: "decoder \(rnn) backward"
            case .encoderBackward: "latent + encoder \(rnn) backward"
            case .allReduce: "gradient sum over ranks (MPI_Allreduce)"
            case .gradientNorm: "gradient norm"
            case .adam: "Adam"
            }
        }
    }

    /// While on, the model's own phase marks (`PassPhase`) are laps too.
    nonisolated(unsafe) static var enabled = false {
        didSet { PassPhase.observer = enabled ? { lap(Phase($0)) } : nil }
    }
    nonisolated(unsafe) private(set) static var seconds = [Double](repeating: 0, count: Phase.allCases.count)
    /// The matrix products each phase made (`ProductLog`, on while profiling), by shape.
    nonisolated(unsafe) private(set) static var products = [[ProductLog.Shape: Int]](repeating: [:], count: Phase.allCases.count)
    nonisolated(unsafe) private static var last: UInt64 = 0
    /// Only while profiling: one trainer laps at a time (tests may run several trainers at once).
    private static let lock = NSLock()

    static func reset() {
        lock.lock()
        defer { lock.unlock() }
        seconds = [Double](repeating: 0, count: Phase.allCases.count)
        products = [[ProductLog.Shape: Int]](repeating: [:], count: Phase.allCases.count)
    }

    /// Starts timing an update (nothing is charged).
    @inline(__always) static func start() {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        _ = ProductLog.take()
        last = DispatchTime.now().uptimeNanoseconds
    }

    /// Charges the time since the previous lap to `phase`.
    @inline(__always) static func lap(_ phase: Phase) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = DispatchTime.now().uptimeNanoseconds
        seconds[phase.rawValue] += Double(now - last) * 1e-9
        products[phase.rawValue].merge(ProductLog.take(), uniquingKeysWith: +)
        last = DispatchTime.now().uptimeNanoseconds  // the bookkeeping is charged to no phase
    }
}
