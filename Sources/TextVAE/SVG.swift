import Foundation

/// A tiny SVG writer: elements with ordered attributes, text and children,
/// rendered as a self-contained, well-formed document (no scripts, fonts or
/// links to other files), so that a picture opens in any browser or viewer.
///
/// Text and attribute values are escaped here and nowhere else: sentences
/// from users (with `<`, `&`, quotes or control characters) go straight in.
public struct SVGElement: Equatable, Sendable {
    public var name: String
    /// In writing order, so the same picture always gives the same bytes.
    public var attributes: [(String, String)]
    public var text: String?
    public var children: [SVGElement]

    public init(_ name: String, _ attributes: [(String, String)] = [], text: String? = nil, children: [SVGElement] = []) {
        self.name = name
        self.attributes = attributes
        self.text = text
        self.children = children
    }

    public static func == (a: SVGElement, b: SVGElement) -> Bool {
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

/// An SVG document of a given size in user units (pixels at 100% zoom).
public struct SVG {
    public var width: Double
    public var height: Double
    public var children: [SVGElement] = []

    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    public mutating func add(_ element: SVGElement) { children.append(element) }

    /// The whole document, XML declaration first.
    public var text: String {
        let root = SVGElement("svg", [
            ("xmlns", "http://www.w3.org/2000/svg"), ("width", SVG.number(width)), ("height", SVG.number(height)),
            ("viewBox", "0 0 \(SVG.number(width)) \(SVG.number(height))"),
            ("font-family", "DejaVu Sans, Helvetica, Arial, sans-serif"), ("font-size", "12"),
        ], children: [SVGElement("rect", [("width", "100%"), ("height", "100%"), ("fill", "white")])] + children)
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        root.write(to: &out, depth: 0)
        return out
    }

    public func write(to path: String) throws {
        try AtomicFile.write(Data(text.utf8), to: path)
    }

    // MARK: - Building blocks

    /// Escapes text for XML content and double-quoted attributes. Characters
    /// XML 1.0 forbids (C0 controls other than tab, LF and CR; U+FFFE, U+FFFF)
    /// become U+FFFD, so no user text can make the file unreadable.
    public static func escape(_ s: String) -> String {
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
    public static func number(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        let rounded = (x * 100).rounded() / 100
        if rounded == rounded.rounded() && abs(rounded) < 1e15 { return String(Int(rounded)) }
        var s = String(format: "%.2f", rounded)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }

    public static func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1,
                            dash: String? = nil) -> SVGElement {
        var a = [("x1", number(x1)), ("y1", number(y1)), ("x2", number(x2)), ("y2", number(y2)),
                 ("stroke", stroke), ("stroke-width", number(width))]
        if let dash { a.append(("stroke-dasharray", dash)) }
        return SVGElement("line", a)
    }

    public static func rect(x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String? = nil) -> SVGElement {
        var a = [("x", number(x)), ("y", number(y)), ("width", number(width)), ("height", number(height)), ("fill", fill)]
        if let stroke { a.append(("stroke", stroke)) }
        return SVGElement("rect", a)
    }

    /// Text at (x, y); `anchor` is start, middle or end; `rotate` turns it about (x, y) in degrees.
    public static func text(_ s: String, x: Double, y: Double, anchor: String = "start", size: Double? = nil,
                            weight: String? = nil, fill: String = "#222", rotate: Double? = nil) -> SVGElement {
        var a = [("x", number(x)), ("y", number(y)), ("text-anchor", anchor), ("fill", fill)]
        if let size { a.append(("font-size", number(size))) }
        if let weight { a.append(("font-weight", weight)) }
        if let rotate { a.append(("transform", "rotate(\(number(rotate)) \(number(x)) \(number(y)))")) }
        return SVGElement("text", a, text: s)
    }

    /// A line through the points, in order. `class="series"` marks it for readers and tests.
    public static func polyline(_ points: [(x: Double, y: Double)], stroke: String, width: Double = 1.5,
                                dash: String? = nil, label: String? = nil) -> SVGElement {
        var a = [("class", "series"), ("points", points.map { number($0.x) + "," + number($0.y) }.joined(separator: " ")),
                 ("fill", "none"), ("stroke", stroke), ("stroke-width", number(width)), ("stroke-linejoin", "round")]
        if let dash { a.append(("stroke-dasharray", dash)) }
        return SVGElement("polyline", a, children: label.map { [SVGElement("title", text: $0)] } ?? [])
    }

    /// A dot; `title` becomes its tooltip.
    public static func circle(x: Double, y: Double, r: Double, fill: String, opacity: Double? = nil, stroke: String? = nil,
                              title: String? = nil, className: String? = nil) -> SVGElement {
        var a: [(String, String)] = []
        if let className { a.append(("class", className)) }
        a += [("cx", number(x)), ("cy", number(y)), ("r", number(r)), ("fill", fill)]
        if let opacity { a.append(("fill-opacity", number(opacity))) }
        if let stroke { a.append(("stroke", stroke)); a.append(("stroke-width", "0.5")) }
        return SVGElement("circle", a, children: title.map { [SVGElement("title", text: $0)] } ?? [])
    }

    public static func group(_ children: [SVGElement], _ attributes: [(String, String)] = []) -> SVGElement {
        SVGElement("g", attributes, children: children)
    }
}

/// Axis ticks at "nice" values (1, 2 or 5 times a power of ten), as plotting
/// libraries choose them, so that tick labels are short and easy to read.
public struct NiceScale: Equatable {
    public var lower: Double
    public var upper: Double
    public var step: Double

    /// Covers [minimum, maximum] with about `ticks` intervals; a flat or empty
    /// range is widened so that the axis still has a span.
    public init(_ minimum: Double, _ maximum: Double, ticks: Int = 5) {
        var lo = minimum.isFinite ? minimum : 0, hi = maximum.isFinite ? maximum : 1
        if lo > hi { swap(&lo, &hi) }
        if hi - lo < 1e-12 * max(1, abs(hi)) {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= pad; hi += pad
        }
        let raw = (hi - lo) / Double(max(1, ticks))
        let magnitude = pow(10, floor(log10(raw)))
        let fraction = raw / magnitude
        let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10
        step = nice * magnitude
        lower = floor(lo / step + 1e-9) * step
        upper = ceil(hi / step - 1e-9) * step
    }

    public var ticks: [Double] {
        let n = Int(((upper - lower) / step).rounded())
        return (0...max(0, n)).map { lower + Double($0) * step }
    }

    /// A tick label with as many decimals as the step needs ("0.25", "1500", "2k" is not used: exact values read better).
    public func label(_ value: Double) -> String {
        let decimals = max(0, -Int(floor(log10(step) + 1e-9)) + (step / pow(10, floor(log10(step))) == 2.5 ? 1 : 0))
        let v = abs(value) < step * 1e-9 ? 0 : value
        return String(format: "%.\(decimals)f", v)
    }
}
