/// The first error thrown inside a closure that cannot throw (a callback of the forward pass), kept so that the
/// caller throws it once the closure's work is over instead of going on with a made-up result.
final class FirstError: @unchecked Sendable {  // used by one thread at a time: the training step that made it
    private var error: (any Error)?

    func keep(_ error: any Error) {
        if self.error == nil { self.error = error }
    }

    func rethrow() throws {
        if let error { throw error }
    }
}
