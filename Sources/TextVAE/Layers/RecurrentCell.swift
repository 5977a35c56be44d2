/// The recurrent cell of a model's encoder and decoder (`train --cell`), with PyTorch's weight layout for each:
/// W_ih (G·H, D), W_hh (G·H, H) and both biases (G·H), G gate blocks one after the other.
package enum RecurrentCell: String, Codable, CaseIterable, Sendable {
    /// Cho et al.'s gated recurrent unit (`GRUCell`): blocks r, z, n; the state is h alone. Bowman et al.'s choice.
    case gru
    /// Hochreiter and Schmidhuber's long short-term memory (`LSTMCell`): blocks i, f, g, o; the state is h and a
    /// memory c, which starts at zero (the decoder's h0 still comes from z). Li et al. 2019's record uses it.
    case lstm

    /// G: the gate blocks of its weights (3 or 4).
    package var gateBlocks: Int {
        switch self {
        case .gru: 3
        case .lstm: 4
        }
    }

    /// What the forward pass keeps of each position for the backward pass, in multiples of H: the GRU's r, u, n
    /// and W_hn h + b_hn; the LSTM's i, f, g, o, c and tanh c.
    var savedBlocks: Int {
        switch self {
        case .gru: 4
        case .lstm: 6
        }
    }

    /// The name in help texts, model cards and start-up lines.
    package var displayName: String { rawValue.uppercased() }
}
