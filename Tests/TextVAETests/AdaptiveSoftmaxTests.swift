import Foundation
import Testing

@testable import TextVAE

/// `train --softmax adaptive`: the adaptive softmax's probabilities against the same distribution computed over the
/// whole vocabulary, and the option from training to sampling. Its gradients are checked with every other tensor's
/// in `GradientCheckTests`.
@Suite struct AdaptiveSoftmaxTests {
    /// V 23 with a head of 7 tokens and tails 7..<15 and 15..<23, H 8 (projections of 2 and 1).
    static let layer = AdaptiveSoftmax(vocabulary: 23, hidden: 8, cutoffs: [7, 15])

    /// The reference: p(w | h) for every w in Double, from the definition (head softmax, times the tail's softmax).
    static func naiveLogProbabilities(_ h: [Float], weights p: [Float], layout: ParameterLayout) -> [Double] {
        let a = layer, H = a.hidden
        func tensor(_ t: ParameterTensor) -> ArraySlice<Float> { p[layout.range(t)] }
        func logSoftmax(_ x: [Double]) -> [Double] {
            let m = x.max()!, lse = m + log(x.reduce(0) { $0 + exp($1 - m) })
            return x.map { $0 - lse }
        }
        func product(_ w: ArraySlice<Float>, rows: Int, input: [Double]) -> [Double] {
            (0..<rows).map { r in (0..<input.count).reduce(0.0) { $0 + Double(w[w.startIndex + r * input.count + $1]) * input[$1] } }
        }
        let hd = h.map(Double.init)
        let bias = tensor(.outputBias)
        let head = logSoftmax(zip(product(tensor(.outputWeight), rows: a.headSize, input: hd), bias).map { $0 + Double($1) })
        var out = Array(head[0..<a.cutoffs[0]])
        for t in 0..<a.tails {
            let projected = product(tensor(ParameterTensor.tailProjection(t)), rows: a.projection(t), input: hd)
            let tail = logSoftmax(product(tensor(ParameterTensor.tailWeight(t)), rows: a.range(t).count, input: projected))
            out += tail.map { $0 + head[a.cutoffs[0] + t] }
        }
        #expect(out.count == a.vocabulary && H == h.count)
        return out
    }

    @Test func probabilitiesAreTheWholeVocabularysDistributionAndTheLossIsItsNLL() throws {
        try loadBLAS()
        let config = ModelConfig(vocabulary: 23, embedding: 4, hidden: 8, latent: 2, softmaxCutoffs: [7, 15])
        #expect(config.adaptiveSoftmax == Self.layer && config.outputRows == 9)
        let model = SentenceVAE(config: config, seed: 3)
        // Each tensor has PyTorch's shape for `AdaptiveLogSoftmaxWithLoss(8, 23, [7, 15], div_value=4.0, head_bias=True)`.
        #expect(ParameterTensor.tail0Projection.shape(config) == [2, 8] && ParameterTensor.tail0Weight.shape(config) == [8, 2])
        #expect(ParameterTensor.tail1Projection.shape(config) == [1, 8] && ParameterTensor.tail1Weight.shape(config) == [8, 1])
        #expect(!ParameterTensor.tail2Projection.exists(config) && model.layout.counts[ParameterTensor.tail2Weight.rawValue] == 0)
        var rng = Random(seed: 9)
        let R = 4, H = 8, V = 23
        let states = randomArray(R * H, &rng).map { $0 * 3 }
        let targets: [Int32] = [2, 9, 22, 15]  // the head, the first tail, the last token, the second tail's first
        let buffers = AdaptiveSoftmax.Buffers()
        var logProbabilities = [Float](repeating: 0, count: R * V), nll = [Float](repeating: 0, count: R)
        model.withTensors { p in
            let w = AdaptiveSoftmax.Weights(p, tails: 2)
            Self.layer.logProbabilities(states: states, rows: R, w, into: &logProbabilities, buffers: buffers, threads: 1)
            Self.layer.forward(
                states: states, rows: R, targets: targets, w, nll: &nll, gradientScale: nil, buffers: buffers, threads: 1)
        }
        for r in 0..<R {
            let reference = Self.naiveLogProbabilities(Array(states[r * H..<(r + 1) * H]), weights: model.parameters, layout: model.layout)
            #expect(abs(reference.reduce(0) { $0 + exp($1) } - 1) < 1e-9, "a distribution over all V tokens")
            for w in 0..<V {
                #expect(abs(Double(logProbabilities[r * V + w]) - reference[w]) < 1e-5, "row \(r) token \(w)")
            }
            #expect(abs(Double(nll[r]) + reference[Int(targets[r])]) < 1e-5, "row \(r): NLL \(nll[r])")
        }
    }

    @Test func cutoffsAreCheckedAndChosenFromTheVocabulary() throws {
        #expect(AdaptiveSoftmax.problem(cutoffs: [7, 15], vocabulary: 23) == nil)
        for bad in [[], [4], [10, 8], [7, 23], [5, 6, 7, 8]] {
            #expect(AdaptiveSoftmax.problem(cutoffs: bad, vocabulary: 23) != nil, "\(bad)")
        }
        #expect(AdaptiveSoftmax.defaultCutoffs(vocabulary: 3_999) == nil)
        #expect(AdaptiveSoftmax.defaultCutoffs(vocabulary: 9_744) == [2_000])
        #expect(AdaptiveSoftmax.defaultCutoffs(vocabulary: 20_004) == [2_000, 10_000])
        #expect(AdaptiveSoftmax.defaultCutoffs(vocabulary: 100_000) == [2_000, 10_000, 50_000])
        #expect(throws: TextVAEError.self) { try SoftmaxRequest.adaptive(cutoffs: nil).cutoffs(vocabulary: 500) }
        #expect(try SoftmaxRequest.adaptive(cutoffs: [10, 20]).cutoffs(vocabulary: 500) == [10, 20])
        #expect(try SoftmaxRequest.full.cutoffs(vocabulary: 500) == [])
    }

    /// Trained from the command line: the file keeps the cutoffs (and reads back), evaluate, sampling and beam search
    /// run on it, samples repeat for a seed, and a resumed run cannot change the output layer.
    @Test func anAdaptiveModelTrainsEvaluatesSamplesAndKeepsItsOutputLayerOnResume() throws {
        let folder = try grammarTrainingFolder(count: 400, seed: 5, valid: 30).folder
        let sizes = ["--embedding", "16", "--hidden", "16", "--latent", "4", "--batch-size", "16", "--threads", "1", "--quiet"]
        let trained = try TextVAEProgram.run(
            ["train", "t.txt", "--softmax", "adaptive", "--softmax-cutoffs", "12,30", "--epochs", "2", "-o", "a.safetensors"] + sizes,
            in: folder)
        #expect(trained.status == 0, "\(trained)")
        let file = try ModelFile.load(folder + "/a.safetensors")
        #expect(file.model.config.softmaxCutoffs == [12, 30] && file.model.config.outputRows == 14)
        #expect(file.vocabulary.count > 30, "the grammar corpus's vocabulary reaches the second tail")

        let evaluated = try TextVAEProgram.run(["evaluate", "-m", "a.safetensors", "v.txt", "--json", "-k", "5"], in: folder)
        #expect(evaluated.status == 0, "\(evaluated)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(evaluated.stdout.utf8)) as? [String: Any])
        let nll = report["nll"] as? Double ?? .nan
        #expect(nll > 0 && nll.isFinite, "\(report)")

        let sample = ["sample", "-m", "a.safetensors", "-n", "4", "--decoder", "sample", "--seed", "2"]
        let sampled = try TextVAEProgram.run(sample, in: folder), again = try TextVAEProgram.run(sample, in: folder)
        #expect(sampled.status == 0 && sampled.stdout.filter { $0 == "\n" }.count == 4 && again.stdout == sampled.stdout, "\(sampled)")
        let beam = try TextVAEProgram.run(["sample", "-m", "a.safetensors", "-n", "2", "--decoder", "beam", "--seed", "1"], in: folder)
        #expect(beam.status == 0 && beam.stdout.filter { $0 == "\n" }.count == 2, "\(beam)")
        // Refinement's gradient runs through the adaptive softmax too.
        let refined = try TextVAEProgram.run(["reconstruct", "-m", "a.safetensors", "v.txt", "--refine", "3", "--stats"], in: folder)
        #expect(refined.status == 0 && refined.stdout.filter { $0 == "\n" }.count == 30, "\(refined)")

        for (flags, message) in [
            (["--softmax", "full"], "--softmax full (the run has adaptive)"),
            (["--softmax", "adaptive", "--softmax-cutoffs", "12,25"], "--softmax-cutoffs 12,25 (the run has 12,30)"),
        ] {
            let refused = try TextVAEProgram.run(["train", "--resume", "a.checkpoint.safetensors"] + flags, in: folder)
            #expect(refused.failedCleanly && refused.stderr.contains(message), "\(flags): \(refused)")
        }
        for (flags, message) in [
            (["--softmax-cutoffs", "12"], "add --softmax adaptive"),
            (["--softmax", "adaptive", "--softmax-cutoffs", "12,x"], "token ids separated by commas"),
            (["--softmax", "adaptive", "--softmax-cutoffs", "30,12"], "cutoffs must increase"),
            (["--softmax", "adaptive", "--softmax-cutoffs", "12,5000"], "below the vocabulary's"),
            (["--softmax", "adaptive"], "pays only from about 4,000"),
        ] {
            let refused = try TextVAEProgram.run(["train", "t.txt", "-o", "x.safetensors"] + flags + sizes, in: folder)
            #expect(refused.failedCleanly && refused.stderr.contains(message), "\(flags): \(refused)")
            #expect(!FileManager.default.fileExists(atPath: folder + "/x.safetensors"))
        }
    }
}
