import Foundation
import Testing

@testable import TextVAE

/// `textvae bench --profile`: each phase's matrix products counted as they ran, and a probe of the machine's
/// bound measured in the same run. Figures only, no timing thresholds. The log is process-wide and other suites
/// make products at the same time, so the in-process test checks that what it made is counted (at least), not
/// that nothing else is, and which phase each product is charged to is checked through `bench` itself, in its
/// own process; the ThreadSanitizer pass leaves this suite out (the flag is a plain global, which `bench` sets
/// before its threads start).
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
        for (m, made) in [(64, 2), (1, 1), (5, 1)] {
            let shape = ProductLog.Shape(m: m, n: 70, k: 300, transposeA: false, transposeB: false)
            #expect(counts[shape, default: 0] >= made, "\(shape): \(counts)")
        }
        let odd = ProductLog.Shape(m: 3, n: 71, k: 299, transposeA: false, transposeB: false)  // a shape no other test makes
        #expect(ProductLog.take()[odd] == nil, "take() forgets what it returned")
        ProductLog.enabled = false
        BLAS.gemm(m: 3, n: 71, k: 299, a, lda: 299, b, ldb: 71, &c, ldc: 71, threads: 1)
        ProductLog.enabled = true
        #expect(ProductLog.take()[odd] == nil, "nothing is counted while the log is off")
    }

    @Test func benchProfilePrintsEachPhaseAgainstItsProbe() throws {
        let folder = try temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try (GrammarCorpus.sentences(count: 400, seed: 5).joined(separator: "\n") + "\n").write(
            toFile: folder + "/t.txt", atomically: true, encoding: .utf8)
        try (GrammarCorpus.sentences(count: 40, seed: 6).joined(separator: "\n") + "\n").write(
            toFile: folder + "/v.txt", atomically: true, encoding: .utf8)
        let run = try TextVAEProgram.run(
            ["bench", "--train", "t.txt", "--valid", "v.txt", "--steps", "3", "--profile", "--threads", "2"], in: folder)
        try #require(run.status == 0, "\(run)")
        #expect(run.stderr.contains("matrix products by phase") && run.stderr.contains("probe GFLOP/s"), "\(run.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)")
        #expect((json["cpu"] as? String).map { !$0.isEmpty } == true)
        let phases = try #require(json["profile_products"] as? [[String: Any]], "\(run.stdout)")
        #expect(
            Set(phases.compactMap { $0["phase"] as? String })
                == Set(
                    [
                        PhaseProfile.Phase.encoderForward, .decoderForward, .outputForward,
                        .outputBackward, .decoderBackward, .encoderBackward,
                    ].map { $0.name(cell: .gru) }))
        // The logits' product, targets × H times H × V, is charged to the output layer's forward phase alone.
        let vocabulary = Set(GrammarCorpus.sentences(count: 400, seed: 5).flatMap { $0.split(separator: " ") }).count
        let forward = try #require(phases.first { $0["phase"] as? String == PhaseProfile.Phase.outputForward.name(cell: .gru) })
        #expect(
            (forward["probe_shape"] as? String)?.hasSuffix("· 256×\(vocabulary + 4)") == true,
            "\(forward) (V = \(vocabulary) words + 4 specials)")
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
