/// How text becomes tokens. Stored in the model file (`tokenizer` metadata) so
/// every command that reads a model tokenises exactly as training did.
package struct TokenizerSettings: Codable, Equatable, Sendable {
    package enum Name: String, Codable, Sendable, CaseIterable {
        /// NFC, ICU word segmentation for `locale`, optional locale-aware lower-casing.
        case icu
        /// Text that is already tokenised: split on Unicode white space, nothing else.
        case whitespace
    }

    package var name: Name
    package var locale: String
    package var lowercase: Bool
    /// "NFC" for icu, "none" for whitespace; informative, fixed by `name`.
    package var normalization: String

    package init(name: Name = .icu, locale: String = "en", lowercase: Bool = true) {
        self.name = name
        self.locale = locale
        self.lowercase = name == .icu ? lowercase : false
        self.normalization = name == .icu ? "NFC" : "none"
    }
}
