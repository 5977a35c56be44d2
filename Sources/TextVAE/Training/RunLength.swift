/// How many epochs a run plans when none are asked for (`--epochs auto`, the default).
///
/// A VAE aims at about as many updates as the Penn Treebank's 10 epochs make (929 updates each), within 3 to 12
/// epochs. A small corpus gets the 12: it overfits after about as many passes over its sentences as a large one
/// does (a file of 5,000 Penn Treebank lines: validation reconstruction stops falling after 5 epochs), so more
/// epochs would not help it, while fewer would leave too few updates at the final β. A very large corpus gets at
/// least 3 passes. Patience, counted once β is at its final value, ends a run that overfits sooner; `--time-limit`
/// bounds it in minutes.
///
/// An autoencoder (an adversarial prior in place of the KL term) is there to give its sentences back, which it
/// learns over many more passes: it aims at 24,000 updates within 3 to 30 epochs. Measured: WordNet's examples
/// gave back half of their training sentences after 16 epochs of 1,432 updates, the Penn Treebank's after 24
/// epochs of 929 (at 12: 14%); 5,091 of WordNet's lines gave back 3.8% of theirs planned as a VAE (12 epochs, early
/// stopping after 9 kept the 6th) and 82.1% planned in 30 (27 run, the 24th kept).
package struct RunLength: Sendable {
    /// The updates an automatic run aims at.
    package let targetUpdates: Int
    /// The fewest and most epochs an automatic run plans (pretraining epochs come on top).
    package let epochRange: ClosedRange<Int>

    package static let vae = RunLength(targetUpdates: 9_000, epochRange: 3...12)
    package static let autoencoder = RunLength(targetUpdates: 24_000, epochRange: 3...30)

    /// The length for a run that keeps its codes near the prior with `regulariser`.
    package static func planned(for regulariser: LatentRegulariser) -> RunLength {
        regulariser == .adversarial ? .autoencoder : .vae
    }

    /// The epochs of training (after any pretraining) for `batchesPerEpoch` updates an epoch.
    package func epochs(batchesPerEpoch: Int) -> Int {
        let wanted = (targetUpdates + max(1, batchesPerEpoch) - 1) / max(1, batchesPerEpoch)
        return min(epochRange.upperBound, max(epochRange.lowerBound, wanted))
    }
}
