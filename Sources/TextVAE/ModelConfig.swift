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

    public init(vocabulary: Int, embedding: Int = 300, hidden: Int = 256, latent: Int = 16,
                latentToInputs: Bool = false, maxLength: Int = 60) {
        self.vocabulary = vocabulary
        self.embedding = embedding
        self.hidden = hidden
        self.latent = latent
        self.latentToInputs = latentToInputs
        self.maxLength = maxLength
    }

    /// Width of a decoder input row: E, or E + Z with latent-to-inputs.
    public var decoderInput: Int { embedding + (latentToInputs ? latent : 0) }
}

/// The model's tensors, in SPEC.md's order, as named views into one flat
/// block of floats: the optimiser is one loop and a model file is one write.
public enum ParameterTensor: Int, CaseIterable, Sendable {
    case embedding
    case encoderWeightIH, encoderWeightHH, encoderBiasIH, encoderBiasHH
    case meanWeight, meanBias, logvWeight, logvBias
    case latentWeight, latentBias
    case decoderWeightIH, decoderWeightHH, decoderBiasIH, decoderBiasHH
    case outputWeight, outputBias

    /// The PyTorch `state_dict` name, as in the model file.
    public var name: String {
        switch self {
        case .embedding: "embedding.weight"
        case .encoderWeightIH: "encoder_rnn.weight_ih_l0"
        case .encoderWeightHH: "encoder_rnn.weight_hh_l0"
        case .encoderBiasIH: "encoder_rnn.bias_ih_l0"
        case .encoderBiasHH: "encoder_rnn.bias_hh_l0"
        case .meanWeight: "hidden2mean.weight"
        case .meanBias: "hidden2mean.bias"
        case .logvWeight: "hidden2logv.weight"
        case .logvBias: "hidden2logv.bias"
        case .latentWeight: "latent2hidden.weight"
        case .latentBias: "latent2hidden.bias"
        case .decoderWeightIH: "decoder_rnn.weight_ih_l0"
        case .decoderWeightHH: "decoder_rnn.weight_hh_l0"
        case .decoderBiasIH: "decoder_rnn.bias_ih_l0"
        case .decoderBiasHH: "decoder_rnn.bias_hh_l0"
        case .outputWeight: "outputs2vocab.weight"
        case .outputBias: "outputs2vocab.bias"
        }
    }

    public func shape(_ c: ModelConfig) -> [Int] {
        let (V, E, H, Z) = (c.vocabulary, c.embedding, c.hidden, c.latent)
        switch self {
        case .embedding: return [V, E]
        case .encoderWeightIH: return [3 * H, E]
        case .encoderWeightHH, .decoderWeightHH: return [3 * H, H]
        case .encoderBiasIH, .encoderBiasHH, .decoderBiasIH, .decoderBiasHH: return [3 * H]
        case .meanWeight, .logvWeight: return [Z, H]
        case .meanBias, .logvBias: return [Z]
        case .latentWeight: return [H, Z]
        case .latentBias: return [H]
        case .decoderWeightIH: return [3 * H, c.decoderInput]
        case .outputWeight: return [V, H]
        case .outputBias: return [V]
        }
    }

    /// fan_in for PyTorch's default initialisation bound 1/√fan_in (GRUs use H).
    func initBound(_ c: ModelConfig) -> Float? {
        switch self {
        case .embedding: return nil  // N(0, 1)
        case .encoderWeightIH, .encoderWeightHH, .encoderBiasIH, .encoderBiasHH,
             .decoderWeightIH, .decoderWeightHH, .decoderBiasIH, .decoderBiasHH,
             .meanWeight, .meanBias, .logvWeight, .logvBias, .outputWeight, .outputBias:
            return 1 / Float(c.hidden).squareRoot()
        case .latentWeight, .latentBias: return 1 / Float(c.latent).squareRoot()
        }
    }
}

/// Where each tensor lives in the flat parameter block.
public struct ParameterLayout: Equatable, Sendable {
    public let config: ModelConfig
    public let offsets: [Int]
    public let counts: [Int]
    public let total: Int

    public init(_ config: ModelConfig) {
        self.config = config
        var offsets: [Int] = [], counts: [Int] = [], total = 0
        for t in ParameterTensor.allCases {
            let n = t.shape(config).reduce(1, *)
            offsets.append(total); counts.append(n); total += n
        }
        self.offsets = offsets
        self.counts = counts
        self.total = total
    }

    public func range(_ t: ParameterTensor) -> Range<Int> { offsets[t.rawValue]..<offsets[t.rawValue] + counts[t.rawValue] }

    /// PyTorch's default initialisation: embeddings N(0, 1), every other tensor U(±1/√fan_in).
    public func initialParameters(seed: UInt64) -> [Float] {
        var rng = Random(seed: seed)
        var p = [Float](repeating: 0, count: total)
        for t in ParameterTensor.allCases {
            let bound = t.initBound(config)
            for i in range(t) { p[i] = bound.map { (2 * rng.uniform() - 1) * $0 } ?? rng.normal() }
        }
        return p
    }
}
