/// A token as a dictionary key compared by its exact UTF-8 bytes. Swift's `String`
/// compares by canonical equivalence, so "é" (U+00E9) and "e" + U+0301 would be one
/// key; the vocabulary keeps tokens whose code points differ apart, as the
/// tokenizer wrote them (the ICU tokenizer applies NFC first; the whitespace one does not).
struct ExactToken: Hashable {
    let text: String

    init(_ text: String) { self.text = text }

    static func == (a: ExactToken, b: ExactToken) -> Bool { a.text.utf8.elementsEqual(b.text.utf8) }

    func hash(into hasher: inout Hasher) {
        var text = text
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
