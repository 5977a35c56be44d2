import Foundation

/// Why a run ended.
package enum TrainingOutcome: Equatable {
    case finished, earlyStopped, timeLimit
}
