/// The phases of the model's forward and backward passes, which the model marks as each one ends so that a
/// profiler in a higher layer can time them (`PhaseProfile`, for `textvae bench --profile`) without the model
/// knowing of it. No observer (the default) costs one branch a mark.
package enum PassPhase: Sendable {
    case encoderForward, decoderForward, outputForward, softmaxCrossEntropy, outputBackward, decoderBackward, encoderBackward

    /// Called with each phase as it ends; set only while nothing trains (a profiler sets it before the timed
    /// updates and clears it after).
    nonisolated(unsafe) package static var observer: ((PassPhase) -> Void)?

    /// Marks the end of `phase`.
    @inline(__always) static func ended(_ phase: PassPhase) { observer?(phase) }
}
