/// This release of textvae: what `textvae --version` prints and what a model
/// file's `producer` metadata records ("textvae 0.7.0").
public enum TextVAEVersion {
    public static let current = "0.7.0"

    /// The `producer` metadata of the model files this release writes.
    public static var producer: String { "textvae \(current)" }
}
