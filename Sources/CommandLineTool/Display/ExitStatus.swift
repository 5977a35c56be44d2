import ArgumentParser
import TextVAE

/// The exit statuses of `textvae`, the same for every command:
/// - 0: done;
/// - 1: an error, said on stderr in one line that names the problem and the fix (a file, a model, the data);
/// - 64: the command line itself is wrong (an unknown option, a value out of range), with the usage;
/// - 130: stopped by Ctrl-C or SIGTERM (training saves a checkpoint first and says how to resume).
enum ExitStatus {
    static let summary =
        "Exit status: 0 done, 1 an error (stderr names it and the fix), 64 a wrong command line, 130 stopped by Ctrl-C or SIGTERM."

    /// Runs `body`; an error that an interruption caused is said on stderr and ends the command with status 130.
    static func interruptible<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch  where Interruption.wasRequested || (error as? TextVAEError)?.isInterruption == true {
            warn("\(error)")
            throw ExitCode(130)
        }
    }
}
