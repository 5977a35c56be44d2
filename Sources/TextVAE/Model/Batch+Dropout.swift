extension Batch {
    /// Dropout in the decoder (Srivastava et al. 2014), as timbmg's Sentence-VAE and the lagging-inference-network
    /// code apply it to text VAEs: each element of a decoder input embedding, and of a decoder state before the
    /// output layer, is zeroed with probability p and the others are scaled by 1 / (1 − p), so that the expected
    /// input is unchanged and evaluation needs no rescaling. It works beside word dropout, which hides whole
    /// words; these masks thin the features of the words that are kept.
    ///
    /// Sentence s draws from `generators[s]` (caller's order), after its word-dropout draws: at each of its
    /// decoder positions in order, E uniforms for the input, then H for the output. So the masks, like word
    /// dropout, do not depend on packing or on which rank computes the sentence.
    mutating func applyDecoderDropout(
        embedding pInput: Float, output pOutput: Float, embeddingWidth E: Int, hidden H: Int,
        _ generators: inout [Random]
    ) {
        guard pInput > 0 || pOutput > 0 else { return }
        let N = decoder.total
        var input = [Float](repeating: 0, count: pInput > 0 ? N * E : 0)
        var output = [Float](repeating: 0, count: pOutput > 0 ? N * H : 0)
        let keepInput = 1 / (1 - pInput), keepOutput = 1 / (1 - pOutput)
        for (row, s) in order.enumerated() {
            for t in 0...sentences[s].count {
                let k = decoder.index(step: t, row: row)
                if pInput > 0 { for j in 0..<E { input[k * E + j] = generators[s].uniform() < pInput ? 0 : keepInput } }
                if pOutput > 0 { for j in 0..<H { output[k * H + j] = generators[s].uniform() < pOutput ? 0 : keepOutput } }
            }
        }
        decoderInputMask = pInput > 0 ? input : nil
        decoderOutputMask = pOutput > 0 ? output : nil
    }
}
