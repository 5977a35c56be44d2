import Foundation
import Testing

@testable import TextVAE

/// The metrics log's rows keep the names that `textvae plot`, pandas and the Training article read.
@Suite struct MetricsRowTests {
    static func keys(_ row: some Encodable) throws -> Set<String> {
        let object = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(row)) as? [String: Any]
        return Set(try #require(object).keys)
    }

    @Test func rowsCarryTheDocumentedNames() throws {
        let step = MetricsRow.Step(step: 50, epoch: 0.5, rec: 1, kl: 2, beta: 0.1, loss: 1.2, gradNorm: 3, tokensPerSecond: 9)
        #expect(try Self.keys(step) == ["kind", "step", "epoch", "rec", "kl", "beta", "loss", "grad_norm", "tokens_per_s"])
        var epoch = MetricsRow.Epoch(
            step: 100, epoch: 1, beta: 1, annealed: true, kept: true, trainRec: 1, trainKL: 2, trainNELBO: 3, validRec: 4,
            validKL: 5, validNELBO: 9, validPPL: 80, seconds: 2, tokensPerSecond: 9)
        let plain: Set<String> = [
            "kind", "step", "epoch", "beta", "annealed", "kept", "train_rec", "train_kl", "train_nelbo", "valid_rec",
            "valid_kl", "valid_nelbo", "valid_ppl", "seconds", "tokens_per_s",
        ]
        #expect(try Self.keys(epoch) == plain)  // no class figures without classes
        epoch.validClassKL = 0.3
        epoch.validAccuracy = 0.9
        #expect(try Self.keys(epoch) == plain.union(["valid_class_kl", "valid_accuracy"]))
        let logged = try temporaryFolder().appendingPathComponent("m.metrics.jsonl").path
        try MetricsLog(path: logged).append(step)
        try MetricsLog(path: logged).append(epoch)
        let rows = try MetricsLog.read(logged)
        #expect(rows.map { $0["kind"] as? String } == ["step", "epoch"])
        #expect(rows[1]["valid_accuracy"] as? Double == 0.9)
    }
}
