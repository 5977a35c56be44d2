import ArgumentParser

/// Flags renamed in 0.7.0. Their old names stay, hidden, so that an old command line stops with the new name
/// instead of an unknown-option error, and never silently means something else.
enum RenamedFlag {
    /// Throws when `value`, the old flag's, was given: "--labels was renamed --label-file in 0.7.0: use --label-file FILE".
    static func refuse(_ value: String?, old: String, new: String, valueName: String) throws {
        guard value != nil else { return }
        throw ValidationError("\(old) was renamed \(new) in 0.7.0: use \(new) \(valueName)")
    }
}
