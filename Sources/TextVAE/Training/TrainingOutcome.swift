import Foundation

/// Why a run ended.
public enum TrainingOutcome: Equatable {
    case finished, earlyStopped, timeLimit
}
