import Foundation

/// A tiny SVG writer: elements with ordered attributes, text and children,
/// rendered as a self-contained, well-formed document (no scripts, fonts or
/// links to other files), so that a picture opens in any browser or viewer.
///
/// Text and attribute values are escaped here and nowhere else: sentences
/// from users (with `<`, `&`, quotes or control characters) go straight in.
package struct SVGElement: Equatable, Sendable {
    package var name: String
    /// In writing order, so the same picture always gives the same bytes.
    package var attributes: [(String, String)]
    package var text: String?
    package var children: [SVGElement]

    package init(_ name: String, _ attributes: [(String, String)] = [], text: String? = nil, children: [SVGElement] = []) {
        self.name = name
        self.attributes = attributes
        self.text = text
        self.children = children
    }

    package static func == (a: SVGElement, b: SVGElement) -> Bool {
        a.name == b.name && a.text == b.text && a.children == b.children
            && a.attributes.map(\.0) == b.attributes.map(\.0) && a.attributes.map(\.1) == b.attributes.map(\.1)
    }

    /// Appends the element's markup to `out`, children indented by `depth`.
    func write(to out: inout String, depth: Int) {
        let indent = String(repeating: "  ", count: depth)
        out += indent + "<" + name
        for (key, value) in attributes { out += " \(key)=\"\(SVG.escape(value))\"" }
        if text == nil && children.isEmpty { out += "/>\n"; return }
        out += ">"
        if let text { out += SVG.escape(text) }
        if !children.isEmpty {
            out += "\n"
            for child in children { child.write(to: &out, depth: depth + 1) }
            out += indent
        }
        out += "</\(name)>\n"
    }
}
