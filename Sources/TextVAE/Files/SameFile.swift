import Foundation

/// Whether two paths lead to the same file (the same device and inode, through links and hard links alike):
/// how a command knows that an output would replace one of its own inputs. A path that does not exist yet is
/// no file, so it is never the same as another.
package func isSameFile(_ a: String, _ b: String) -> Bool {
    var first = stat(), second = stat()
    return stat(a, &first) == 0 && stat(b, &second) == 0 && first.st_dev == second.st_dev && first.st_ino == second.st_ino
}

/// Refuses an output that is one of the command's inputs, naming both and the fix.
/// - Parameter inputs: each input's path and what the command calls it ("the model", "the corpus").
package func refuseOutputThatIsAnInput(_ output: String, inputs: [(path: String, role: String)]) throws {
    for input in inputs where isSameFile(output, input.path) {
        throw TextVAEError.file("\(output) is \(input.role) (\(input.path)): writing there would replace it; choose another output file")
    }
}
