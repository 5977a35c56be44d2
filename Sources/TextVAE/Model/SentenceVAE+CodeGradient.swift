extension SentenceVAE {
    /// −log p(x | z) of each sentence for a given z (with, in a model with classes, the given class of each), and
    /// its gradient with respect to z: the decoder's forward and backward passes alone, as test-time refinement
    /// of a code needs them (`TrainedModel.refine`).
    /// - Parameters:
    ///   - z: one code per sentence, (B, Z), in the caller's order.
    ///   - classes: in a model with classes, each sentence's class (c is its one-hot vector); ignored without.
    ///   - scratch: `layout.total` floats that take the parameters' gradients, which are not wanted here (the
    ///     backward pass writes them on its way to z); never read, so they need not be cleared.
    /// - Returns: per sentence, in the caller's order, its summed NLL (tokens + `<eos>`) and d NLL / d z (B, Z).
    package func codeGradient(
        _ batch: Batch, z: [Float], classes: [Int]?, scratch: UnsafeMutablePointer<Float>, workspace ws: Workspace
    ) -> (nll: [Float], dz: [Float]) {
        let (B, Z, C) = (batch.count, config.latent, config.code)
        precondition(z.count == B * Z, "z must be B×Z")
        let labels = classes.map { $0.map(Optional.some) } ?? [Int?](repeating: nil, count: B)
        let choice = config.classes > 0 ? ClassChoice(labels: labels, unlabelled: .mostLikely) : nil
        return withTensors { p in
            // The encoder runs too (forward builds the whole pass), but z is the one given, so nothing flows to it;
            // the output layer's weight gradient, the largest product of the backward pass, is skipped.
            let pass = forward(batch, latent: .given(z), classes: choice, settings: LossSettings(), p, training: true, ws: ws)
            let g = GradientPointers(base: scratch, layout: layout)
            let dCode = decoderBackward(pass, dOut: outputBackward(pass, p, g, weights: false, ws: ws), p, g, ws: ws)
            // The training pass's gradient is of the mean over the batch: B times it is each sentence's own.
            var dz = [Float](repeating: 0, count: B * Z)
            for (row, s) in batch.order.enumerated() {
                for j in 0..<Z { dz[s * Z + j] = Float(B) * dCode[row * C + j] }
            }
            let nll = batch.rowSums(pass.nll).withUnsafeBufferPointer { batch.inCallerOrder($0.baseAddress!, width: 1) }
            return (nll, dz)
        }
    }
}
