import Foundation

extension SentenceVAE {
    /// μ and log σ² of each sentence, in the caller's order, `batchSize` sentences per encoder pass.
    ///
    /// Two things make this faster than encoding batch by batch: every distinct
    /// word of the whole list is projected through W_ih once, for all passes
    /// (a validation file of 70,000 tokens has about 6,000 distinct words); and
    /// sentences are encoded in order of length, so each pass holds sentences of
    /// about the same length, whose products keep all their rows to the last step.
    /// In a model with classes, q(c|x) too.
    package func encode(_ sentences: [[Int32]], batchSize: Int = 256, workspace ws: Workspace = Workspace()) -> Posteriors {
        let (E, H, S, Z, K) = (config.embedding, config.hidden, config.encoderStates, config.latent, config.classes)
        var out = Posteriors(
            latent: Z, mu: [Float](repeating: 0, count: sentences.count * Z),
            logv: [Float](repeating: 0, count: sentences.count * Z))
        out.classProbabilities = [Float](repeating: 0, count: sentences.count * K)
        if sentences.isEmpty { return out }
        let words = DistinctWords(sentences.joined())
        var rowOf = [Int32](repeating: -1, count: Int(words.words.max() ?? 0) + 1)  // word id -> row of the projections
        for (u, w) in words.words.enumerated() { rowOf[Int(w)] = Int32(u) }
        let projections = Buffer(words.count * config.cell.gateBlocks * H)  // (U, G·H)
        // A bidirectional encoder's reverse network projects the same words through its own W_ih.
        let reverseProjections = config.bidirectional ? Buffer(words.count * config.cell.gateBlocks * H) : nil
        let byLength = sentences.indices.sorted {
            sentences[$0].count != sentences[$1].count ? sentences[$0].count > sentences[$1].count : $0 < $1
        }
        withTensors { p in
            let rnn = encoderRNN(p, threads: ws.threads),
                backwards = reverseProjections.map { _ in reverseEncoderRNN(p, threads: ws.threads) }
            let inputs = RNNInputs.words(words, embedding: p[.embedding], width: E, x: ws.encX, slots: ws.encoderSlots)
            rnn.project(inputs, into: projections.pointer)
            if let backwards, let reverseProjections { backwards.project(inputs, into: reverseProjections.pointer) }
            for start in stride(from: 0, to: byLength.count, by: max(1, batchSize)) {
                let members = Array(byLength[start..<min(byLength.count, start + batchSize)])
                let batch = Batch(members.map { sentences[$0] })
                let enc = batch.encoder, N = enc.total
                let slots = ws.encoderSlots.reserve(N)
                for (k, id) in batch.encoderTokens.enumerated() { slots[k] = rowOf[Int(id)] }
                let B = batch.count
                // Only each sentence's latest state is kept (no history): memory per sentence, not per token.
                let cache = ws.encoder.cache(for: rnn, rows: B, inputRows: 0, batch: B, projections: projections.pointer)
                rnn.recur(slots: slots, h0: nil, enc, cache, history: false)
                var reverseStates: UnsafePointer<Float>?
                if let backwards, let reverseProjections {
                    let reversed = ws.reverseEncoderSlots.reserve(N)
                    enc.reversedWithinRows(slots, into: reversed)
                    let reverseCache = ws.reverseEncoder.cache(
                        for: backwards, rows: B, inputRows: 0, batch: B, projections: reverseProjections.pointer)
                    backwards.recur(slots: reversed, h0: nil, enc, reverseCache, history: false)
                    reverseStates = UnsafePointer(reverseCache.out)
                }
                let (hT, mu, logv) = posterior(rows: B, last: Array(0..<B), states: cache.out, reverseStates: reverseStates, p, ws: ws)
                for (row, k) in batch.order.enumerated() {
                    let s = members[k]
                    for j in 0..<Z { out.mu[s * Z + j] = mu[row * Z + j]; out.logv[s * Z + j] = logv[row * Z + j] }
                }
                if K > 0 {
                    let logits = ws.classLogits.reserve(B * K)
                    Linear.forward(hT, rows: B, input: S, output: K, weight: p[.classWeight], bias: p[.classBias], into: logits, threads: 1)
                    for (row, k) in batch.order.enumerated() {
                        out.classProbabilities.withUnsafeMutableBufferPointer {
                            _ = ClassLatent.softmax(logits + row * K, count: K, into: $0.baseAddress! + members[k] * K)
                        }
                    }
                }
            }
        }
        return out
    }
}
