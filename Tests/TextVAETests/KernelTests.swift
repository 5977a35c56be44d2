import Foundation
import Testing

@testable import TextVAE

/// Every fast kernel against its slow, obvious reference.
@Suite struct KernelTests {
    @Test func gemmMatchesNaiveForEveryTransposeAndOddSizes() throws {
        try loadBLAS()
        var rng = Random(seed: 1)
        // (1, n, k): one row, through sgemv. The last two are large enough to be split over threads: by rows, then by columns.
        for (m, n, k) in [(1, 1, 1), (3, 5, 7), (17, 33, 9), (64, 40, 300), (1, 33, 9), (1, 40, 300), (301, 50, 200), (20, 603, 200)] {
            for ta in [false, true] {
                for tb in [false, true] {
                    for beta: Float in [0, 1] {
                        let a = randomArray(m * k, &rng), b = randomArray(k * n, &rng), c0 = randomArray(m * n, &rng)
                        var fast = c0, slow = c0
                        let (lda, ldb) = (ta ? m : k, tb ? k : n)
                        fast.withUnsafeMutableBufferPointer { c in
                            BLAS.gemm(
                                transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 0.5, a, lda: lda, b, ldb: ldb,
                                beta: beta, c.baseAddress!, ldc: n, threads: Workspace.defaultThreads)
                        }
                        slow.withUnsafeMutableBufferPointer { c in
                            BLAS.naiveGemm(
                                transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 0.5, a, lda: lda, b, ldb: ldb,
                                beta: beta, c.baseAddress!, ldc: n)
                        }
                        #expect(
                            firstMismatch(fast, slow, rtol: 1e-4, atol: 1e-4) == nil, "m \(m) n \(n) k \(k) tA \(ta) tB \(tb) beta \(beta)")
                    }
                }
            }
        }
    }

    @Test func fastExpSigmoidTanhAreAccurate() {
        var worst: Double = 0
        for i in 0...20_000 {
            let x = Float(-87 + 175 * Double(i) / 20_000)
            let e = Double(VectorMath.fastExp(x)), ref = exp(Double(x))
            worst = max(worst, abs(e - ref) / ref)
            let s = Double(VectorMath.sigmoid(x)), sref = 1 / (1 + exp(-Double(x)))
            #expect(abs(s - sref) <= 1e-6 * max(sref, 1e-30) + 1e-7, "sigmoid(\(x))")
            let t = Double(VectorMath.tanh(x))
            #expect(abs(t - tanh(Double(x))) <= 2e-7, "tanh(\(x))")
        }
        #expect(worst < 5e-7, "fastExp worst relative error \(worst)")
        #expect(VectorMath.fastExp(-1000) >= 0 && VectorMath.fastExp(1000).isFinite)
    }

    @Test(arguments: [1, 7, 130])
    func softmaxCrossEntropyMatchesNaive(rows: Int) {
        var rng = Random(seed: UInt64(rows))
        let classes = 37
        let logits = randomArray(rows * classes, &rng, scale: 8)
        let targets = (0..<rows).map { _ in Int32(rng.next() % UInt64(classes)) }
        for scale: Float? in [nil, 0.25] {
            var fast = logits, slow = logits
            var nllFast = [Float](repeating: 0, count: rows), nllSlow = nllFast
            fast.withUnsafeMutableBufferPointer { l in
                SoftmaxCrossEntropy.apply(
                    l.baseAddress!, rows: rows, classes: classes, targets: targets, nll: &nllFast, gradientScale: scale,
                    threads: Workspace.defaultThreads)
            }
            slow.withUnsafeMutableBufferPointer { l in
                SoftmaxCrossEntropy.naive(
                    l.baseAddress!, rows: rows, classes: classes, targets: targets, nll: &nllSlow, gradientScale: scale)
            }
            #expect(firstMismatch(nllFast, nllSlow, rtol: 1e-5, atol: 1e-5) == nil, "nll, scale \(String(describing: scale))")
            if scale != nil {  // without a gradient the logits are scratch
                #expect(firstMismatch(fast, slow, rtol: 1e-5, atol: 1e-7) == nil, "gradient, scale \(String(describing: scale))")
            }
        }
    }

    @Test func distinctWordsKeepFirstOccurrenceOrder() {
        let d = DistinctWords([5, 3, 5, 0, 3, 3] as [Int32])
        #expect(d.words == [5, 3, 0])
        #expect(d.slots == [0, 1, 0, 2, 1, 1])
        #expect(DistinctWords([] as [Int32]).count == 0)
    }

    @Test func packedLayoutCountsActiveRows() {
        let p = PackedSequences(lengths: [4, 2, 2, 1])
        #expect(p.active == [4, 3, 1, 1])
        #expect(p.offsets == [0, 4, 7, 8, 9])
        #expect(p.lastIndices == [8, 5, 6, 3])
    }

    /// The recurrence split over threads (each takes every other row through all
    /// steps) computes each row as one thread does: outputs and every gradient
    /// agree up to rounding (products of fewer rows take other BLAS kernel paths;
    /// a row mixed up with another would differ by far more), for lengths that
    /// end at different steps in each half; for each cell.
    @Test(arguments: RecurrentCell.allCases)
    func rnnOnTwoThreadsEqualsOneThread(_ cell: RecurrentCell) throws {
        try loadBLAS()
        let c = RNNCase(input: 5, hidden: 8, lengths: (0..<21).map { 12 - $0 / 2 }, seed: 11, cell: cell)  // 12, 12, 11, 11, ..., 2
        let (H, seq, N, B) = (c.hidden, c.seq, c.seq.total, c.seq.rows)
        let (G, S) = (cell.gateBlocks * H, cell.savedBlocks * H)
        #expect(c.rnn(threads: 2).parts(rows: B) == 2)
        let one = c.run(threads: 1, packed: false), two = c.run(threads: 2, packed: false)
        // Without history (inference) each row ends with its last state, in place.
        let gi = Buffer(N * G), gates = Buffer(B * S), last = Buffer(B * H), gh = Buffer(B * G)
        let latest = c.rnn(threads: 2)
        latest.project(RNNInputs(x: c.x.pointer, rows: N, slots: nil), into: gi.pointer)
        latest.recur(
            slots: nil, h0: c.h0, seq,
            RNN.Cache(gi: gi.pointer, hPrev: gi.pointer, gates: gates.pointer, out: last.pointer, gh: gh.pointer),
            history: false)
        let expected = seq.lastIndices.flatMap { one[0][$0 * H..<($0 + 1) * H] }
        #expect(firstMismatch(last.array(B * H), expected, rtol: 1e-4, atol: 1e-6) == nil, "last states without history")
        for (k, name) in ["out", "dX", "dh0", "dW_ih", "dW_hh", "db_ih", "db_hh"].enumerated() {
            let at = firstMismatch(two[k], one[k], rtol: 1e-4, atol: 1e-6)
            #expect(at == nil, "\(name) \(at.map { (two[k][$0], one[k][$0]) } as Any)")
        }
    }

    /// The AVX2 kernels against the Swift loops they replace: rows with and without a
    /// tail of fewer than eight, logits from −60 to 60, a NaN that must stay a NaN;
    /// gates for hidden sizes with tails, written beside the state and in place.
    @Test(.enabled(if: VectorKernels.cpuHasAVX2, "this CPU has no AVX2: nothing to compare"))
    func avx2KernelsMatchTheSwiftLoops() throws {
        var rng = Random(seed: 5)
        for count in [1, 7, 8, 13, 9877] {
            let l = randomArray(count, &rng, scale: 60)
            var fast = [Float](repeating: 0, count: count), slow = fast
            let f = VectorKernels.expSumAVX2(l, count: count, into: &fast)
            let s = SoftmaxCrossEntropy.expSumSwift(l, classes: count, into: &slow)
            #expect(f.max == s.max, "max, \(count) logits")
            #expect(abs(f.sum - s.sum) <= 1e-6 * s.sum, "sum, \(count) logits: \(f.sum) vs \(s.sum)")
            #expect(firstMismatch(fast, slow, rtol: 1e-6, atol: 1e-37) == nil, "exp, \(count) logits")
        }
        var withNaN: [Float] = [1, 2, .nan, 3, 0, 0, 0, 0, 5]
        var e = withNaN
        #expect(VectorKernels.expSumAVX2(&withNaN, count: withNaN.count, into: &e).sum.isNaN)

        for H in [8, 13, 256] {
            let gi = randomArray(3 * H, &rng, scale: 4), gh = randomArray(3 * H, &rng, scale: 4), h = randomArray(H, &rng)
            var gatesFast = [Float](repeating: 0, count: 4 * H), gatesSlow = gatesFast
            var outFast = [Float](repeating: 0, count: H), outSlow = outFast
            VectorKernels.gatesAVX2(gi: gi, gh: gh, h: h, gates: &gatesFast, out: &outFast, hidden: H)
            GRUCell.forwardSwift(gi: gi, gh: gh, h: h, saved: &gatesSlow, out: &outSlow, hidden: H)
            #expect(firstMismatch(gatesFast, gatesSlow, rtol: 1e-6, atol: 1e-7) == nil, "gates, H \(H)")
            #expect(firstMismatch(outFast, outSlow, rtol: 1e-6, atol: 1e-7) == nil, "out, H \(H)")
            var state = h  // in place, as the recurrence without history updates it
            state.withUnsafeMutableBufferPointer { s in
                VectorKernels.gatesAVX2(gi: gi, gh: gh, h: s.baseAddress!, gates: &gatesFast, out: s.baseAddress!, hidden: H)
            }
            #expect(firstMismatch(state, outSlow, rtol: 1e-6, atol: 1e-7) == nil, "in place, H \(H)")
        }
    }

    /// The packed-weight product against the naive reference: row counts around the
    /// kernel's blocks of six, both orientations a GRU uses (Bᵀ forward, B backward),
    /// accumulating into C as the recurrence does.
    @Test(.enabled(if: VectorKernels.cpuHasAVX2, "this CPU has no AVX2"))
    func packedProductMatchesNaiveGemm() throws {
        var rng = Random(seed: 9)
        for (k, n) in [(16, 48), (48, 16)] {
            for transposed in [true, false] {
                let b = randomArray(k * n, &rng)  // transposed: n × k, else k × n
                var packed = [Float](repeating: 0, count: k * n)
                VectorKernels.pack(
                    b, transposed: transposed, ldb: transposed ? k : n, k: k, n: n, into: &packed, threads: Workspace.defaultThreads)
                for m in [1, 5, 6, 7, 13] {
                    let a = randomArray(m * k, &rng), c0 = randomArray(m * n, &rng)
                    var fast = c0, slow = c0
                    VectorKernels.gemmPacked(m: m, n: n, k: k, a: a, lda: k, packed: packed, c: &fast, ldc: n)
                    BLAS.naiveGemm(transposeB: transposed, m: m, n: n, k: k, a, lda: k, b, ldb: transposed ? k : n, beta: 1, &slow, ldc: n)
                    #expect(firstMismatch(fast, slow, rtol: 1e-5, atol: 1e-5) == nil, "m \(m), k \(k), n \(n), transposed \(transposed)")
                }
            }
        }
    }

    /// A recurrent network whose recurrent products use packed weights computes what the OpenBLAS
    /// path computes (that path is the one checked against finite differences), with each cell.
    @Test(
        .enabled(if: VectorKernels.canPack(columns: 16), "this CPU has no AVX2: the packed path is not used"),
        arguments: RecurrentCell.allCases)
    func rnnWithPackedWeightsEqualsTheOpenBLASPath(_ cell: RecurrentCell) throws {
        try loadBLAS()
        let c = RNNCase(input: 5, hidden: 16, lengths: (0..<19).map { 9 - $0 / 3 }, seed: 13, cell: cell)
        func run(packed: Bool) -> [[Float]] { c.run(threads: Workspace.defaultThreads, packed: packed) }
        let plain = run(packed: false), packed = run(packed: true)
        for (k, name) in ["out", "dX", "dh0", "dW_ih", "dW_hh", "db_ih", "db_hh"].enumerated() {
            #expect(firstMismatch(packed[k], plain[k], rtol: 1e-4, atol: 1e-6) == nil, "\(name)")
        }
    }
}

/// A recurrent network with random weights, inputs, h0 and output gradients, run forward and
/// backward: [out, dX, dh0, dW_ih, dW_hh, db_ih, db_hh].
struct RNNCase {
    let input: Int, hidden: Int, seq: PackedSequences, cell: RecurrentCell
    // Buffers: the network keeps pointers to its weights.
    let wih: Buffer, whh: Buffer, bih: Buffer, bhh: Buffer, x: Buffer
    let h0: [Float], dOut: [Float]

    init(input D: Int, hidden H: Int, lengths: [Int], seed: UInt64, cell: RecurrentCell = .gru) {
        var rng = Random(seed: seed)
        func buffer(_ a: [Float]) -> Buffer { let b = Buffer(a.count); b.pointer.update(from: a, count: a.count); return b }
        input = D; hidden = H; seq = PackedSequences(lengths: lengths); self.cell = cell
        let G = cell.gateBlocks * H
        wih = buffer(randomArray(G * D, &rng)); whh = buffer(randomArray(G * H, &rng))
        bih = buffer(randomArray(G, &rng)); bhh = buffer(randomArray(G, &rng))
        x = buffer(randomArray(seq.total * D, &rng)); h0 = randomArray(seq.rows * H, &rng); dOut = randomArray(seq.total * H, &rng)
    }

    func rnn(threads: Int) -> RNN {
        RNN(
            input: input, hidden: hidden, weightIH: wih.pointer, weightHH: whh.pointer, biasIH: bih.pointer, biasHH: bhh.pointer,
            threads: threads, cell: cell)
    }

    func run(threads: Int, packed: Bool) -> [[Float]] {
        let (D, H, N, B) = (input, hidden, seq.total, seq.rows)
        let (G, S) = (cell.gateBlocks * H, cell.savedBlocks * H)
        let bufs = (Buffer(N * G), Buffer(N * H), Buffer(N * S), Buffer(N * H), Buffer(B * G), Buffer(G * H))
        let cache = RNN.Cache(
            gi: bufs.0.pointer, hPrev: bufs.1.pointer, gates: bufs.2.pointer, out: bufs.3.pointer, gh: bufs.4.pointer,
            packed: packed ? bufs.5.pointer : nil)
        let rnn = rnn(threads: threads)
        let inputs = RNNInputs(x: x.pointer, rows: N, slots: nil)
        rnn.forward(inputs, h0: h0, seq, cache)
        var dOut = dOut, dX = [Float](repeating: 0, count: N * D), dh0 = [Float](repeating: 0, count: B * H)
        var dWih = [Float](repeating: 0, count: G * D), dWhh = [Float](repeating: 0, count: G * H)
        var dBih = [Float](repeating: 0, count: G), dBhh = dBih
        let dGi = Buffer(N * G), dGh = Buffer(N * G), dMemory = Buffer(N * H)
        rnn.backward(
            inputs, seq, cache, dOut: &dOut, dX: &dX, dh0: &dh0, dGi: dGi.pointer, dGh: dGh.pointer,
            dGiRows: dGi.pointer, dMemory: dMemory.pointer, dWeightIH: &dWih, dWeightHH: &dWhh, dBiasIH: &dBih, dBiasHH: &dBhh)
        return [bufs.3.array(N * H), dX, dh0, dWih, dWhh, dBih, dBhh]
    }
}
