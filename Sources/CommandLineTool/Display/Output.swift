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
