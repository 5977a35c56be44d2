import Foundation
import FuzzTargets
import Testing

/// The fuzz targets' seed corpora (Tests/Fuzz/Corpus) replayed through the same
/// code that libFuzzer drives: the good seeds must be accepted (so the fuzzer
/// starts from inputs that reach deep), and nothing may crash.
@Suite struct FuzzSeedTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/Corpus")

    @Test(arguments: FuzzTarget.allCases)
    func seedsReplayWithoutCrashing(_ target: FuzzTarget) throws {
        let folder = Self.corpus.appendingPathComponent(target.rawValue)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(!names.isEmpty, "no seeds for \(target.rawValue)")
        for name in names {
            let data = try Data(contentsOf: folder.appendingPathComponent(name))
            let accepted = target.run(data)
            // Every seed is a valid input (the tokenizer skips its seed's broken UTF-8 lines, as --skip-invalid does).
            #expect(accepted, "\(target.rawValue)/\(name) was refused")
        }
    }
}
