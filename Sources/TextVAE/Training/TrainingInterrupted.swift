/// Training stopped because Ctrl-C or SIGTERM asked it to, after saving a checkpoint. Its own type so that a
/// distributed run can tell it from a failure: every rank stops at the same update, so they can all leave the
/// MPI job in order instead of aborting it.
package struct TrainingInterrupted: Error, CustomStringConvertible {
    package let description: String
}
