import Foundation

/// The figures of a training metrics log (see `MetricsLog`) that the curve plot draws.
package struct TrainingCurves {
    /// A `"kind": "step"` row: one training batch's figures, every 50 steps.
    package struct StepRow: Equatable {
        package var step: Int
        package var rec: Double, kl: Double, beta: Double
    }

    /// A `"kind": "epoch"` row: means over the epoch and the validation pass at its end.
    package struct EpochRow: Equatable {
        package var step: Int, epoch: Int
        package var beta: Double
        package var trainRec: Double, trainKL: Double
        package var validRec: Double, validKL: Double, validNELBO: Double
    }

    package var steps: [StepRow] = []
    package var epochs: [EpochRow] = []
    /// Lines that were not JSON objects of either kind (a run killed mid-write leaves one).
    package var skippedLines = 0

    package init(steps: [StepRow] = [], epochs: [EpochRow] = []) {
        self.steps = steps
        self.epochs = epochs
    }

    /// Reads a metrics log. Throws if the file is missing, empty, or holds no row textvae wrote.
    package static func read(_ path: String) throws -> TrainingCurves {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            throw TextVAEError.file(
                path, "no such metrics log",
                fix:
                    "give the .metrics.jsonl file that 'textvae train' writes next to the model (model.metrics.jsonl for model.safetensors)"
            )
        }
        return try parse(TextFile.readLines(path).lines, name: path)
    }

    /// Reads the lines of a metrics log; `name` is what errors call it.
    package static func parse(_ allLines: [String], name path: String) throws -> TrainingCurves {
        let lines = allLines.filter { !$0.allSatisfy(\.isWhitespace) }
        if lines.isEmpty {
            throw TextVAEError.file(
                path, "is empty: training writes its first row after 50 steps or at the end of the first epoch",
                fix: "wait for training to log something, or give the log of a run that has")
        }
        var curves = TrainingCurves()
        for line in lines {
            guard let row = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any], curves.add(row) else {
                curves.skippedLines += 1
                continue
            }
        }
        if curves.steps.isEmpty && curves.epochs.isEmpty {
            throw TextVAEError.file(
                path,
                "holds no rows of a textvae metrics log (\(lines.count) lines, none a JSON object with \"kind\": \"step\" or \"epoch\")",
                fix: "give the .metrics.jsonl file that 'textvae train' writes next to the model")
        }
        // A resumed run drops the rows after its checkpoint and repeats them; keep the log's order by step.
        curves.steps.sort { $0.step < $1.step }
        curves.epochs.sort { $0.step < $1.step }
        return curves
    }

    /// Adds one parsed row; false if it is not a row this plot knows.
    mutating func add(_ row: [String: Any]) -> Bool {
        func number(_ key: String) -> Double? {
            switch row[key] {
            case let n as NSNumber: return n.doubleValue
            case let d as Double: return d
            case let i as Int: return Double(i)
            default: return nil
            }
        }
        /// A whole number a log can hold (steps and epochs); 1e20 or 2.5 is no step.
        func integer(_ key: String) -> Int? {
            guard let x = number(key), x.isFinite, x.rounded() == x, abs(x) < 1e15 else { return nil }
            return Int(x)
        }
        guard let kind = row["kind"] as? String, let step = integer("step"), step >= 0 else { return false }
        switch kind {
        case "step":
            guard let rec = number("rec"), let kl = number("kl"), let beta = number("beta") else { return false }
            steps.append(StepRow(step: step, rec: rec, kl: kl, beta: beta))
        case "epoch":
            guard let epoch = integer("epoch"), let beta = number("beta"), let trainRec = number("train_rec"),
                let trainKL = number("train_kl"), let validRec = number("valid_rec"), let validKL = number("valid_kl")
            else { return false }
            epochs.append(
                EpochRow(
                    step: step, epoch: epoch, beta: beta, trainRec: trainRec, trainKL: trainKL,
                    validRec: validRec, validKL: validKL, validNELBO: number("valid_nelbo") ?? validRec + validKL))
        default:
            return false
        }
        return true
    }
}
