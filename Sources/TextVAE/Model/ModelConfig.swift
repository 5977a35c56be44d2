/// The sizes and options that fix a model's shape; stored in the model file's `config`.
package struct ModelConfig: Codable, Equatable, Sendable {
    /// V: vocabulary size, specials included.
    package var vocabulary: Int
    /// E: word embedding size (300, as Bowman et al.).
    package var embedding: Int = 300
    /// H: the recurrent networks' state size.
    package var hidden: Int = 256
    /// The encoder's and decoder's recurrent cell (a GRU, as Bowman et al., or an LSTM).
    package var cell = RecurrentCell.gru
    /// Z: latent size (16 keeps KL small enough to train without collapse tricks beyond annealing).
    package var latent: Int = 16
    /// Feed z to the decoder at every step, as `[embedding; z]`.
    package var latentToInputs = false
    /// Longest sentence, in tokens, for training and decoding.
    package var maxLength = 60
    /// K: classes of the discrete latent c beside z (0: none, Bowman et al.'s model). See `ClassLatent`.
    package var classes = 0
    /// The output layer: empty, a softmax over all V tokens; else an adaptive softmax (`AdaptiveSoftmax`) whose
    /// head predicts the tokens below the first cutoff and one entry per tail cluster, each tail the tokens from
    /// its cutoff to the next (the last to V). Token ids are in frequency order, so the head holds the frequent ones.
    package var softmaxCutoffs: [Int] = []
    /// The output layer's W_o is the embedding matrix (Press and Wolf 2017; Inan et al. 2017): one V × E table
    /// for the words read and the words predicted, so E = H and no adaptive softmax. Fewer weights to fit, which
    /// helps where the corpus is small for the model.
    package var tiedEmbeddings = false
    /// The encoder reads each sentence both ways: a second recurrent network reads it from its last word to its first,
    /// and q(z|x) is computed from both last states side by side, [h→; h←] (2H), as PyTorch's bidirectional GRU's
    /// `h_n[0]` and `h_n[1]`. Each word's code then sees the sentence's end as well as its start.
    package var bidirectional = false

    enum CodingKeys: String, CodingKey {
        case vocabulary, embedding, hidden, latent, latentToInputs = "latent_to_inputs", maxLength = "max_length", classes
        case softmaxCutoffs = "adaptive_softmax_cutoffs", cell, tiedEmbeddings = "tied_embeddings", bidirectional
    }

    /// `classes`, the cutoffs, the cell, the tying and the encoder's direction are written only when they differ from
    /// Bowman et al.'s model (none, none, a GRU, untied, one way), so that such a model has the same file as before them.
    package func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(vocabulary, forKey: .vocabulary)
        try c.encode(embedding, forKey: .embedding)
        try c.encode(hidden, forKey: .hidden)
        try c.encode(latent, forKey: .latent)
        try c.encode(latentToInputs, forKey: .latentToInputs)
        try c.encode(maxLength, forKey: .maxLength)
        if classes > 0 { try c.encode(classes, forKey: .classes) }
        if !softmaxCutoffs.isEmpty { try c.encode(softmaxCutoffs, forKey: .softmaxCutoffs) }
        if cell != .gru { try c.encode(cell, forKey: .cell) }
        if tiedEmbeddings { try c.encode(true, forKey: .tiedEmbeddings) }
        if bidirectional { try c.encode(true, forKey: .bidirectional) }
    }

    /// Missing keys take their defaults; `vocabulary` may be left out, since
    /// the model file's `vocab` list fixes it (other writers, such as the
    /// PyTorch reference, omit it).
    package init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vocabulary = try c.decodeIfPresent(Int.self, forKey: .vocabulary) ?? 0
        embedding = try c.decodeIfPresent(Int.self, forKey: .embedding) ?? embedding
        hidden = try c.decodeIfPresent(Int.self, forKey: .hidden) ?? hidden
        latent = try c.decodeIfPresent(Int.self, forKey: .latent) ?? latent
        latentToInputs = try c.decodeIfPresent(Bool.self, forKey: .latentToInputs) ?? latentToInputs
        maxLength = try c.decodeIfPresent(Int.self, forKey: .maxLength) ?? maxLength
        classes = try c.decodeIfPresent(Int.self, forKey: .classes) ?? 0
        softmaxCutoffs = try c.decodeIfPresent([Int].self, forKey: .softmaxCutoffs) ?? []
        if let name = try c.decodeIfPresent(String.self, forKey: .cell) {
            guard let known = RecurrentCell(rawValue: name) else {
                let cells = RecurrentCell.allCases.map(\.rawValue).joined(separator: ", ")
                throw DecodingError.dataCorruptedError(
                    forKey: .cell, in: c, debugDescription: "its cell '\(name)' is none of those textvae computes (\(cells))")
            }
            cell = known
        }
        tiedEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .tiedEmbeddings) ?? false
        bidirectional = try c.decodeIfPresent(Bool.self, forKey: .bidirectional) ?? false
    }

    /// Sizes not given keep the defaults written on the properties above.
    package init(
        vocabulary: Int, embedding: Int? = nil, hidden: Int? = nil, latent: Int? = nil,
        latentToInputs: Bool? = nil, maxLength: Int? = nil, classes: Int? = nil, softmaxCutoffs: [Int]? = nil,
        cell: RecurrentCell? = nil, tiedEmbeddings: Bool? = nil, bidirectional: Bool? = nil
    ) {
        self.vocabulary = vocabulary
        if let embedding { self.embedding = embedding }
        if let hidden { self.hidden = hidden }
        if let latent { self.latent = latent }
        if let latentToInputs { self.latentToInputs = latentToInputs }
        if let maxLength { self.maxLength = maxLength }
        if let classes { self.classes = classes }
        if let softmaxCutoffs { self.softmaxCutoffs = softmaxCutoffs }
        if let cell { self.cell = cell }
        if let tiedEmbeddings { self.tiedEmbeddings = tiedEmbeddings }
        if let bidirectional { self.bidirectional = bidirectional }
    }

    /// The default sizes (Bowman et al.'s E 300, a 256-state GRU, Z 16, sentences up to 60 tokens), with no vocabulary yet.
    package static var defaults: ModelConfig { ModelConfig(vocabulary: 0) }

    /// Width of what q(z|x) and q(c|x) read: the encoder's last state, H, or both directions' side by side, 2H.
    package var encoderStates: Int { bidirectional ? 2 * hidden : hidden }

    /// Width of the code the decoder starts from: [z; c], Z + K.
    package var code: Int { latent + classes }

    /// Width of a decoder input row: E, or E + Z + K with latent-to-inputs.
    package var decoderInput: Int { embedding + (latentToInputs ? code : 0) }

    /// The adaptive softmax's shape, or nil for the full softmax.
    package var adaptiveSoftmax: AdaptiveSoftmax? {
        softmaxCutoffs.isEmpty ? nil : AdaptiveSoftmax(vocabulary: vocabulary, hidden: hidden, cutoffs: softmaxCutoffs)
    }

    /// Why tied embeddings cannot be in this model, or nil when they can (or are not asked for).
    package var tyingProblem: String? {
        guard tiedEmbeddings else { return nil }
        if embedding != hidden { return "tied embeddings need the embedding size E (\(embedding)) equal to H (\(hidden))" }
        if !softmaxCutoffs.isEmpty { return "tied embeddings need the full softmax (an adaptive one has no V × H layer to tie)" }
        return nil
    }

    /// Rows of the output layer's W_o: V, or the adaptive softmax's head.
    package var outputRows: Int { adaptiveSoftmax?.headSize ?? vocabulary }
}
