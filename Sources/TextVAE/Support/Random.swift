import Foundation

/// A small, fast generator whose whole state is four words, so a checkpoint
/// can store it and a resumed run draws exactly the numbers it would have
/// drawn (xoshiro256**, seeded through SplitMix64).
package struct Random: RandomNumberGenerator, Sendable, Equatable {
    package private(set) var state: [UInt64]

    package init(seed: UInt64) {
        var x = seed
        var s: [UInt64] = []
        for _ in 0..<4 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            s.append(z ^ (z >> 31))
        }
        state = s
    }

    package init(state: [UInt64]) {
        precondition(state.count == 4 && state.contains { $0 != 0 }, "invalid generator state")
        self.state = state
    }

    package mutating func next() -> UInt64 {
        let result = ((state[1] &* 5) << 7 | (state[1] &* 5) >> 57) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]; state[3] ^= state[1]; state[1] ^= state[2]; state[0] ^= state[3]
        state[2] ^= t
        state[3] = state[3] << 45 | state[3] >> 19
        return result
    }

    /// Uniform in [0, 1) with 24 random bits.
    package mutating func uniform() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// Standard normal (Box–Muller, one of the pair, so the state stays four words).
    package mutating func normal() -> Float {
        let u1 = (Double(next() >> 11) + 1) * 0x1p-53  // (0, 1]: log is finite
        let u2 = Double(next() >> 11) * 0x1p-53
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    package mutating func shuffle<T>(_ array: inout [T]) {
        if array.count < 2 { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = Int(next() % UInt64(i + 1))
            array.swapAt(i, j)
        }
    }
}
