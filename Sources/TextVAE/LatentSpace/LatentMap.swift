import Foundation

/// Sentences placed in the plane of the first two principal axes of their
/// posterior means: the picture `textvae map` draws, and its coordinates as a
/// table (x, y, label, sentence) for Python or a spreadsheet.
package struct LatentMap {
    /// PC1 and PC2 coordinates, one per sentence.
    package var x: [Double], y: [Double]
    package var texts: [String]
    package var labels: [String]?
    package let pca: PCA

    /// The shares of variance the two axes explain.
    package var shares: (Double, Double) {
        let s = pca.explainedShare
        return (s.first ?? 0, s.count > 1 ? s[1] : 0)
    }

    /// - Parameters:
    ///   - means: N × Z posterior means.
    package init(means: [Float], dimension: Int, texts: [String], labels: [String]? = nil) {
        precondition(means.count == texts.count * dimension && (labels?.count ?? texts.count) == texts.count)
        pca = PCA(points: means, dimension: dimension)
        let k = min(2, dimension)
        let coordinates = pca.project(means, count: k)
        x = (0..<texts.count).map { coordinates[$0 * k] }
        y = (0..<texts.count).map { k > 1 ? coordinates[$0 * k + 1] : 0 }
        self.texts = texts
        self.labels = labels
    }

    /// Colour-blind-safe categorical colours (Okabe and Ito 2008, then Tableau's), most frequent label first.
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#8C564B", "#332288", "#999933", "#882255"]
    static let otherColour = "#9a9a9a"

    /// Labels in legend order (most frequent first, ties by name) with counts; past the palette's size the
    /// rest share one grey "other" entry.
    package var legend: [(label: String, count: Int, colour: String)] {
        guard let labels else { return [] }
        var counts: [String: Int] = [:]
        for l in labels { counts[l, default: 0] += 1 }
        let sorted = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        if sorted.count <= Self.palette.count {
            return sorted.enumerated().map { ($1.key, $1.value, Self.palette[$0]) }
        }
        let shown = sorted.prefix(Self.palette.count - 1)
        let rest = sorted.dropFirst(Self.palette.count - 1)
        return shown.enumerated().map { ($1.key, $1.value, Self.palette[$0]) }
            + [("other (\(rest.count) labels)", rest.reduce(0) { $0 + $1.value }, Self.otherColour)]
    }

    /// The picture: one dot per sentence with the sentence (and label) as its
    /// tooltip, axes in the same units on both sides so that distances read
    /// truly, tick labels, and a legend of the labels.
    package func svg(title: String) -> SVG {
        let left = 70.0, top = 66.0, plotWidth = 620.0, legendWidth = labels == nil ? 40.0 : 230.0
        let (sx, sy) = shares
        // Equal scales: the frame's height follows the data's aspect, within limits; past
        // them the shorter range is widened rather than the scales made unequal.
        let pad = 0.05
        var xr = Self.range(x, pad: pad), yr = Self.range(y, pad: pad)
        let minHeight = 260.0, maxHeight = 720.0
        var plotHeight = plotWidth * (yr.upperBound - yr.lowerBound) / (xr.upperBound - xr.lowerBound)
        if plotHeight < minHeight {
            plotHeight = minHeight
            yr = Self.widen(yr, to: (xr.upperBound - xr.lowerBound) * minHeight / plotWidth)
        } else if plotHeight > maxHeight {
            plotHeight = maxHeight
            xr = Self.widen(xr, to: (yr.upperBound - yr.lowerBound) * plotWidth / maxHeight)
        }
        func px(_ v: Double) -> Double { left + (v - xr.lowerBound) / (xr.upperBound - xr.lowerBound) * plotWidth }
        func py(_ v: Double) -> Double { top + plotHeight - (v - yr.lowerBound) / (yr.upperBound - yr.lowerBound) * plotHeight }

        var svg = SVG(width: left + plotWidth + legendWidth, height: top + plotHeight + 60)
        svg.add(SVG.text(title, x: left, y: 24, size: 16, weight: "bold"))
        svg.add(
            SVG.text(
                String(
                    format:
                        "%d sentences; posterior means μ (Z = %d) projected on their first two principal axes, which explain %.1f%% of their variance",
                    texts.count, pca.dimension, 100 * (sx + sy)), x: left, y: 44, size: 12, fill: "#555"))
        svg.add(SVG.rect(x: left, y: top, width: plotWidth, height: plotHeight, fill: "#fbfbfb", stroke: "#999"))
        var axes: [SVGElement] = []
        let xs = NiceScale(xr.lowerBound, xr.upperBound, ticks: 8),
            ys = NiceScale(yr.lowerBound, yr.upperBound, ticks: max(3, Int(plotHeight / 70)))
        for t in xs.ticks where xr.contains(t) {
            axes.append(SVG.line(x1: px(t), y1: top, x2: px(t), y2: top + plotHeight, stroke: t == 0 ? "#cfcfcf" : "#ececec"))
            axes.append(SVG.line(x1: px(t), y1: top + plotHeight, x2: px(t), y2: top + plotHeight + 4, stroke: "#555"))
            axes.append(SVG.text(xs.label(t), x: px(t), y: top + plotHeight + 17, anchor: "middle", size: 11))
        }
        for t in ys.ticks where yr.contains(t) {
            axes.append(SVG.line(x1: left, y1: py(t), x2: left + plotWidth, y2: py(t), stroke: t == 0 ? "#cfcfcf" : "#ececec"))
            axes.append(SVG.line(x1: left - 4, y1: py(t), x2: left, y2: py(t), stroke: "#555"))
            axes.append(SVG.text(ys.label(t), x: left - 7, y: py(t) + 4, anchor: "end", size: 11))
        }
        axes.append(
            SVG.text(
                String(format: "PC1 (%.1f%% of variance)", 100 * sx), x: left + plotWidth / 2, y: top + plotHeight + 40,
                anchor: "middle", size: 13))
        axes.append(
            SVG.text(
                String(format: "PC2 (%.1f%% of variance)", 100 * sy), x: left - 46, y: top + plotHeight / 2,
                anchor: "middle", size: 13, rotate: -90))
        svg.add(SVG.group(axes))

        // Dots: smaller and more transparent as they get many, so dense regions still read as dense.
        let r = texts.count > 5000 ? 2.0 : texts.count > 500 ? 2.8 : 4.0
        let opacity = texts.count > 5000 ? 0.5 : 0.75
        let legend = self.legend
        let colourOf = Dictionary(uniqueKeysWithValues: legend.map { ($0.label, $0.colour) })
        var dots: [SVGElement] = []
        // Rare labels last, so that their dots are not buried under the common ones.
        let rankOf = Dictionary(uniqueKeysWithValues: legend.enumerated().map { ($1.label, $0) })
        let rank = texts.indices.map { i in labels.map { rankOf[$0[i]] ?? legend.count } ?? 0 }
        let order = texts.indices.sorted { a, b in rank[a] != rank[b] ? rank[a] < rank[b] : a < b }
        for i in order {
            let label = labels?[i]
            let colour = label.map { colourOf[$0] ?? Self.otherColour } ?? Self.palette[0]
            let tip = label.map { "[\($0)] " } ?? ""
            dots.append(
                SVG.circle(x: px(x[i]), y: py(y[i]), r: r, fill: colour, opacity: opacity, title: tip + texts[i], className: "point"))
        }
        svg.add(SVG.group(dots))

        if !legend.isEmpty {
            var items: [SVGElement] = [SVG.text("label (sentences)", x: left + plotWidth + 16, y: top + 10, size: 12, weight: "bold")]
            for (n, entry) in legend.enumerated() {
                let yy = top + 32 + Double(n) * 20
                items.append(SVG.circle(x: left + plotWidth + 22, y: yy - 4, r: 5, fill: entry.colour))
                items.append(SVG.text("\(Self.shorten(entry.label, 24)) (\(entry.count))", x: left + plotWidth + 33, y: yy, size: 12))
            }
            svg.add(SVG.group(items))
        }
        return svg
    }

    /// x, y, label, sentence; tab-separated with a header, tabs and line breaks inside text turned to spaces.
    /// Read it with pandas: `pd.read_csv("map.tsv", sep="\t", quoting=3)` (quoting=3: quotes are text).
    package var tsv: String {
        func clean(_ s: String) -> String {
            String(s.map { $0 == "\t" || $0 == "\n" || $0 == "\r" ? " " : $0 })
        }
        var out = "x\ty\tlabel\tsentence\n"
        for i in texts.indices {
            out += String(format: "%.6g\t%.6g\t", x[i], y[i]) + clean(labels?[i] ?? "") + "\t" + clean(texts[i]) + "\n"
        }
        return out
    }

    static func range(_ v: [Double], pad: Double) -> ClosedRange<Double> {
        let lo = v.min() ?? 0, hi = v.max() ?? 0
        let span = hi - lo > 1e-12 ? hi - lo : max(1, abs(hi))
        return (lo - pad * span)...(hi + pad * span)
    }

    static func widen(_ r: ClosedRange<Double>, to span: Double) -> ClosedRange<Double> {
        let mid = (r.lowerBound + r.upperBound) / 2
        return (mid - span / 2)...(mid + span / 2)
    }

    static func shorten(_ s: String, _ n: Int) -> String { s.count <= n ? s : String(s.prefix(n - 1)) + "…" }
}
