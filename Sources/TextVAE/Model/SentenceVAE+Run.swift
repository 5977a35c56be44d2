extension SentenceVAE {
    /// The loss and per-sentence figures of a batch (forward pass only).
    /// - Parameter classes: in a model with classes, each sentence's label or how its c is chosen (nil: the most
    ///   likely class of q(c|x)).
    package func run(
        _ batch: Batch, latent: LatentChoice, classes: ClassChoice? = nil, loss settings: LossSettings = LossSettings(),
        workspace: Workspace
    ) -> BatchResult {
        withTensors { p in
            forward(batch, latent: latent, classes: classes, settings: settings, p, training: false, ws: workspace).result()
        }
    }

    /// The loss of a batch, with d loss / d parameters added into `gradient` (`layout.total` values).
    package func run(
        _ batch: Batch, latent: LatentChoice, classes: ClassChoice? = nil, loss settings: LossSettings = LossSettings(),
        accumulatingGradientInto gradient: inout [Float], workspace: Workspace
    ) -> BatchResult {
        precondition(gradient.count == layout.total, "the gradient must have one value per parameter")
        return gradient.withUnsafeMutableBufferPointer { g in
            run(batch, latent: latent, classes: classes, loss: settings, gradient: g.baseAddress!, workspace: workspace)
        }
    }

    /// As above, for callers that hold the gradient as raw memory (tests, the trainer's inner loop).
    func run(
        _ batch: Batch, latent: LatentChoice, classes: ClassChoice? = nil, loss settings: LossSettings = LossSettings(),
        gradient: UnsafeMutablePointer<Float>?, workspace ws: Workspace
    ) -> BatchResult {
        withTensors { p in
            let pass = forward(batch, latent: latent, classes: classes, settings: settings, p, training: gradient != nil, ws: ws)
            if let gradient { backward(pass, p, GradientPointers(base: gradient, layout: layout), ws: ws) }
            return pass.result()
        }
    }
}
