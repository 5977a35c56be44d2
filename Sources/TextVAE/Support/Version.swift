/// This release of textvae: what `textvae --version` prints and what a model
/// file's `producer` metadata records ("textvae 0.7.0").
package enum TextVAEVersion {
    package static let current = "0.7.0"

    /// The `producer` metadata of the model files this release writes.
    package static var producer: String { "textvae \(current)" }
}
