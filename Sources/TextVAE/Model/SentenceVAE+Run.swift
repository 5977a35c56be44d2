/// Adds this share's `BatchSums` to the other shares' (data-parallel training: an all-reduce over the ranks).
package typealias BatchSumsReduction = (BatchSums) throws -> BatchSums

extension SentenceVAE {
    /// The loss and per-sentence figures of a batch (forward pass only).
    /// - Parameter classes: in a model with classes, each sentence's label or how its c is chosen (nil: the most
    ///   likely class of q(c|x)).
    /// - Parameter reduce: when `settings` say the batch is a share of a larger one and the loss needs the whole
    ///   batch's sums, how to add them up (called once, after the forward pass; its error propagates).
    package func run(
        _ batch: Batch, latent: LatentChoice, classes: ClassChoice? = nil, loss settings: LossSettings = LossSettings(),
        workspace: Workspace, reduce: BatchSumsReduction? = nil
    ) rethrows -> BatchResult {
        try run(batch, latent: latent, classes: classes, loss: settings, gradient: nil, workspace: workspace, reduce: reduce)
    }

    /// The loss of a batch, with d loss / d parameters added into `gradient` (`layout.total` values).
    package func run(
        _ batch: Batch, latent: LatentChoice, classes: ClassChoice? = nil, loss settings: LossSettings = LossSettings(),
        accumulatingGradientInto gradient: inout [Float], workspace: Workspace, reduce: BatchSumsReduction? = nil
    ) rethrows -> BatchResult {
        precondition(gradient.count == layout.total, "the gradient must have one value per parameter")
        return try gradient.withUnsafeMutableBufferPointer { g in
            try run(batch, latent: latent, classes: classes, loss: settings, gradient: g.baseAddress!, workspace: workspace, reduce: reduce)
        }
    }

    /// As above, for callers that hold the gradient as raw memory (tests, the trainer's inner loop). The phases:
    /// forward, the whole batch's sums (`reduce`, only if the loss needs them), the loss settled from them, backward.
    func run(
        _ batch: Batch, latent: LatentChoice, classes: ClassChoice? = nil, loss settings: LossSettings = LossSettings(),
        gradient: UnsafeMutablePointer<Float>?, workspace ws: Workspace, reduce: BatchSumsReduction? = nil
    ) rethrows -> BatchResult {
        try withTensors { p in
            var pass = forward(batch, latent: latent, classes: classes, settings: settings, p, training: gradient != nil, ws: ws)
            if settings.needsWholeBatchSums(classes: config.classes) {
                guard let reduce else { preconditionFailure("a share of a batch needs `reduce` for its free bits or class capacity") }
                pass.settle(try reduce(pass.sums))
            }
            if let gradient { backward(pass, p, GradientPointers(base: gradient, layout: layout), ws: ws) }
            return pass.result()
        }
    }
}
