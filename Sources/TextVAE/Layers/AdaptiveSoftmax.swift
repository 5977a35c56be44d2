import Foundation

/// The adaptive softmax (Grave et al. 2017, as PyTorch's `AdaptiveLogSoftmaxWithLoss` with `div_value` 4 and a head
/// bias): an output layer whose cost grows with the frequent words, not with V.
///
/// Token ids are in frequency order. The head is a softmax over the `cutoffs[0]` most frequent tokens and one
/// entry per tail cluster; tail t is a softmax over the tokens `cutoffs[t] ..< cutoffs[t + 1]` (the last up to V),
/// computed from the decoder state through a projection to d_t = H / 4^(t+1) dimensions. The probabilities are exact
/// and normalised over the whole vocabulary:
///
///     p(w | h) = p_head(w | h)                                  for w < cutoffs[0]
///     p(w | h) = p_head(tail t | h) · p_tail t(w | h)           for w in tail t
///
/// so that the NLL that training, scoring and evaluation report stays comparable with a full softmax's. In training,
/// each tail's products run only over the positions whose target lies in it: most targets are frequent words, and
/// the head is small, which is where the speed comes from.
package struct AdaptiveSoftmax: Equatable, Sendable {
    /// Tails a model may have (the tensors `ParameterTensor.tail0Projection` … are spelled out for these).
    package static let mostTails = 3

    package let vocabulary: Int
    package let hidden: Int
    package let cutoffs: [Int]

    package var tails: Int { cutoffs.count }
    /// Head outputs: the shortlist, then one per tail.
    package var headSize: Int { cutoffs[0] + tails }
    /// The tokens of tail t.
    package func range(_ t: Int) -> Range<Int> { cutoffs[t]..<(t + 1 < tails ? cutoffs[t + 1] : vocabulary) }
    /// Tail t's projection size d_t = H / 4^(t+1), at least 1 (PyTorch's `in_features // div_value ** (t + 1)`).
    package func projection(_ t: Int) -> Int { max(1, hidden >> (2 * (t + 1))) }

    /// The tail holding token `w`, or nil if the head holds it.
    @inline(__always)
    func tail(of w: Int) -> Int? {
        if w < cutoffs[0] { return nil }
        var t = 0
        while t + 1 < tails && w >= cutoffs[t + 1] { t += 1 }
        return t
    }

    /// Why `cutoffs` cannot shape an adaptive softmax over `vocabulary` tokens, or nil if they can: increasing, the
    /// first above the four specials, the last below V, at most `mostTails` of them.
    package static func problem(cutoffs: [Int], vocabulary: Int) -> String? {
        if cutoffs.isEmpty || cutoffs.count > mostTails { return "it needs 1 to \(mostTails) cutoffs, got \(cutoffs.count)" }
        if cutoffs[0] <= 4 { return "the first cutoff must be above the 4 special tokens, got \(cutoffs[0])" }
        if zip(cutoffs, cutoffs.dropFirst()).contains(where: { $0 >= $1 }) {
            return "cutoffs must increase, got \(cutoffs.map(String.init).joined(separator: ","))"
        }
        if cutoffs.last! >= vocabulary {
            return "each cutoff must be below the vocabulary's \(vocabulary) tokens, got \(cutoffs.last!)"
        }
        return nil
    }

    /// The cutoffs `train --softmax adaptive` takes when none are given: a head of 2,000 tokens (in edited text they
    /// cover about 80-85% of the running words), then clusters five times larger each, as Grave et al. chose for
    /// vocabularies of this size; nil when V is too small for a tail to pay (below 4,000).
    package static func defaultCutoffs(vocabulary V: Int) -> [Int]? {
        guard V >= 4_000 else { return nil }
        return [2_000, 10_000, 50_000].filter { $0 < V - 1_000 }.prefix(mostTails).map { $0 }
    }

    /// Reusable buffers for one workspace: the head's logits (or gradient) and, per tail, its rows and their
    /// gathered states, projections and logits, kept from the forward pass for the backward pass.
    final class Buffers {
        let head = Buffer(), headTargets = ScratchBuffer<Int32>()
        let rows = (0..<mostTails).map { _ in ScratchBuffer<Int32>() }
        let states = (0..<mostTails).map { _ in Buffer() }, projected = (0..<mostTails).map { _ in Buffer() }
        let logits = (0..<mostTails).map { _ in Buffer() }, targets = (0..<mostTails).map { _ in ScratchBuffer<Int32>() }
        let nll = Buffer(), dProjected = Buffer(), dStates = Buffer()
        /// How many rows each tail had in the last forward pass.
        var counts = [Int](repeating: 0, count: mostTails)

        var floats: [Buffer] { [head, nll, dProjected, dStates] + states + projected + logits }
        var bytesHeld: Int {
            floats.reduce(0) { $0 + $1.bytesHeld } + headTargets.bytesHeld + (rows + targets).reduce(0) { $0 + $1.bytesHeld }
        }
        func release(over bytes: Int) -> Int {
            floats.reduce(0) { $0 + $1.release(over: bytes) } + headTargets.release(over: bytes)
                + (rows + targets).reduce(0) { $0 + $1.release(over: bytes) }
        }
    }

    /// The output layer's tensors.
    struct Weights {
        let head: UnsafePointer<Float>, headBias: UnsafePointer<Float>
        let projections: [UnsafePointer<Float>], words: [UnsafePointer<Float>]

        init(_ p: ParameterPointers, tails: Int) {
            head = p[.outputWeight]
            headBias = p[.outputBias]
            projections = (0..<tails).map { p[ParameterTensor.tailProjection($0)] }
            words = (0..<tails).map { p[ParameterTensor.tailWeight($0)] }
        }
    }

    /// Each row's NLL of its target into `nll`; with a `gradientScale`, the buffers keep d(scale · Σ nll) / d logits
    /// of the head and of each tail for `backward`.
    func forward(
        states: UnsafePointer<Float>, rows N: Int, targets: UnsafePointer<Int32>, _ w: Weights,
        nll: UnsafeMutablePointer<Float>, gradientScale: Float?, buffers b: Buffers, threads: Int
    ) {
        let H = hidden, S = headSize
        let head = b.head.reserve(N * S), headTargets = b.headTargets.reserve(N)
        Linear.forward(states, rows: N, input: H, output: S, weight: w.head, bias: w.headBias, into: head, threads: threads)
        // Sort the rows into the head and the tails, in order: the same rows always in the same order.
        var counts = [Int](repeating: 0, count: tails)
        let tailRows = (0..<tails).map { b.rows[$0].reserve(N) }, tailTargets = (0..<tails).map { b.targets[$0].reserve(N) }
        for i in 0..<N {
            let target = Int(targets[i])
            if let t = tail(of: target) {
                headTargets[i] = Int32(cutoffs[0] + t)
                tailRows[t][counts[t]] = Int32(i)
                tailTargets[t][counts[t]] = Int32(target - cutoffs[t])
                counts[t] += 1
            } else {
                headTargets[i] = Int32(target)
            }
        }
        b.counts = counts + [Int](repeating: 0, count: Self.mostTails - tails)
        SoftmaxCrossEntropy.apply(
            head, rows: N, classes: S, targets: headTargets, nll: nll, gradientScale: gradientScale, threads: threads)
        for t in 0..<tails where counts[t] > 0 {
            let n = counts[t], d = projection(t), size = range(t).count
            let gathered = b.states[t].reserve(n * H), projected = b.projected[t].reserve(n * d)
            for k in 0..<n { (gathered + k * H).update(from: states + Int(tailRows[t][k]) * H, count: H) }
            BLAS.gemm(
                transposeB: true, m: n, n: d, k: H, gathered, lda: H, w.projections[t], ldb: H, beta: 0, projected, ldc: d,
                threads: threads)
            let logits = b.logits[t].reserve(n * size), tailNLL = b.nll.reserve(n)
            BLAS.gemm(
                transposeB: true, m: n, n: size, k: d, projected, lda: d, w.words[t], ldb: d, beta: 0, logits, ldc: size,
                threads: threads)
            SoftmaxCrossEntropy.apply(
                logits, rows: n, classes: size, targets: tailTargets[t], nll: tailNLL, gradientScale: gradientScale,
                threads: threads)
            for k in 0..<n { nll[Int(tailRows[t][k])] += tailNLL[k] }
        }
    }

    /// From the gradients `forward` left in the buffers: adds d loss / d weights into the tensors' gradients (unless
    /// `weights` is false) and writes d loss / d states (N, H) into `dStates`.
    func backward(
        states: UnsafePointer<Float>, rows N: Int, _ w: Weights, gradient g: Weights.Gradient?,
        dStates: UnsafeMutablePointer<Float>, buffers b: Buffers, threads: Int
    ) {
        let H = hidden, S = headSize, dHead = b.head.pointer
        if let g {
            BLAS.gemm(
                transposeA: true, m: S, n: H, k: N, dHead, lda: S, states, ldb: H, beta: 1, g.head, ldc: H, threads: threads)
            addColumnSums(dHead, rows: N, columns: S, into: g.headBias)
        }
        BLAS.gemm(m: N, n: H, k: S, dHead, lda: S, w.head, ldb: H, beta: 0, dStates, ldc: H, threads: threads)
        for t in 0..<tails where b.counts[t] > 0 {
            let n = b.counts[t], d = projection(t), size = range(t).count
            let dLogits = b.logits[t].pointer, projected = b.projected[t].pointer, gathered = b.states[t].pointer
            let dProjected = b.dProjected.reserve(n * d), dGathered = b.dStates.reserve(n * H)
            if let g {
                BLAS.gemm(
                    transposeA: true, m: size, n: d, k: n, dLogits, lda: size, projected, ldb: d, beta: 1, g.words[t], ldc: d,
                    threads: threads)
            }
            BLAS.gemm(m: n, n: d, k: size, dLogits, lda: size, w.words[t], ldb: d, beta: 0, dProjected, ldc: d, threads: threads)
            if let g {
                BLAS.gemm(
                    transposeA: true, m: d, n: H, k: n, dProjected, lda: d, gathered, ldb: H, beta: 1, g.projections[t], ldc: H,
                    threads: threads)
            }
            BLAS.gemm(m: n, n: H, k: d, dProjected, lda: d, w.projections[t], ldb: H, beta: 0, dGathered, ldc: H, threads: threads)
            let rows = b.rows[t].pointer
            for k in 0..<n {
                let into = dStates + Int(rows[k]) * H, from = dGathered + k * H
                for j in 0..<H { into[j] += from[j] }
            }
        }
    }

    /// log p(w | h) of every token for each of `rows` states (R, V), as decoding needs them: the head's
    /// log-softmax, and each tail's log-softmax plus its entry's log-probability in the head.
    func logProbabilities(
        states: UnsafePointer<Float>, rows R: Int, _ w: Weights, into out: UnsafeMutablePointer<Float>, buffers b: Buffers,
        threads: Int
    ) {
        let (H, S, V, c0) = (hidden, headSize, vocabulary, cutoffs[0])
        let head = b.head.reserve(R * S)
        Linear.forward(states, rows: R, input: H, output: S, weight: w.head, bias: w.headBias, into: head, threads: threads)
        let scratch = b.nll.reserve(max(S, vocabulary))
        for r in 0..<R { Self.logSoftmax(head + r * S, count: S, scratch: scratch) }
        for t in 0..<tails {
            let d = projection(t), tokens = range(t), projected = b.projected[t].reserve(R * d)
            BLAS.gemm(
                transposeB: true, m: R, n: d, k: H, states, lda: H, w.projections[t], ldb: H, beta: 0, projected, ldc: d,
                threads: threads)
            BLAS.gemm(
                transposeB: true, m: R, n: tokens.count, k: d, projected, lda: d, w.words[t], ldb: d, beta: 0,
                out + tokens.lowerBound, ldc: V, threads: threads)
            for r in 0..<R {
                let row = out + r * V + tokens.lowerBound
                Self.logSoftmax(row, count: tokens.count, scratch: scratch)
                let entry = head[r * S + c0 + t]
                for j in 0..<tokens.count { row[j] += entry }
            }
        }
        for r in 0..<R { (out + r * V).update(from: head + r * S, count: c0) }
    }

    /// ℓ − logsumexp(ℓ) in place, with the exponentials written to `scratch` (the loss's own `expSum`).
    @inline(__always)
    static func logSoftmax(_ l: UnsafeMutablePointer<Float>, count: Int, scratch: UnsafeMutablePointer<Float>) {
        let (m, sum) = SoftmaxCrossEntropy.expSum(l, classes: count, into: scratch)
        let lse = m + log(sum)
        for j in 0..<count { l[j] -= lse }
    }
}

extension AdaptiveSoftmax.Weights {
    /// Where the output layer's gradients are added.
    struct Gradient {
        let head: UnsafeMutablePointer<Float>, headBias: UnsafeMutablePointer<Float>
        let projections: [UnsafeMutablePointer<Float>], words: [UnsafeMutablePointer<Float>]

        init(_ g: GradientPointers, tails: Int) {
            head = g[.outputWeight]
            headBias = g[.outputBias]
            projections = (0..<tails).map { g[ParameterTensor.tailProjection($0)] }
            words = (0..<tails).map { g[ParameterTensor.tailWeight($0)] }
        }
    }
}
