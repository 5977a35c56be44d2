/// The random numbers of one training sentence in one epoch — its ε and its word-dropout draws — from a
/// generator keyed by (seed, epoch, sentence): a counter-based scheme, in which a number depends on what it is
/// for rather than on how many were drawn before it. So a run gives the same model whether its batches are
/// computed by one process or split between several ranks, in any order, and a resumed run needs no
/// generator state to continue: the key says where it is.
package enum SentenceNoise {
    /// The generator for `sentence` (its index in the training set) in `epoch` (counted from 0).
    package static func generator(seed: UInt64, epoch: Int, sentence: Int) -> Random {
        Random(seed: mix(mix(mix(seed ^ 0x5EED_0F_5E47_E11C) &+ UInt64(epoch)) &+ UInt64(sentence)))
    }

    /// SplitMix64's finaliser: a bijection of 64-bit words whose every output bit depends on every input bit,
    /// so neighbouring keys give unrelated generators.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
