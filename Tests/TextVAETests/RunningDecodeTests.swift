import Foundation
import Testing

@testable import TextVAE

/// Iteration-level batching (`SentenceVAE.decodeRunning`): rows that join a running batch at later steps, and
/// rows that leave it early, do not change the other rows' sentences: each row gets what `decode` gives it alone.
@Suite struct RunningDecodeTests {
    @Test(
        arguments: [DecodingOptions(), DecodingOptions(method: .sample(Sampling(temperature: 1.5, topK: 6)))], RecurrentCell.allCases)
    func rowsThatJoinLaterGetTheSentencesTheyGetAlone(options: DecodingOptions, cell: RecurrentCell) throws {
        try loadBLAS()
        let model = TinyModel.make(biases: [Vocabulary.eos: -0.5], cell: cell)
        let n = 10
        let z = TinyModel.prior(n), seeds = SentenceVAE.rowSeeds(7, rows: 0..<n)
        func code(_ r: Int) -> [Float] { Array(z[r * 4..<(r + 1) * 4]) }
        // Rows 0-2 start; 3-5 join before step 2; 6-9 one at a time from step 4 (an empty batch is refilled too).
        let joinAt = [0, 0, 0, 2, 2, 2, 4, 5, 6, 9]
        var step = 0, runningSeen: [Int] = []
        var out = [Hypothesis?](repeating: nil, count: n)
        model.decodeRunning(
            options: options, workspace: DecoderWorkspace(threads: 1),
            admit: { running in
                defer { step += 1 }
                runningSeen.append(running)
                return (0..<n).filter { joinAt[$0] == step }.map { DecodingRow(code: code($0), seed: seeds[$0], tag: $0) }
            },
            finished: { tag, sentence in
                #expect(out[tag] == nil, "row \(tag) finished twice")
                out[tag] = sentence
            })
        #expect(step > 9, "admit is asked before every step until the last row joined")
        #expect(runningSeen.contains { $0 > 3 }, "rows that joined later ran beside earlier ones: \(runningSeen)")
        for r in 0..<n {
            let alone = model.decode(code(r), options: options, rowSeeds: [seeds[r]])[0][0]
            #expect(out[r]?.tokens == alone.tokens, "row \(r)")
            #expect(abs((out[r]?.logProbability ?? 0) - alone.logProbability) <= 1e-5 * abs(alone.logProbability) + 1e-6)
        }
    }

    @Test(arguments: RecurrentCell.allCases)
    func rowsNoLongerWantedLeaveAndTheOthersGoOn(cell: RecurrentCell) throws {
        try loadBLAS()
        let model = TinyModel.make(biases: [Vocabulary.eos: -2], cell: cell)
        let n = 6
        let z = TinyModel.prior(n), seeds = SentenceVAE.rowSeeds(3, rows: 0..<n)
        let options = DecodingOptions(method: .sample(Sampling(temperature: 1.2)))
        var admitted = false, steps = 0
        var out: [Int: Hypothesis] = [:]
        model.decodeRunning(
            options: options, workspace: DecoderWorkspace(threads: 1),
            admit: { _ in
                steps += 1
                if admitted { return [] }
                admitted = true
                return (0..<n).map { DecodingRow(code: Array(z[$0 * 4..<($0 + 1) * 4]), seed: seeds[$0], tag: $0) }
            },
            keep: { tag in tag % 2 == 0 || steps < 2 },  // the odd rows give up after their second step
            finished: { out[$0] = $1 })
        #expect(Set(out.keys).isSuperset(of: [0, 2, 4]))
        // A row that left was never finished, unless it ended (<eos>) within its two steps: at most one word.
        for r in [1, 3, 5] { #expect(out[r] == nil || out[r]!.tokens.count <= 1, "row \(r) left after its second step") }
        #expect([1, 3, 5].contains { out[$0] == nil }, "rows left before their sentences ended")
        for r in [0, 2, 4] {
            let alone = model.decode(Array(z[r * 4..<(r + 1) * 4]), options: options, rowSeeds: [seeds[r]])[0][0]
            #expect(out[r]?.tokens == alone.tokens, "row \(r)")
        }
    }
}
