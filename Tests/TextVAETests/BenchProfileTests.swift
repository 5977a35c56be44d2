import Foundation
import Testing
@testable import TextVAE

/// `textvae bench --profile`: each phase's matrix products counted as they ran, and a probe of the machine's
/// bound measured in the same run. Figures only, no timing thresholds.
@Suite(.serialized) struct BenchProfileTests {
    @Test func theLogCountsEachProductOnceByShapeWhateverPathItTakes() throws {
        try loadBLAS()
        let a = [Float](repeating: 1, count: 64 * 300), b = [Float](repeating: 1, count: 300 * 70)
        var c = [Float](repeating: 0, count: 64 * 70)
        ProductLog.enabled = true
        defer { ProductLog.enabled = false }
        _ = ProductLog.take()
        for (m, threads) in [(64, 2), (64, 2), (1, 1), (5, 1)] {  // split over threads, twice; one row (matrix-vector); small
            BLAS.gemm(m: m, n: 70, k: 300, a, lda: 300, b, ldb: 70, &c, ldc: 70, threads: threads)
        }
        let counts = ProductLog.take()
        #expect(counts == [ProductLog.Shape(m: 64, n: 70, k: 300, transposeA: false, transposeB: false): 2,
                           ProductLog.Shape(m: 1, n: 70, k: 300, transposeA: false, transposeB: false): 1,
                           ProductLog.Shape(m: 5, n: 70, k: 300, transposeA: false, transposeB: false): 1])
        #expect(ProductLog.take().isEmpty, "take() forgets what it returned")
        ProductLog.enabled = false
        BLAS.gemm(m: 5, n: 70, k: 300, a, lda: 300, b, ldb: 70, &c, ldc: 70, threads: 1)
        #expect(ProductLog.take().isEmpty, "nothing is counted while the log is off")
    }

    /// An update's output-layer forward phase holds exactly one product, targets × H times H × V.
    @Test func eachPhaseGetsTheProductsItMade() throws {
        try loadBLAS()
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let set = try TrainingTests.grammarSet(300)
        let trainer = TrainingTests.trainer(set, folder: folder, epochs: 1)
        let config = trainer.checkpoint.file.model.config
        PhaseProfile.reset()
        PhaseProfile.enabled = true
        ProductLog.enabled = true
        defer { PhaseProfile.enabled = false; ProductLog.enabled = false }
        let update = try trainer.update(Array(0..<16))
        let logits = PhaseProfile.products[PhaseProfile.Phase.outputForward.rawValue]
        #expect(logits == [ProductLog.Shape(m: update.targets, n: config.vocabulary, k: config.hidden, transposeA: false, transposeB: true): 1],
                "\(logits)")
        for phase in [PhaseProfile.Phase.encoderForward, .decoderForward, .outputBackward, .decoderBackward, .encoderBackward] {
            #expect(!PhaseProfile.products[phase.rawValue].isEmpty, "\(phase.name) made no products")
        }
        for phase in [PhaseProfile.Phase.softmaxCrossEntropy, .adam, .gradientNorm] {
            #expect(PhaseProfile.products[phase.rawValue].isEmpty, "\(phase.name) has products: \(PhaseProfile.products[phase.rawValue])")
        }
    }

    @Test func benchProfilePrintsEachPhaseAgainstItsProbe() throws {
        let folder = try temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try (GrammarCorpus.sentences(count: 400, seed: 5).joined(separator: "\n") + "\n").write(toFile: folder + "/t.txt", atomically: true, encoding: .utf8)
        try (GrammarCorpus.sentences(count: 40, seed: 6).joined(separator: "\n") + "\n").write(toFile: folder + "/v.txt", atomically: true, encoding: .utf8)
        let run = try TextVAEProgram.run(["bench", "--train", "t.txt", "--valid", "v.txt", "--steps", "3", "--profile", "--threads", "2"], in: folder)
        try #require(run.status == 0, "\(run)")
        #expect(run.stderr.contains("matrix products by phase") && run.stderr.contains("probe GFLOP/s"), "\(run.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)")
        #expect((json["cpu"] as? String).map { !$0.isEmpty } == true)
        let phases = try #require(json["profile_products"] as? [[String: Any]], "\(run.stdout)")
        #expect(Set(phases.compactMap { $0["phase"] as? String }) == Set([PhaseProfile.Phase.encoderForward, .decoderForward, .outputForward,
                                                                        .outputBackward, .decoderBackward, .encoderBackward].map(\.name)))
        for phase in phases {
            for key in ["gflop_per_update", "achieved_gflops", "probe_gflops", "share_of_probe"] {
                let value = phase[key] as? Double ?? -1
                #expect(value > 0 && value.isFinite, "\(phase)")
            }
            let share = (phase["achieved_gflops"] as? Double ?? 0) / (phase["probe_gflops"] as? Double ?? 1)
            #expect(abs(share - (phase["share_of_probe"] as? Double ?? 0)) < 1e-9, "share = achieved / probe")
        }
    }
}
