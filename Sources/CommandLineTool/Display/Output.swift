import ArgumentParser
import Foundation
import TextVAE

/// Writes a line to stderr (stdout stays the command's output).
func warn(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}

/// Collects stdout text and writes it in large pieces.
struct OutputBuffer {
    private var text = ""

    mutating func line(_ s: String) {
        text += s
        text += "\n"
        if text.utf8.count > 1 << 16 { flush() }
    }

    mutating func flush() {
        if !text.isEmpty { FileHandle.standardOutput.write(Data(text.utf8)); text = "" }
    }
}

/// Where a command that writes files prints its summary: stdout, or stderr when one of the files it
/// wrote is stdout itself (`-o /dev/stdout`), so that the summary does not mix into the data.
func summary(writing outputs: String?...) -> (String) -> Void {
    outputs.contains { $0.map(AtomicFile.isStandardOutput) ?? false } ? { warn($0) } : { print($0) }
}
