/// A problem the user can fix: every case carries a message that names the
/// file or value and says what to do.
public struct TextVAEError: Error, CustomStringConvertible, Equatable {
    public let description: String

    package init(_ description: String) { self.description = description }
}

extension TextVAEError {
    static func file(_ path: String, _ problem: String, fix: String) -> TextVAEError {
        TextVAEError("\(path): \(problem); \(fix)")
    }
}
