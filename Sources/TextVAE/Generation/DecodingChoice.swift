import Foundation

/// The decoding settings a user gives (`textvae sample`'s options, the server's `sample` fields), and the
/// one rule that turns them into a `DecodingMethod`, so that the command and the server agree.
package struct DecodingChoice: Equatable, Sendable {
    /// "greedy", "sample" or "beam"; nil: `sample` when a sampling knob is given, `beam` when a beam width is, else `greedy`.
    package var decoder: String?
    package var temperature: Float?
    package var topK: Int?
    package var topP: Float?
    package var beamWidth: Int?

    package static let decoders = ["greedy", "sample", "beam"]
    package static let defaultBeamWidth = 5

    package init(decoder: String? = nil, temperature: Float? = nil, topK: Int? = nil, topP: Float? = nil, beamWidth: Int? = nil) {
        self.decoder = decoder
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.beamWidth = beamWidth
    }

    /// The method these settings ask for. Conflicting or out-of-range settings throw an error that says
    /// which to change; `spell` names a setting as the caller's user writes it ("temperature" → "--temperature").
    package func method(maxBeamWidth: Int = 256, spell: (String) -> String) throws -> DecodingMethod {
        let samplingGiven = temperature != nil || topK != nil || topP != nil
        let name = decoder ?? (samplingGiven ? "sample" : beamWidth != nil ? "beam" : "greedy")
        let knobs = "\(spell("temperature")), \(spell("top_k")) and \(spell("top_p"))"
        guard Self.decoders.contains(name) else {
            throw TextVAEError.invalidInput("\(spell("decoder")) must be one of \(Self.decoders.joined(separator: ", ")); got '\(name)'")
        }
        if samplingGiven && name != "sample" {
            throw TextVAEError.conflict("\(knobs) apply to \(spell("decoder")) sample; drop them or choose sample")
        }
        if beamWidth != nil && name != "beam" {
            throw TextVAEError.conflict("\(spell("beam_width")) applies to \(spell("decoder")) beam; drop it or choose beam")
        }
        switch name {
        case "greedy":
            return .greedy
        case "sample":
            let t = temperature ?? 1, k = topK ?? 0, p = topP ?? 1
            if !(t > 0 && t.isFinite) { throw TextVAEError.invalidInput("\(spell("temperature")) must be a positive number such as 0.8") }
            if k < 0 { throw TextVAEError.invalidInput("\(spell("top_k")) must be 0 (off) or more") }
            if !(p > 0 && p <= 1) { throw TextVAEError.invalidInput("\(spell("top_p")) must be in (0, 1], such as 0.9") }
            return .sample(Sampling(temperature: t, topK: k, topP: p))
        case "beam":
            let w = beamWidth ?? Self.defaultBeamWidth
            if w < 1 || w > maxBeamWidth { throw TextVAEError.invalidInput("\(spell("beam_width")) must be between 1 and \(maxBeamWidth)") }
            return .beam(width: w)
        default:
            preconditionFailure("checked above")
        }
    }
}
