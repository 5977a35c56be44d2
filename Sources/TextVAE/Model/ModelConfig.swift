/// The sizes and options that fix a model's shape; stored in the model file's `config`.
public struct ModelConfig: Codable, Equatable, Sendable {
    /// V: vocabulary size, specials included.
    public var vocabulary: Int
    /// E: word embedding size (300, as Bowman et al.).
    public var embedding: Int = 300
    /// H: GRU state size.
    public var hidden: Int = 256
    /// Z: latent size (16 keeps KL small enough to train without collapse tricks beyond annealing).
    public var latent: Int = 16
    /// Feed z to the decoder at every step, as `[embedding; z]`.
    public var latentToInputs = false
    /// Longest sentence, in tokens, for training and decoding.
    public var maxLength = 60

    enum CodingKeys: String, CodingKey {
        case vocabulary, embedding, hidden, latent, latentToInputs = "latent_to_inputs", maxLength = "max_length"
    }

    /// Missing keys take their defaults; `vocabulary` may be left out, since
    /// the model file's `vocab` list fixes it (other writers, such as the
    /// PyTorch reference, omit it).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vocabulary = try c.decodeIfPresent(Int.self, forKey: .vocabulary) ?? 0
        embedding = try c.decodeIfPresent(Int.self, forKey: .embedding) ?? embedding
        hidden = try c.decodeIfPresent(Int.self, forKey: .hidden) ?? hidden
        latent = try c.decodeIfPresent(Int.self, forKey: .latent) ?? latent
        latentToInputs = try c.decodeIfPresent(Bool.self, forKey: .latentToInputs) ?? latentToInputs
        maxLength = try c.decodeIfPresent(Int.self, forKey: .maxLength) ?? maxLength
    }

    /// Sizes not given keep the defaults written on the properties above.
    public init(vocabulary: Int, embedding: Int? = nil, hidden: Int? = nil, latent: Int? = nil,
                latentToInputs: Bool? = nil, maxLength: Int? = nil) {
        self.vocabulary = vocabulary
        if let embedding { self.embedding = embedding }
        if let hidden { self.hidden = hidden }
        if let latent { self.latent = latent }
        if let latentToInputs { self.latentToInputs = latentToInputs }
        if let maxLength { self.maxLength = maxLength }
    }

    /// The default sizes (Bowman et al.'s E 300, a 256-state GRU, Z 16, sentences up to 60 tokens), with no vocabulary yet.
    public static var defaults: ModelConfig { ModelConfig(vocabulary: 0) }

    /// Width of a decoder input row: E, or E + Z with latent-to-inputs.
    public var decoderInput: Int { embedding + (latentToInputs ? latent : 0) }
}
