import Testing

@testable import TextVAE

/// Analytic gradients against central finite differences, on tiny sizes.
/// In float32, with a step of 1e-2, differences carry about 1e-4 of noise;
/// tolerances are set well above that and far below any real mistake.
@Suite struct GradientCheckTests {
    /// Central difference of `f` with respect to x[i]; x is restored.
    static func numeric(_ x: inout [Float], _ i: Int, h: Float = 1e-2, _ f: ([Float]) -> Double) -> Float {
        let saved = x[i]
        x[i] = saved + h; let up = f(x)
        x[i] = saved - h; let down = f(x)
        x[i] = saved
        return Float((up - down) / (2 * Double(h)))
    }

    /// Probes at most `limit` coordinates spread over the array.
    static func probes(_ count: Int, limit: Int = 24) -> [Int] {
        count <= limit ? Array(0..<count) : (0..<limit).map { $0 * count / limit }
    }

    static func close(_ analytic: Float, _ numeric: Float) -> Bool {
        abs(analytic - numeric) <= 2e-3 + 1e-2 * max(abs(analytic), abs(numeric))
    }

    /// Each cell, with inputs one row per position, or shared: positions 0, 3 and 7 read row 0, and so on,
    /// as repeated words do (their x gradient is the sum over the positions).
    @Test(arguments: RecurrentCell.allCases, [nil, [0, 1, 2, 0, 3, 1, 4, 0] as [Int32]])
    func rnnBackwardMatchesFiniteDifferences(_ cell: RecurrentCell, _ slots: [Int32]?) throws {
        try loadBLAS()
        var rng = Random(seed: 7)
        let (D, H) = (3, 4)
        let (G, S) = (cell.gateBlocks * H, cell.savedBlocks * H)
        let seq = PackedSequences(lengths: [3, 2, 2, 1])
        let N = seq.total, B = seq.rows, U = slots.map { Int($0.max()!) + 1 } ?? N
        var wih = randomArray(G * D, &rng), whh = randomArray(G * H, &rng)
        var bih = randomArray(G, &rng), bhh = randomArray(G, &rng)
        var x = randomArray(U * D, &rng), h0 = randomArray(B * H, &rng)
        let weights = randomArray(N * H, &rng)  // loss = Σ weights ⊙ outputs

        func run(
            _ wih: [Float], _ whh: [Float], _ bih: [Float], _ bhh: [Float], _ x: [Float], _ h0: [Float],
            backward: Bool
        ) -> (loss: Double, grads: [[Float]]) {
            let bufs = (Buffer(U * G), Buffer(N * H), Buffer(N * S), Buffer(N * H), Buffer(B * G))
            let cache = RNN.Cache(gi: bufs.0.pointer, hPrev: bufs.1.pointer, gates: bufs.2.pointer, out: bufs.3.pointer, gh: bufs.4.pointer)
            let slotBuffer = ScratchBuffer<Int32>(N)
            if let slots { slotBuffer.pointer.update(from: slots, count: N) }
            return wih.withUnsafeBufferPointer { wih in
                whh.withUnsafeBufferPointer { whh in
                    bih.withUnsafeBufferPointer { bih in
                        bhh.withUnsafeBufferPointer { bhh in
                            x.withUnsafeBufferPointer { x in
                                let rnn = RNN(
                                    input: D, hidden: H, weightIH: wih.baseAddress!, weightHH: whh.baseAddress!,
                                    biasIH: bih.baseAddress!, biasHH: bhh.baseAddress!, cell: cell)
                                let inputs = RNNInputs(
                                    x: x.baseAddress!, rows: U, slots: slots == nil ? nil : UnsafePointer(slotBuffer.pointer))
                                rnn.forward(inputs, h0: h0, seq, cache)
                                let out = bufs.3.array(N * H)
                                let loss = zip(out, weights).reduce(0.0) { $0 + Double($1.0 * $1.1) }
                                guard backward else { return (loss, []) }
                                var dOut = weights
                                var dX = [Float](repeating: 0, count: U * D), dh0 = [Float](repeating: 0, count: B * H)
                                var dWih = [Float](repeating: 0, count: G * D), dWhh = [Float](repeating: 0, count: G * H)
                                var dBih = [Float](repeating: 0, count: G), dBhh = dBih
                                let dGi = Buffer(N * G), dGh = Buffer(N * G), dGiRows = Buffer(U * G), dMemory = Buffer(N * H)
                                rnn.backward(
                                    inputs, seq, cache, dOut: &dOut, dX: &dX, dh0: &dh0, dGi: dGi.pointer, dGh: dGh.pointer,
                                    dGiRows: dGiRows.pointer, dMemory: dMemory.pointer, dWeightIH: &dWih, dWeightHH: &dWhh,
                                    dBiasIH: &dBih, dBiasHH: &dBhh)
                                return (loss, [dWih, dWhh, dBih, dBhh, dX, dh0])
                            }
                        }
                    }
                }
            }
        }
        let grads = run(wih, whh, bih, bhh, x, h0, backward: true).grads
        let names = ["weight_ih", "weight_hh", "bias_ih", "bias_hh", "x", "h0"]
        for (k, name) in names.enumerated() {
            for i in Self.probes(grads[k].count) {
                let n: Float
                switch k {
                case 0: n = Self.numeric(&wih, i) { run($0, whh, bih, bhh, x, h0, backward: false).loss }
                case 1: n = Self.numeric(&whh, i) { run(wih, $0, bih, bhh, x, h0, backward: false).loss }
                case 2: n = Self.numeric(&bih, i) { run(wih, whh, $0, bhh, x, h0, backward: false).loss }
                case 3: n = Self.numeric(&bhh, i) { run(wih, whh, bih, $0, x, h0, backward: false).loss }
                case 4: n = Self.numeric(&x, i) { run(wih, whh, bih, bhh, $0, h0, backward: false).loss }
                default: n = Self.numeric(&h0, i) { run(wih, whh, bih, bhh, x, $0, backward: false).loss }
                }
                #expect(Self.close(grads[k][i], n), "\(cell.displayName) d/d\(name)[\(i)]: analytic \(grads[k][i]) numeric \(n)")
            }
        }
    }

    /// A discriminator with weights large enough that every path carries gradient.
    static func discriminator(latent: Int) -> LatentDiscriminator {
        var d = LatentDiscriminator(latent: latent, seed: 4)
        for i in d.parameters.indices { d.parameters[i] *= 2 }
        return d
    }

    /// The adversarial prior's two losses: the discriminator's against its parameters, the encoder's against z.
    @Test func discriminatorGradientsMatchFiniteDifferences() {
        var rng = Random(seed: 21)
        let (Z, rows, meanOver) = (3, 4, 6)
        let d = Self.discriminator(latent: Z)
        let prior = randomArray(rows * Z, &rng, scale: 1.5)
        var posterior = randomArray(rows * Z, &rng, scale: 1.5)
        var gradient = [Float](repeating: 0, count: d.parameters.count)
        _ = d.loss(prior: prior, posterior: posterior, rows: rows, meanOver: meanOver, gradient: &gradient)
        var parameters = d.parameters
        func loss(_ p: [Float]) -> Double {
            var unused = [Float](repeating: 0, count: p.count)
            return Double(
                LatentDiscriminator(latent: Z, parameters: p).loss(
                    prior: prior, posterior: posterior, rows: rows, meanOver: meanOver, gradient: &unused))
        }
        for i in Self.probes(parameters.count, limit: 40) {
            let n = Self.numeric(&parameters, i, loss)
            #expect(Self.close(gradient[i], n), "discriminator parameter \(i): analytic \(gradient[i]) numeric \(n)")
        }
        var dz = [Float](repeating: 0, count: rows * Z)
        _ = d.encoderTerm(posterior, rows: rows, meanOver: meanOver, scale: 0.7, dz: &dz)
        func term(_ z: [Float]) -> Double {
            Double(d.encoderTerm(z, rows: rows, meanOver: meanOver, scale: 0, dz: nil).reduce(0, +) * 0.7 / Float(meanOver))
        }
        for i in posterior.indices {
            let n = Self.numeric(&posterior, i, term)
            #expect(Self.close(dz[i], n), "dz[\(i)]: analytic \(dz[i]) numeric \(n)")
        }
    }

    @Test func softmaxCrossEntropyGradientMatchesFiniteDifferences() {
        var rng = Random(seed: 3)
        let (rows, V) = (3, 6)
        var logits = randomArray(rows * V, &rng, scale: 3)
        let targets: [Int32] = [0, 5, 2]
        func loss(_ l: [Float]) -> Double {
            var l = l, nll = [Float](repeating: 0, count: rows)
            l.withUnsafeMutableBufferPointer {
                SoftmaxCrossEntropy.apply(
                    $0.baseAddress!, rows: rows, classes: V, targets: targets, nll: &nll, gradientScale: nil, threads: 2)
            }
            return nll.reduce(0.0) { $0 + Double($1) } / 3
        }
        var grad = logits, nll = [Float](repeating: 0, count: rows)
        grad.withUnsafeMutableBufferPointer {
            SoftmaxCrossEntropy.apply(
                $0.baseAddress!, rows: rows, classes: V, targets: targets, nll: &nll, gradientScale: 1.0 / 3, threads: 2)
        }
        for i in logits.indices {
            let n = Self.numeric(&logits, i, loss)
            #expect(Self.close(grad[i], n), "d/dlogit[\(i)]: analytic \(grad[i]) numeric \(n)")
        }
    }

    struct ModelCase: CustomTestStringConvertible {
        var latentToInputs: Bool
        var freeBits: Float
        var latent: String  // "sample" or "mean"
        /// Decoder dropout (embedding, output), its masks held fixed.
        var dropout: (Float, Float) = (0, 0)
        /// Classes: K, each sentence's label (nil: c from the Gumbel-softmax, its noise held fixed), and the class
        /// KL's capacity C (with γ = 1.5).
        var classes = 0
        var labels: [Int?] = [nil, nil, nil, nil]
        var capacity: Float = 0
        /// Z; 0 is the language-model baseline (`train --baseline lm`).
        var latentSize = 2
        /// Noise on the encoder's input (words dropped, shuffled: the encoder's rows sorted anew), held fixed.
        var inputNoise: InputNoise?
        /// An adaptive softmax's cutoffs (V is 9: a head of 5, tails 5..<7 and 7..<9), or none.
        var softmaxCutoffs: [Int] = []
        var cell = RecurrentCell.gru
        /// An adversarial prior in place of the KL term (a fixed discriminator).
        var adversary = false
        /// The output layer tied to the embedding (E = H = 3).
        var tied = false
        /// A bidirectional encoder: q(z|x) (and q(c|x)) read [h→; h←].
        var bidirectional = false
        var testDescription: String {
            "Z \(latentSize), latentToInputs \(latentToInputs), freeBits \(freeBits), z = \(latent), dropout \(dropout.0) \(dropout.1)"
                + (inputNoise.map { ", input noise \($0)" } ?? "")
                + (softmaxCutoffs.isEmpty ? "" : ", adaptive softmax \(softmaxCutoffs)") + (cell == .gru ? "" : ", \(cell.displayName)")
                + (adversary ? ", adversarial prior" : "") + (tied ? ", tied embeddings" : "")
                + (bidirectional ? ", bidirectional encoder" : "")
                + (classes > 0 ? ", K \(classes), labels \(labels.map { $0.map(String.init) ?? "-" }), C \(capacity)" : "")
        }
    }

    @Test(arguments: [
        ModelCase(latentToInputs: false, freeBits: 0, latent: "sample"),
        ModelCase(latentToInputs: true, freeBits: 0, latent: "sample"),
        ModelCase(latentToInputs: false, freeBits: 0.3, latent: "sample"),
        ModelCase(latentToInputs: true, freeBits: 0, latent: "mean"),
        ModelCase(latentToInputs: false, freeBits: 0, latent: "sample", dropout: (0.4, 0.3)),
        ModelCase(latentToInputs: true, freeBits: 0, latent: "sample", dropout: (0.4, 0.3)),
        ModelCase(latentToInputs: false, freeBits: 0, latent: "sample", dropout: (0, 0.3)),
        // Conditional (every label given), semi-supervised (M2), and unsupervised with a capacity (JointVAE).
        ModelCase(latentToInputs: false, freeBits: 0, latent: "sample", classes: 3, labels: [1, 0, 2, 1]),
        ModelCase(latentToInputs: false, freeBits: 0.3, latent: "sample", classes: 3, labels: [0, nil, 2, nil]),
        ModelCase(latentToInputs: true, freeBits: 0, latent: "sample", classes: 3, labels: [nil, nil, nil, nil], capacity: 0.05),
        ModelCase(latentToInputs: true, freeBits: 0, latent: "mean", classes: 3, labels: [nil, 2, nil, nil]),
        // No latent at all: the language-model baseline, its empty tensors and empty products included.
        ModelCase(latentToInputs: false, freeBits: 0.3, latent: "sample", dropout: (0.4, 0.3), latentSize: 0),
        // A denoising encoder: its rows no longer in the decoder's order.
        ModelCase(latentToInputs: true, freeBits: 0, latent: "sample", inputNoise: InputNoise(drop: 0.4, substitute: 0.2, shuffle: 2)),
        // An adaptive softmax, its head and both tails reached by the batch's targets, with and without output dropout.
        ModelCase(latentToInputs: false, freeBits: 0, latent: "sample", softmaxCutoffs: [5, 7]),
        ModelCase(latentToInputs: true, freeBits: 0, latent: "sample", dropout: (0.4, 0.3), softmaxCutoffs: [5, 7]),
        // LSTM encoder and decoder: h0 from z, z beside each input, dropout, classes.
        ModelCase(latentToInputs: false, freeBits: 0, latent: "sample", cell: .lstm),
        ModelCase(latentToInputs: true, freeBits: 0.3, latent: "sample", dropout: (0.4, 0.3), cell: .lstm),
        ModelCase(latentToInputs: false, freeBits: 0, latent: "sample", classes: 3, labels: [0, nil, 2, nil], cell: .lstm),
        // An adversarial prior: its gradient reaches μ and log σ² through z.
        ModelCase(latentToInputs: false, freeBits: 0, latent: "sample", adversary: true),
        ModelCase(latentToInputs: true, freeBits: 0, latent: "mean", classes: 3, labels: [1, nil, 0, nil], adversary: true),
        // Tied embeddings: the embedding's gradient gathers the output layer's, the encoder's and the decoder's.
        ModelCase(latentToInputs: false, freeBits: 0, latent: "sample", tied: true),
        ModelCase(latentToInputs: true, freeBits: 0, latent: "sample", dropout: (0.4, 0.3), cell: .lstm, tied: true),
        // A bidirectional encoder: both directions' weights, and the embedding through both; with classes, input noise
        // (the encoder's rows sorted anew) and an LSTM.
        ModelCase(latentToInputs: false, freeBits: 0.3, latent: "sample", bidirectional: true),
        ModelCase(
            latentToInputs: false, freeBits: 0, latent: "sample", classes: 3, labels: [0, nil, 2, nil],
            inputNoise: InputNoise(drop: 0.4, substitute: 0.2, shuffle: 2), cell: .lstm, bidirectional: true),
    ])
    func fullLossGradientMatchesFiniteDifferencesForEveryTensor(_ c: ModelCase) throws {
        try loadBLAS()
        let E = c.tied ? 3 : 4
        let config = ModelConfig(
            vocabulary: 9, embedding: E, hidden: 3, latent: c.latentSize, latentToInputs: c.latentToInputs,
            classes: c.classes, softmaxCutoffs: c.softmaxCutoffs, cell: c.cell, tiedEmbeddings: c.tied, bidirectional: c.bidirectional)
        var model = SentenceVAE(config: config, seed: 11)
        var rng = Random(seed: 5)
        // Weights a little larger than PyTorch's init, so every path carries gradient.
        for i in model.parameters.indices where i >= model.layout.range(.embedding).upperBound {
            model.parameters[i] *= 1.5
        }
        var batch = Batch([[4, 5, 6, 7], [8, 4], [5, 5, 1], [6]])
        var generators = (0..<4).map { SentenceNoise.generator(seed: 5, epoch: 0, sentence: $0) }
        batch.applyWordDropout(0.3, &generators)
        batch.applyDecoderDropout(embedding: c.dropout.0, output: c.dropout.1, embeddingWidth: E, hidden: 3, &generators)
        if let noise = c.inputNoise {
            batch.applyInputNoise(noise, vocabulary: 9, &generators)
            let clean = Batch(batch.sentences)
            #expect(batch.encoder.total < clean.encoder.total && batch.encoderLast != clean.encoderLast, "words dropped, rows moved")
        }
        #expect((batch.decoderInputMask != nil) == (c.dropout.0 > 0) && (batch.decoderOutputMask != nil) == (c.dropout.1 > 0))
        let eps = randomArray(4 * c.latentSize, &rng)
        let latent: LatentChoice = c.latent == "mean" ? .mean : .sample(eps)
        var settings = LossSettings(beta: 0.7, freeBits: c.freeBits, labelWeight: 0.8, classWeight: 1.5, classCapacity: c.capacity)
        if c.adversary { settings.adversary = Self.discriminator(latent: c.latentSize) }
        let classes =
            c.classes == 0
            ? nil
            : ClassChoice(
                labels: c.labels,
                unlabelled: .relaxed(
                    gumbel: (0..<4).flatMap { _ in ClassChoice.gumbel(c.classes, &rng) },
                    temperature: 0.7))
        let ws = Workspace()
        var gradient = [Float](repeating: 0, count: model.layout.total)
        let result = gradient.withUnsafeMutableBufferPointer {
            model.run(batch, latent: latent, classes: classes, loss: settings, gradient: $0.baseAddress!, workspace: ws)
        }
        if c.classes > 0 {
            // Every class term is present: the checks below cover each.
            #expect(zip(c.labels, result.labelNLL).allSatisfy { $0 == nil ? $1 == 0 : $1 > 0 })
            #expect(zip(c.labels, result.classKL).allSatisfy { $0 == nil ? $1 > 0 : $1 == 0 })
        }
        var parameters = model.parameters
        func loss(_ p: [Float]) -> Double {
            Double(
                SentenceVAE(config: config, parameters: p).run(batch, latent: latent, classes: classes, loss: settings, workspace: ws).loss)
        }
        for t in ParameterTensor.allCases {
            for i in Self.probes(model.layout.counts[t.rawValue], limit: 12).map({ $0 + model.layout.offsets[t.rawValue] }) {
                let n = Self.numeric(&parameters, i, loss)
                #expect(
                    Self.close(gradient[i], n), "\(t.name)[\(i - model.layout.offsets[t.rawValue])]: analytic \(gradient[i]) numeric \(n)")
            }
        }
    }

    /// A tied model is the untied one whose output layer holds a copy of the embedding: the same loss, and the
    /// tied embedding's gradient is the untied embedding's plus the untied output layer's, to rounding.
    @Test func aTiedModelIsTheUntiedOneWithTheEmbeddingCopied() throws {
        try loadBLAS()
        let tiedConfig = ModelConfig(vocabulary: 9, embedding: 3, hidden: 3, latent: 2, tiedEmbeddings: true)
        var untiedConfig = tiedConfig
        untiedConfig.tiedEmbeddings = false
        let tied = SentenceVAE(config: tiedConfig, seed: 13)
        #expect(tied.layout.total + 9 * 3 == ParameterLayout(untiedConfig).total, "W_o takes no room of its own")
        // The untied parameters: the tied ones with the embedding copied into W_o.
        let untiedLayout = ParameterLayout(untiedConfig)
        var untiedParameters = [Float](repeating: .nan, count: untiedLayout.total)
        for t in ParameterTensor.allCases where t != .outputWeight {
            untiedParameters.replaceSubrange(untiedLayout.range(t), with: tied.parameters[tied.layout.range(t)])
        }
        untiedParameters.replaceSubrange(untiedLayout.range(.outputWeight), with: tied.parameters[tied.layout.range(.embedding)])
        let untied = SentenceVAE(config: untiedConfig, parameters: untiedParameters)
        let batch = Batch([[4, 5, 6, 7], [8, 4], [5, 5, 1], [6]])
        var rng = Random(seed: 8)
        let latent = LatentChoice.sample(randomArray(4 * 2, &rng))
        let settings = LossSettings(beta: 0.7, freeBits: 0, labelWeight: 0, classWeight: 0, classCapacity: 0)
        var gTied = [Float](repeating: 0, count: tied.layout.total), gUntied = [Float](repeating: 0, count: untiedLayout.total)
        let a = gTied.withUnsafeMutableBufferPointer {
            tied.run(batch, latent: latent, classes: nil, loss: settings, gradient: $0.baseAddress!, workspace: Workspace())
        }
        let b = gUntied.withUnsafeMutableBufferPointer {
            untied.run(batch, latent: latent, classes: nil, loss: settings, gradient: $0.baseAddress!, workspace: Workspace())
        }
        #expect(abs(a.loss - b.loss) <= 1e-5 * abs(b.loss), "loss \(a.loss) vs \(b.loss)")
        let embedding = tied.layout.range(.embedding), output = untiedLayout.range(.outputWeight)
        for (i, j) in zip(embedding, output) {
            let sum = gUntied[untiedLayout.range(.embedding).lowerBound + i - embedding.lowerBound] + gUntied[j]
            #expect(abs(gTied[i] - sum) <= 1e-5 * max(1, abs(sum)), "embedding[\(i)]: tied \(gTied[i]), untied sum \(sum)")
        }
        for t in ParameterTensor.allCases where t != .outputWeight && t != .embedding {
            for (i, j) in zip(tied.layout.range(t), untiedLayout.range(t)) {
                #expect(abs(gTied[i] - gUntied[j]) <= 1e-5 * max(1, abs(gUntied[j])), "\(t.name): \(gTied[i]) vs \(gUntied[j])")
            }
        }
    }

    /// d NLL / d z for test-time refinement: each sentence's own NLL against its own z, with z at h0 only, beside
    /// every input (`latentToInputs`), with a class fixed beside it, through an adaptive softmax, and an LSTM's.
    @Test(arguments: [
        (false, 0, [], RecurrentCell.gru), (true, 0, [], .gru), (true, 3, [], .gru), (false, 0, [5, 7], .gru),
        (false, 0, [], .lstm), (true, 0, [], .lstm),
    ])
    func codeGradientMatchesFiniteDifferences(latentToInputs: Bool, classes: Int, softmaxCutoffs: [Int], cell: RecurrentCell) throws {
        try loadBLAS()
        let config = ModelConfig(
            vocabulary: 9, embedding: 4, hidden: 3, latent: 2, latentToInputs: latentToInputs, classes: classes,
            softmaxCutoffs: softmaxCutoffs, cell: cell)
        var model = SentenceVAE(config: config, seed: 12)
        for i in model.parameters.indices { model.parameters[i] *= 1.5 }
        var rng = Random(seed: 6)
        let batch = Batch([[4, 5, 6, 7], [8, 4], [5, 5, 1], [6]])
        var z = randomArray(4 * 2, &rng)
        let labels = classes == 0 ? nil : [2, 0, 1, 2]
        let ws = Workspace(), scratch = UnsafeMutablePointer<Float>.allocate(capacity: model.layout.total)
        defer { scratch.deallocate() }
        let (nll, dz) = model.codeGradient(batch, z: z, classes: labels, scratch: scratch, workspace: ws)
        // The same NLL from the decoder alone (`reconstructionNLL`), with c one-hot beside z.
        func reconstruction(_ z: [Float]) -> [Float] {
            var codes: [Float] = []
            for row in 0..<4 {
                codes += z[row * 2..<row * 2 + 2]
                for k in 0..<classes { codes.append(labels![row] == k ? 1 : 0) }
            }
            return model.reconstructionNLL(batch, code: codes, workspace: ws)
        }
        #expect(zip(nll, reconstruction(z)).allSatisfy { abs($0 - $1) < 1e-4 * abs($1) }, "NLL \(nll)")
        if classes > 0 {
            // No classes given: each sentence's most likely class under q(c|x), as if given.
            let likely = model.encode(batch.sentences, workspace: ws).mostLikelyClasses
            let given = model.codeGradient(batch, z: z, classes: likely, scratch: scratch, workspace: ws)
            let chosen = model.codeGradient(batch, z: z, classes: nil, scratch: scratch, workspace: ws)
            #expect(given.nll == chosen.nll && given.dz == chosen.dz)
        }
        for i in z.indices {
            let n = Self.numeric(&z, i) { Double(reconstruction($0)[i / 2]) }
            #expect(Self.close(dz[i], n), "dz[\(i)]: analytic \(dz[i]) numeric \(n)")
        }
    }

    @Test func batchLossIsTheMeanOfSentenceLossesAndIgnoresOrder() throws {
        try loadBLAS()
        let config = ModelConfig(vocabulary: 9, embedding: 4, hidden: 3, latent: 2)
        let model = SentenceVAE(config: config, seed: 2)
        let sentences: [[Int32]] = [[4, 5], [6, 7, 8, 4, 5], [8]]
        var rng = Random(seed: 9)
        let eps = randomArray(3 * 2, &rng)
        let ws = Workspace()
        let settings = LossSettings(beta: 0.5)
        let whole = model.run(Batch(sentences), latent: .sample(eps), loss: settings, workspace: ws)
        var singles: [Float] = []
        for (i, s) in sentences.enumerated() {
            let r = model.run(Batch([s]), latent: .sample(Array(eps[i * 2..<i * 2 + 2])), loss: settings, workspace: ws)
            singles.append(r.loss)
            #expect(abs(r.rec[0] - whole.rec[i]) <= 1e-5 * abs(r.rec[0]), "sentence \(i): rec alone \(r.rec[0]) in batch \(whole.rec[i])")
        }
        let mean = singles.reduce(0, +) / 3
        #expect(abs(whole.loss - mean) <= 1e-5 * abs(mean))
        // Reversed order: the same per-sentence numbers, permuted.
        let reversedEps = (0..<3).reversed().flatMap { Array(eps[$0 * 2..<$0 * 2 + 2]) }
        let reversed = model.run(Batch(sentences.reversed()), latent: .sample(reversedEps), loss: settings, workspace: ws)
        #expect(firstMismatch(reversed.rec.reversed(), whole.rec, rtol: 1e-5) == nil)
        #expect(abs(reversed.loss - whole.loss) <= 1e-5 * abs(whole.loss))
    }
}
