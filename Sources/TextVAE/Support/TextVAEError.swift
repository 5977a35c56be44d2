/// A problem the user can fix. The case says what kind of problem it is, so that callers (the command's exit,
/// the server's status) and tests match the case; the message names the file or value and says what to do.
public enum TextVAEError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A file or folder that cannot be read, written or used as it is: missing, damaged, of the wrong kind, or an
    /// output that would replace an input or an earlier run.
    case file(String)
    /// A value given to a command or call that cannot be used: a sentence without words, a count out of range,
    /// decoding settings that do not fit together, a locale ICU does not know.
    case invalidInput(String)
    /// Something the model cannot do: it has no classes, no such class, no words to fill a blank with.
    case modelLacks(String)
    /// Settings that contradict each other, the data, a checkpoint, or the other MPI ranks.
    case conflict(String)
    /// Training whose loss stopped being finite; the message says from which checkpoint to go on.
    case diverged(String)
    /// Stopped by Ctrl-C or a termination signal before anything was written.
    case interrupted(String)
    /// A library or the system failed: OpenBLAS could not be loaded, ICU or MPI reported an error.
    case system(String)

    public var description: String {
        switch self {
        case .file(let message), .invalidInput(let message), .modelLacks(let message), .conflict(let message),
            .diverged(let message), .interrupted(let message), .system(let message):
            return message
        }
    }

    /// Whether this is `.interrupted` (the command exits 130).
    package var isInterruption: Bool {
        if case .interrupted = self { return true }
        return false
    }

    /// A file problem in the usual form, "PATH: PROBLEM; FIX".
    static func file(_ path: String, _ problem: String, fix: String) -> TextVAEError {
        .file("\(path): \(problem); \(fix)")
    }
}
