import Foundation

/// Ctrl-C and SIGTERM ask training to stop at the next step boundary, with a
/// checkpoint; a second Ctrl-C stops at once.
package enum Interruption {
    /// Set by the signal handler; read between training steps and while reading a corpus.
    nonisolated(unsafe) static var requested: Int32 = 0

    package static func install() {
        let handler: @convention(c) (Int32) -> Void = { _ in
            if Interruption.requested != 0 { _exit(130) }
            Interruption.requested = 1
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        // A launcher may start us with these signals blocked (the mask is inherited across
        // exec; test runners do this): then Ctrl-C would never reach the handler.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigaddset(&unblock, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    /// Whether Ctrl-C or SIGTERM came: a command then exits with status 130, as shells expect.
    package static var wasRequested: Bool { requested != 0 }

    /// Throws if Ctrl-C or SIGTERM came: for the long steps before training (reading and
    /// tokenising a large corpus), which have nothing to save yet.
    package static func check(_ doing: String) throws {
        if requested != 0 { throw TextVAEError.interrupted("interrupted while \(doing); nothing was written") }
    }
}
