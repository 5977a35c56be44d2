/// How many epochs a run plans when none are asked for (`--epochs auto`, the default): about as many
/// updates as the Penn Treebank's 10 epochs make (929 updates each), within 3 to 12 epochs. A small corpus
/// gets the 12: it overfits after about as many passes over its sentences as a large one does (a file of
/// 5,000 Penn Treebank lines: validation reconstruction stops falling after 5 epochs), so more epochs
/// would not help it, while fewer would leave too few updates at the final β. A very large corpus gets
/// at least 3 passes. Patience, counted once β is at its final value, ends a run that overfits sooner;
/// `--time-limit` bounds it in minutes.
package enum RunLength {
    /// The updates an automatic run aims at.
    package static let targetUpdates = 9_000
    /// The fewest and most epochs an automatic run plans (pretraining epochs come on top).
    package static let epochRange = 3...12

    /// The epochs of VAE training (after any pretraining) for `batchesPerEpoch` updates an epoch.
    package static func epochs(batchesPerEpoch: Int) -> Int {
        let wanted = (targetUpdates + max(1, batchesPerEpoch) - 1) / max(1, batchesPerEpoch)
        return min(epochRange.upperBound, max(epochRange.lowerBound, wanted))
    }
}
