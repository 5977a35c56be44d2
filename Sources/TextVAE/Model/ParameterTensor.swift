/// The model's tensors, in the model file's order, as named views into one flat
/// block of floats: the optimiser is one loop and a model file is one write.
package enum ParameterTensor: Int, CaseIterable, Sendable {
    case embedding
    case encoderWeightIH, encoderWeightHH, encoderBiasIH, encoderBiasHH
    /// A bidirectional encoder's second network, which reads each sentence backwards; no values in a one-way encoder.
    case encoderReverseWeightIH, encoderReverseWeightHH, encoderReverseBiasIH, encoderReverseBiasHH
    case meanWeight, meanBias, logvWeight, logvBias
    /// q(c|x)'s logits from the encoder's last state; no values in a model without classes (K = 0).
    case classWeight, classBias
    case latentWeight, latentBias
    case decoderWeightIH, decoderWeightHH, decoderBiasIH, decoderBiasHH
    /// The output layer: V rows, or with an adaptive softmax its head (the tokens below the first cutoff, then one
    /// row per tail cluster).
    case outputWeight, outputBias
    /// An adaptive softmax's tails (at most `AdaptiveSoftmax.mostTails`; no values in a model without them): each a
    /// projection H → d_t and the cluster's words d_t → n_t, both without bias, as PyTorch's `AdaptiveLogSoftmaxWithLoss`.
    case tail0Projection, tail0Weight, tail1Projection, tail1Weight, tail2Projection, tail2Weight

    /// The PyTorch `state_dict` name, as in the model file.
    package var name: String {
        switch self {
        case .embedding: "embedding.weight"
        case .encoderWeightIH: "encoder_rnn.weight_ih_l0"
        case .encoderWeightHH: "encoder_rnn.weight_hh_l0"
        case .encoderBiasIH: "encoder_rnn.bias_ih_l0"
        case .encoderBiasHH: "encoder_rnn.bias_hh_l0"
        case .encoderReverseWeightIH: "encoder_rnn.weight_ih_l0_reverse"
        case .encoderReverseWeightHH: "encoder_rnn.weight_hh_l0_reverse"
        case .encoderReverseBiasIH: "encoder_rnn.bias_ih_l0_reverse"
        case .encoderReverseBiasHH: "encoder_rnn.bias_hh_l0_reverse"
        case .meanWeight: "hidden2mean.weight"
        case .meanBias: "hidden2mean.bias"
        case .logvWeight: "hidden2logv.weight"
        case .logvBias: "hidden2logv.bias"
        case .classWeight: "hidden2class.weight"
        case .classBias: "hidden2class.bias"
        case .latentWeight: "latent2hidden.weight"
        case .latentBias: "latent2hidden.bias"
        case .decoderWeightIH: "decoder_rnn.weight_ih_l0"
        case .decoderWeightHH: "decoder_rnn.weight_hh_l0"
        case .decoderBiasIH: "decoder_rnn.bias_ih_l0"
        case .decoderBiasHH: "decoder_rnn.bias_hh_l0"
        case .outputWeight: "outputs2vocab.weight"
        case .outputBias: "outputs2vocab.bias"
        case .tail0Projection: "outputs2vocab.tail.0.0.weight"
        case .tail0Weight: "outputs2vocab.tail.0.1.weight"
        case .tail1Projection: "outputs2vocab.tail.1.0.weight"
        case .tail1Weight: "outputs2vocab.tail.1.1.weight"
        case .tail2Projection: "outputs2vocab.tail.2.0.weight"
        case .tail2Weight: "outputs2vocab.tail.2.1.weight"
        }
    }

    /// Tail t's projection H → d_t.
    static func tailProjection(_ t: Int) -> ParameterTensor { [.tail0Projection, .tail1Projection, .tail2Projection][t] }
    /// Tail t's words, d_t → n_t.
    static func tailWeight(_ t: Int) -> ParameterTensor { [.tail0Weight, .tail1Weight, .tail2Weight][t] }

    /// The tail this tensor belongs to, if it is an adaptive softmax's.
    private var tail: (index: Int, isProjection: Bool)? {
        switch self {
        case .tail0Projection: (0, true)
        case .tail0Weight: (0, false)
        case .tail1Projection: (1, true)
        case .tail1Weight: (1, false)
        case .tail2Projection: (2, true)
        case .tail2Weight: (2, false)
        default: nil
        }
    }

    /// The tensors a model of this configuration has, in the file's order.
    package static func present(_ c: ModelConfig) -> [ParameterTensor] { allCases.filter { $0.exists(c) } }

    /// Whether a model of this configuration has the tensor (the class tensors only with K > 0, a tail's only when the
    /// adaptive softmax has it, the output layer's weights only when not tied to the embedding, the reverse
    /// encoder's only when the encoder is bidirectional).
    package func exists(_ c: ModelConfig) -> Bool {
        if let tail { return tail.index < c.softmaxCutoffs.count }
        if self == .outputWeight { return !c.tiedEmbeddings }
        if isReverseEncoder { return c.bidirectional }
        return c.classes > 0 || (self != .classWeight && self != .classBias)
    }

    /// One of a bidirectional encoder's reverse network's tensors.
    private var isReverseEncoder: Bool {
        [.encoderReverseWeightIH, .encoderReverseWeightHH, .encoderReverseBiasIH, .encoderReverseBiasHH].contains(self)
    }

    package func shape(_ c: ModelConfig) -> [Int] {
        let (V, E, H, Z, G) = (c.vocabulary, c.embedding, c.hidden, c.latent, c.cell.gateBlocks * c.hidden)
        if isReverseEncoder && !c.bidirectional {
            return self == .encoderReverseWeightIH || self == .encoderReverseWeightHH ? [0, 0] : [0]
        }
        switch self {
        case .embedding: return [V, E]
        case .encoderWeightIH, .encoderReverseWeightIH: return [G, E]
        case .encoderWeightHH, .encoderReverseWeightHH, .decoderWeightHH: return [G, H]
        case .encoderBiasIH, .encoderBiasHH, .encoderReverseBiasIH, .encoderReverseBiasHH, .decoderBiasIH, .decoderBiasHH: return [G]
        case .meanWeight, .logvWeight: return [Z, c.encoderStates]
        case .meanBias, .logvBias: return [Z]
        case .classWeight: return [c.classes, c.encoderStates]
        case .classBias: return [c.classes]
        case .latentWeight: return [H, c.code]
        case .latentBias: return [H]
        case .decoderWeightIH: return [G, c.decoderInput]
        case .outputWeight: return [c.outputRows, H]
        case .outputBias: return [c.outputRows]
        case .tail0Projection, .tail0Weight, .tail1Projection, .tail1Weight, .tail2Projection, .tail2Weight:
            guard let (t, isProjection) = tail, let adaptive = c.adaptiveSoftmax, t < adaptive.tails else { return [0, 0] }
            return isProjection ? [adaptive.projection(t), H] : [adaptive.range(t).count, adaptive.projection(t)]
        }
    }

    /// fan_in for PyTorch's default initialisation bound 1/√fan_in (recurrent networks use H).
    func initBound(_ c: ModelConfig) -> Float? {
        switch self {
        // N(0, 1), as nn.Embedding; tied to the output layer, the output layer's bound, else its logits would start
        // with a spread of about √H nats.
        case .embedding: return c.tiedEmbeddings ? 1 / Float(c.hidden).squareRoot() : nil
        case .encoderWeightIH, .encoderWeightHH, .encoderBiasIH, .encoderBiasHH,
            .encoderReverseWeightIH, .encoderReverseWeightHH, .encoderReverseBiasIH, .encoderReverseBiasHH,
            .decoderWeightIH, .decoderWeightHH, .decoderBiasIH, .decoderBiasHH,
            .meanWeight, .meanBias, .logvWeight, .logvBias, .classWeight, .classBias, .outputWeight, .outputBias:
            return 1 / Float(c.hidden).squareRoot()
        case .tail0Projection, .tail0Weight, .tail1Projection, .tail1Weight, .tail2Projection, .tail2Weight:
            let shape = shape(c)
            return shape[1] == 0 ? 0 : 1 / Float(shape[1]).squareRoot()
        case .latentWeight, .latentBias:
            // No code at all (Z = 0, the language-model baseline): PyTorch's bound for fan_in 0 is 0, so h0 starts at 0.
            return c.code == 0 ? 0 : 1 / Float(c.code).squareRoot()
        }
    }
}
