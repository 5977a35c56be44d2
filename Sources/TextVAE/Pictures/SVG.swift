import Foundation

/// An SVG document of a given size in user units (pixels at 100% zoom).
package struct SVG {
    package var width: Double
    package var height: Double
    package var children: [SVGElement] = []

    package init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    package mutating func add(_ element: SVGElement) { children.append(element) }

    /// The whole document, XML declaration first.
    package var text: String {
        let root = SVGElement(
            "svg",
            [
                ("xmlns", "http://www.w3.org/2000/svg"), ("width", SVG.number(width)), ("height", SVG.number(height)),
                ("viewBox", "0 0 \(SVG.number(width)) \(SVG.number(height))"),
                ("font-family", "DejaVu Sans, Helvetica, Arial, sans-serif"), ("font-size", "12"),
            ], children: [SVGElement("rect", [("width", "100%"), ("height", "100%"), ("fill", "white")])] + children)
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        root.write(to: &out, depth: 0)
        return out
    }

    package func write(to path: String) throws {
        try AtomicFile.write(Data(text.utf8), to: path)
    }

    // MARK: - Building blocks

    /// Escapes text for XML content and double-quoted attributes. Characters
    /// XML 1.0 forbids (C0 controls other than tab, LF and CR; U+FFFE, U+FFFF)
    /// become U+FFFD, so no user text can make the file unreadable.
    package static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// A coordinate with at most two decimals and no trailing zeros ("12", "3.5", "-0.25").
    package static func number(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        let rounded = (x * 100).rounded() / 100
        if rounded == rounded.rounded() && abs(rounded) < 1e15 { return String(Int(rounded)) }
        var s = String(format: "%.2f", rounded)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }

    package static func line(
        x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1,
        dash: String? = nil
    ) -> SVGElement {
        var a = [
            ("x1", number(x1)), ("y1", number(y1)), ("x2", number(x2)), ("y2", number(y2)),
            ("stroke", stroke), ("stroke-width", number(width)),
        ]
        if let dash { a.append(("stroke-dasharray", dash)) }
        return SVGElement("line", a)
    }

    package static func rect(x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String? = nil) -> SVGElement {
        var a = [("x", number(x)), ("y", number(y)), ("width", number(width)), ("height", number(height)), ("fill", fill)]
        if let stroke { a.append(("stroke", stroke)) }
        return SVGElement("rect", a)
    }

    /// Text at (x, y); `anchor` is start, middle or end; `rotate` turns it about (x, y) in degrees.
    package static func text(
        _ s: String, x: Double, y: Double, anchor: String = "start", size: Double? = nil,
        weight: String? = nil, fill: String = "#222", rotate: Double? = nil
    ) -> SVGElement {
        var a = [("x", number(x)), ("y", number(y)), ("text-anchor", anchor), ("fill", fill)]
        if let size { a.append(("font-size", number(size))) }
        if let weight { a.append(("font-weight", weight)) }
        if let rotate { a.append(("transform", "rotate(\(number(rotate)) \(number(x)) \(number(y)))")) }
        return SVGElement("text", a, text: s)
    }

    /// A line through the points, in order. `class="series"` marks it for readers and tests.
    package static func polyline(
        _ points: [(x: Double, y: Double)], stroke: String, width: Double = 1.5,
        dash: String? = nil, label: String? = nil
    ) -> SVGElement {
        var a = [
            ("class", "series"), ("points", points.map { number($0.x) + "," + number($0.y) }.joined(separator: " ")),
            ("fill", "none"), ("stroke", stroke), ("stroke-width", number(width)), ("stroke-linejoin", "round"),
        ]
        if let dash { a.append(("stroke-dasharray", dash)) }
        return SVGElement("polyline", a, children: label.map { [SVGElement("title", text: $0)] } ?? [])
    }

    /// A dot; `title` becomes its tooltip.
    package static func circle(
        x: Double, y: Double, r: Double, fill: String, opacity: Double? = nil, stroke: String? = nil,
        title: String? = nil, className: String? = nil
    ) -> SVGElement {
        var a: [(String, String)] = []
        if let className { a.append(("class", className)) }
        a += [("cx", number(x)), ("cy", number(y)), ("r", number(r)), ("fill", fill)]
        if let opacity { a.append(("fill-opacity", number(opacity))) }
        if let stroke { a.append(("stroke", stroke)); a.append(("stroke-width", "0.5")) }
        return SVGElement("circle", a, children: title.map { [SVGElement("title", text: $0)] } ?? [])
    }

    package static func group(_ children: [SVGElement], _ attributes: [(String, String)] = []) -> SVGElement {
        SVGElement("g", attributes, children: children)
    }
}
