import Foundation

/// The files a training run writes: the best model and, next to it, the
/// checkpoint, the metrics log, the vocabulary, the curves picture and the corpus's token ids.
package struct RunFiles: Sendable {
    package let model: String
    package var checkpoint: String { sibling(model, ".checkpoint.safetensors") }
    package var metrics: String { sibling(model, ".metrics.jsonl") }
    package var vocabulary: String { sibling(model, ".vocab.txt") }
    package var curves: String { sibling(model, ".curves.svg") }
    /// The corpus as token ids (`TokenFile`), reused by the next run on the same text and settings.
    package var tokens: String { sibling(model, ".tokens") }

    package init(model: String) { self.model = model }

    /// The model of a run resumed from `checkpoint`: beside it (`dir/m.checkpoint.safetensors` →
    /// `dir/m.safetensors`), or, for a checkpoint renamed otherwise, the stored model's name in its folder.
    package static func model(besideCheckpoint checkpoint: String, stored: String) -> String {
        let suffix = ".checkpoint.safetensors"
        if checkpoint.hasSuffix(suffix) { return String(checkpoint.dropLast(suffix.count)) + ".safetensors" }
        let folder = (checkpoint as NSString).deletingLastPathComponent
        let name = (stored as NSString).lastPathComponent
        return folder.isEmpty ? name : (folder as NSString).appendingPathComponent(name)
    }

    package var all: [String] { [model, checkpoint, metrics, vocabulary, curves, tokens] }

    /// Throws, naming the file and the problem, unless every file can be written: each
    /// must be a file (or a link to one, or a device) in a folder that exists and is writable.
    /// Called before the first update, so that no run trains for hours and then cannot save.
    package func checkWritable() throws {
        for path in all {
            let target = try AtomicFile.destination(path)
            if target.special != nil || AtomicFile.openDescriptor(path) != nil {
                throw TextVAEError.file(
                    path, "is not a regular file: training rewrites its files many times",
                    fix: "give -o a file path, such as model.safetensors")
            }
            let folder = URL(fileURLWithPath: target.path).deletingLastPathComponent().path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw TextVAEError.file(
                    path, "cannot be written: its folder \(folder) does not exist",
                    fix: "create the folder or choose another -o")
            }
            guard access(folder, W_OK) == 0 else {
                throw TextVAEError.file(
                    path, "cannot be written: the folder \(folder) is not writable (\(String(cString: strerror(errno))))",
                    fix: "choose a folder you can write to with -o")
            }
        }
    }

    /// Throws when one of the run's files is one of its inputs (the corpus, the validation file, a vocabulary
    /// or labels file, the checkpoint resumed): training would overwrite or delete what it reads.
    /// - Parameter inputs: each input's path and what the user calls it ("the corpus", "--valid").
    /// - Parameter tokenFileCorpus: the corpus is a token file, which the run reads and does not write (it may
    ///   be the run's own `tokens`).
    package func refuseInputs(_ inputs: [(path: String, role: String)], tokenFileCorpus: Bool) throws {
        for file in all where !(tokenFileCorpus && file == tokens) {
            for input in inputs where isSameFile(file, input.path) {
                throw TextVAEError.file(
                    "\(file), which this run writes, is \(input.role) (\(input.path)): training would replace it; "
                        + "choose another -o, such as -o runs/model.safetensors")
            }
        }
    }

    /// Removes an earlier run's model, checkpoint and metrics log (but not `keeping`), for `--overwrite`:
    /// the new run must not leave the old model in place until its first validation.
    package func removeEarlierRun(keeping: String? = nil) {
        for path in [model, checkpoint, metrics] where path != keeping { try? FileManager.default.removeItem(atPath: path) }
    }

    /// The files of an earlier run that are here already (model, checkpoint or metrics log).
    package var earlierRun: [String] {
        [model, checkpoint, metrics].filter { FileManager.default.fileExists(atPath: $0) }
    }
}
