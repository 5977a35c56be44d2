import Foundation
import Testing

@testable import TextVAE

/// The encoder-only pass, the .npy writer, interpolation paths and input reading.
@Suite struct EncodingTests {
    static let sentences: [[Int32]] = [[4, 5, 6, 7, 4, 8], [9, 10, 11, 1], [5], [6, 6, 7, 8, 9, 10, 11, 4, 5], [7, 4]]

    @Test(arguments: [(false, false), (true, false), (false, true)], RecurrentCell.allCases)
    func encodeGivesTheMeanAndLogVarianceOfRun(options: (latentToInputs: Bool, bidirectional: Bool), cell: RecurrentCell) throws {
        try loadBLAS()
        let model = TinyModel.make(latentToInputs: options.latentToInputs, cell: cell, bidirectional: options.bidirectional)
        let reference = model.run(Batch(Self.sentences), latent: .mean, workspace: Workspace())
        for batchSize in [1, 2, 5] {
            let p = model.encode(Self.sentences, batchSize: batchSize)
            #expect(p.count == Self.sentences.count)
            #expect(firstMismatch(p.mu, reference.mu, rtol: 1e-6, atol: 1e-7) == nil, "batch size \(batchSize)")
            #expect(firstMismatch(p.logv, reference.logv, rtol: 1e-6, atol: 1e-7) == nil, "batch size \(batchSize)")
        }
    }

    /// A bidirectional encoder's second network reads each sentence backwards: with q(z|x) reading only its half of
    /// [h→; h←], μ and log σ² are a one-way model's whose encoder has the reverse weights, given the sentences
    /// reversed.
    @Test(arguments: RecurrentCell.allCases)
    func theReverseEncoderReadsEachSentenceBackwards(cell: RecurrentCell) throws {
        try loadBLAS()
        var both = TinyModel.make(cell: cell, bidirectional: true)
        var oneWayConfig = both.config
        oneWayConfig.bidirectional = false
        let oneWayLayout = ParameterLayout(oneWayConfig)
        var oneWay = [Float](repeating: .nan, count: oneWayLayout.total)
        let (H, Z) = (both.config.hidden, both.config.latent)
        for t in ParameterTensor.present(oneWayConfig) {
            let source: ParameterTensor =
                switch t {
                case .encoderWeightIH: .encoderReverseWeightIH
                case .encoderWeightHH: .encoderReverseWeightHH
                case .encoderBiasIH: .encoderReverseBiasIH
                case .encoderBiasHH: .encoderReverseBiasHH
                default: t
                }
            if t == .meanWeight || t == .logvWeight {
                // Z × 2H → Z × H: the reverse half's columns; the forward half is zeroed in the bidirectional model.
                let from = both.layout.range(t).lowerBound, to = oneWayLayout.range(t).lowerBound
                for j in 0..<Z {
                    for k in 0..<H {
                        oneWay[to + j * H + k] = both.parameters[from + j * 2 * H + H + k]
                        both.parameters[from + j * 2 * H + k] = 0
                    }
                }
            } else {
                oneWay.replaceSubrange(oneWayLayout.range(t), with: both.parameters[both.layout.range(source)])
            }
        }
        #expect(!oneWay.contains { $0.isNaN })
        let reader = SentenceVAE(config: oneWayConfig, parameters: oneWay)
        let a = both.encode(Self.sentences, batchSize: 2), b = reader.encode(Self.sentences.map { Array($0.reversed()) }, batchSize: 2)
        #expect(firstMismatch(a.mu, b.mu, rtol: 1e-5, atol: 1e-6) == nil && firstMismatch(a.logv, b.logv, rtol: 1e-5, atol: 1e-6) == nil)
        let forwards = reader.encode(Self.sentences, batchSize: 2)
        #expect(firstMismatch(a.mu, forwards.mu, rtol: 1e-3, atol: 1e-4) != nil, "reading forwards gives other codes")
    }

    @Test(arguments: [(0, 3), (1, 1), (5, 16), (7, 33), (100, 2)])
    func npyHeaderIsValidAndDataRoundTrips(rows: Int, columns: Int) throws {
        var rng = Random(seed: UInt64(rows * 100 + columns))
        let values = (0..<rows * columns).map { _ in rng.normal() }
        let bytes = [UInt8](NPY.encode(rows: rows, columns: columns, values: values))
        #expect(Array(bytes[0..<6]) == [0x93] + Array("NUMPY".utf8), "magic")
        #expect(bytes[6] == 1 && bytes[7] == 0, "version 1.0")
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        let dataStart = 10 + headerLength
        #expect(dataStart % 64 == 0, "data starts at \(dataStart), not a multiple of 64")
        let header = try #require(String(bytes: bytes[10..<dataStart], encoding: .ascii))
        #expect(header.hasSuffix("\n"), "the header ends with a newline")
        let dict = header.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(dict == "{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), \(columns)), }", "\(dict)")
        #expect(bytes.count == dataStart + 4 * rows * columns)
        let back = (0..<rows * columns).map { i in
            Float(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[dataStart + 4 * i + $1]) << (8 * $1) })
        }
        #expect(back == values)
    }

    @Test func interpolationStepsAndEndPoints() {
        #expect(Interpolation.steps(2) == [0, 1])
        #expect(Interpolation.steps(5) == [0, 0.25, 0.5, 0.75, 1])
        let steps = Interpolation.steps(7)
        #expect(steps.first == 0 && steps.last == 1 && zip(steps, steps.dropFirst()).allSatisfy { $0 < $1 })
        var rng = Random(seed: 3)
        let a = (0..<16).map { _ in rng.normal() }, b = (0..<16).map { _ in rng.normal() }
        for path in [Interpolation.linear, Interpolation.spherical] {
            #expect(path(a, b, 0) == a && path(a, b, 1) == b)
        }
        let mid = Interpolation.linear(a, b, 0.5)
        #expect(firstMismatch(mid, zip(a, b).map { ($0 + $1) / 2 }, rtol: 1e-6, atol: 1e-7) == nil)
        // Slerp between orthogonal unit vectors stays on the unit circle at 45°.
        let s = Interpolation.spherical([1, 0, 0], [0, 2, 0], 0.5)
        #expect(abs(s[0] - Float(0.5.squareRoot())) < 1e-6 && abs(s[1] - Float(2 * 0.5.squareRoot())) < 1e-6 && s[2] == 0)
        // Parallel vectors: no arc is defined, so the straight line.
        #expect(Interpolation.spherical([1, 1], [2, 2], 0.5) == Interpolation.linear([1, 1], [2, 2], 0.5))
    }

    @Test func inputLinesAreTokenisedCutAndReported() throws {
        let vocabulary = try TinyModel.vocabulary()
        let tokenizer = try Tokenizer(TokenizerSettings(name: .whitespace))
        let lines = ["the cat sat", "", "   ", "zebra yak", "a dog ran on the mat the cat sat", "\u{200B}", "cat"]
        let input = try ModelInput(lines: lines, name: "in.txt", tokenizer: tokenizer, vocabulary: vocabulary, maxLength: 5)
        #expect(input.sentences.map(\.line) == [1, 4, 5, 6, 7])
        #expect(input.sentences[0].ids == [4, 5, 6])
        #expect(input.onlyUnknown == [4, 6])
        #expect(input.truncated == [5])
        #expect(input.sentences[2].tokens == ["a", "dog", "ran", "on", "the"])
        #expect(input.noTokens.isEmpty, "blank lines are skipped silently")
        let w = input.warnings
        #expect(w.count == 2 && w[0].contains("lines 4, 6") && w[1].contains("line 5") && w[1].contains("cut to 5"), "\(w)")

        #expect(try ModelInput(lines: [], name: "x", tokenizer: tokenizer, vocabulary: vocabulary, maxLength: 5).sentences.isEmpty)
    }

    @Test func readingAFileWithoutSentencesIsAnError() throws {
        try withScratchFolder { folder in
            try writeFile(Array("\n  \n".utf8), folder + "/blank.txt")
            let tokenizer = try Tokenizer(TokenizerSettings(name: .whitespace))
            #expect(throws: TextVAEError.self) {
                try ModelInput.read(folder + "/blank.txt", tokenizer: tokenizer, vocabulary: try TinyModel.vocabulary(), maxLength: 5)
            }
            #expect(throws: TextVAEError.self) {
                try ModelInput.read(folder + "/missing.txt", tokenizer: tokenizer, vocabulary: try TinyModel.vocabulary(), maxLength: 5)
            }
        }
    }

    @Test func reconstructionScoreCountsPositionsAndEOS() {
        var s = ReconstructionScore()
        s.add(input: [4, 5, 6], output: [4, 5, 6])  // 4 of 4, exact
        s.add(input: [4, 5, 6], output: [4, 7])  // 4 ✓, 5 ✗, 6 vs <eos> ✗, <eos> vs nothing ✗
        s.add(input: [4, 5], output: [4, 5, 6, 7])  // 4 ✓ 5 ✓, <eos> vs 6 ✗
        s.add(input: [9], output: [])  // 9 vs <eos> ✗, <eos> vs nothing ✗
        #expect(s.sentences == 4 && s.exact == 1)
        #expect(s.correct == 4 + 1 + 2 + 0 && s.targets == 4 + 4 + 3 + 2)
        #expect(abs(s.tokenAccuracy - 7.0 / 13) < 1e-12 && s.exactShare == 0.25)
    }
}
