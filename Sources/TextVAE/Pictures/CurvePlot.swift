import Foundation

/// Training curves as one self-contained SVG: three panels stacked on a shared
/// step axis, because the quantities live on different scales (rec ~100 nats,
/// KL a few nats, β in 0...1) and twin axes are easy to misread.
///
/// - reconstruction and validation −ELBO (nats per sentence);
/// - KL (nats per sentence);
/// - β, the KL weight of the annealing schedule.
///
/// Training figures come from the step rows (one batch every 50 steps, so they
/// are noisy: a trailing mean is drawn over them); validation figures from the
/// epoch rows, drawn with markers.
/// A run shorter than 50 steps has no step rows: its epoch means stand in.
package enum CurvePlot {
    static let width = 930.0
    static let left = 78.0, plotWidth = 600.0
    static var legendX: Double { left + plotWidth + 18 }

    static let trainColour = "#0072B2", validColour = "#E69F00", nelboColour = "#D55E00", betaColour = "#009E73"

    /// One line of a panel; `markers` puts a dot at every point (validation, once per epoch).
    struct Series {
        var name: String
        var colour: String
        var points: [(x: Double, y: Double)]
        var markers = false
        var dash: String?
        var width = 1.5
        var opacity: Double?
    }

    /// Training rows come from single batches, and batches are grouped by
    /// sentence length, so one row can be twice the next. A trailing mean over
    /// a few rows shows the trend; the raw rows stay behind it, faint.
    static func trainSeries(_ name: String, _ colour: String, _ points: [(x: Double, y: Double)], fromSteps: Bool) -> [Series] {
        guard fromSteps && points.count >= 8 else {
            return [Series(name: name, colour: colour, points: points, markers: !fromSteps, width: 1.5)]
        }
        let window = min(10, max(3, points.count / 15))
        var smoothed: [(x: Double, y: Double)] = []
        var sum = 0.0
        for (i, p) in points.enumerated() {
            sum += p.y
            if i >= window { sum -= points[i - window].y }
            smoothed.append((p.x, sum / Double(min(i + 1, window))))
        }
        return [
            Series(name: name + ", one batch", colour: colour, points: points, width: 1, opacity: 0.3),
            Series(name: name + ", mean of \(window) batches", colour: colour, points: smoothed, width: 2),
        ]
    }

    struct Panel {
        var title: String
        var axisTitle: String
        var series: [Series]
        var height: Double
        /// A fixed y range (β is always 0...1); nil scales to the data.
        var fixedRange: ClosedRange<Double>?
    }

    /// Reads `log` and writes its curves to `output`; returns what it read.
    @discardableResult
    package static func write(log: String, to output: String) throws -> TrainingCurves {
        let curves = try TrainingCurves.read(log)
        try svg(curves, title: "Training curves: " + URL(fileURLWithPath: log).lastPathComponent).write(to: output)
        return curves
    }

    package static func svg(_ c: TrainingCurves, title: String) -> SVG {
        let useSteps = !c.steps.isEmpty
        let trainRec = useSteps ? c.steps.map { (Double($0.step), $0.rec) } : c.epochs.map { (Double($0.step), $0.trainRec) }
        let trainKL = useSteps ? c.steps.map { (Double($0.step), $0.kl) } : c.epochs.map { (Double($0.step), $0.trainKL) }
        let beta = useSteps ? c.steps.map { (Double($0.step), $0.beta) } : c.epochs.map { (Double($0.step), $0.beta) }
        let trainName = useSteps ? "train" : "train (epoch mean)"
        let v = c.epochs
        let panels = [
            Panel(
                title: "Reconstruction and −ELBO", axisTitle: "nats per sentence",
                series:
                    trainSeries(trainName + " rec", trainColour, trainRec, fromSteps: useSteps) + [
                        Series(
                            name: "validation rec", colour: validColour, points: v.map { (Double($0.step), $0.validRec) }, markers: true,
                            width: 2),
                        Series(
                            name: "validation −ELBO", colour: nelboColour, points: v.map { (Double($0.step), $0.validNELBO) },
                            markers: true, dash: "6,3", width: 2),
                    ], height: 230),
            Panel(
                title: "KL divergence", axisTitle: "nats per sentence",
                series:
                    trainSeries(trainName + " KL", trainColour, trainKL, fromSteps: useSteps) + [
                        Series(
                            name: "validation KL", colour: validColour, points: v.map { (Double($0.step), $0.validKL) }, markers: true,
                            width: 2)
                    ], height: 170),
            Panel(
                title: "KL weight β (annealing)", axisTitle: "β",
                series: [
                    Series(name: "β", colour: betaColour, points: beta, markers: !useSteps, width: 2)
                ], height: 110, fixedRange: 0...1),
        ]

        let maxStep = max(1, (c.steps.map(\.step) + c.epochs.map(\.step)).max() ?? 1)
        let x = NiceScale(0, Double(maxStep), ticks: 8)
        let top = 84.0, gap = 48.0, bottom = 66.0
        let height = top + panels.map(\.height).reduce(0, +) + gap * Double(panels.count - 1) + bottom
        var svg = SVG(width: width, height: height)
        svg.add(SVG.text(title, x: left, y: 26, size: 16, weight: "bold"))
        svg.add(SVG.text(summary(c), x: left, y: 47, size: 12, fill: "#555"))

        var y0 = top
        for (i, panel) in panels.enumerated() {
            svg.add(draw(panel, top: y0, x: x, epochs: v, showStepLabels: i == panels.count - 1, explainEpochs: i == 0))
            y0 += panel.height + gap
        }
        y0 -= gap
        svg.add(SVG.text("step (optimiser updates)", x: left + plotWidth / 2, y: y0 + 52, anchor: "middle", size: 13))
        return svg
    }

    /// "5 epochs, 1,250 steps; best validation −ELBO 31.20 (rec 29.1 + KL 2.1) at epoch 4".
    static func summary(_ c: TrainingCurves) -> String {
        let lastStep = max(c.steps.last?.step ?? 0, c.epochs.last?.step ?? 0)
        var s = "\(lastStep) steps"
        if let best = c.epochs.min(by: { $0.validNELBO < $1.validNELBO }) {
            s = "\(c.epochs.count) validation passes, " + s
            s += String(
                format: "; best validation −ELBO %.2f nats (rec %.2f + KL %.2f) at epoch %d, step %d",
                best.validNELBO, best.validRec, best.validKL, best.epoch, best.step)
        } else {
            s += "; no epoch finished yet"
        }
        return s
    }

    static func draw(
        _ panel: Panel, top: Double, x: NiceScale, epochs: [TrainingCurves.EpochRow], showStepLabels: Bool,
        explainEpochs: Bool
    ) -> SVGElement {
        let h = panel.height
        let values = panel.series.flatMap { $0.points.map(\.y) }.filter(\.isFinite)
        let y =
            panel.fixedRange.map { NiceScale($0.lowerBound, $0.upperBound, ticks: 4) }
            ?? NiceScale(values.min() ?? 0, values.max() ?? 1, ticks: max(3, Int(h / 45)))
        func px(_ v: Double) -> Double { left + (v - x.lower) / (x.upper - x.lower) * plotWidth }
        func py(_ v: Double) -> Double { top + h - (v - y.lower) / (y.upper - y.lower) * h }

        var e: [SVGElement] = []
        e.append(SVG.text(panel.title, x: left, y: top - 9, size: 13, weight: "bold"))
        e.append(SVG.rect(x: left, y: top, width: plotWidth, height: h, fill: "#fbfbfb", stroke: "#999"))
        for t in y.ticks {
            let yy = py(t)
            e.append(SVG.line(x1: left, y1: yy, x2: left + plotWidth, y2: yy, stroke: "#e3e3e3"))
            e.append(SVG.line(x1: left - 4, y1: yy, x2: left, y2: yy, stroke: "#555"))
            e.append(SVG.text(y.label(t), x: left - 7, y: yy + 4, anchor: "end", size: 11))
        }
        for t in x.ticks {
            let xx = px(t)
            e.append(SVG.line(x1: xx, y1: top, x2: xx, y2: top + h, stroke: "#e3e3e3"))
            e.append(SVG.line(x1: xx, y1: top + h, x2: xx, y2: top + h + 4, stroke: "#555"))
            if showStepLabels { e.append(SVG.text(x.label(t), x: xx, y: top + h + 17, anchor: "middle", size: 11)) }
        }
        // Epoch ends, labelled when there is room between them.
        var lastLabel = -Double.infinity
        for row in epochs {
            let xx = px(Double(row.step))
            e.append(SVG.line(x1: xx, y1: top, x2: xx, y2: top + h, stroke: "#bbb", dash: "2,3"))
            if showStepLabels && xx - lastLabel > 42 {
                e.append(SVG.text("e\(row.epoch)", x: xx, y: top + h + 31, anchor: "middle", size: 10, fill: "#777"))
                lastLabel = xx
            }
        }
        e.append(SVG.text(panel.axisTitle, x: left - 52, y: top + h / 2, anchor: "middle", size: 12, rotate: -90))

        // Data, clipped to the frame by clamping (a diverging value should not paint over other panels).
        var data: [SVGElement] = []
        for s in panel.series where !s.points.isEmpty {
            let points = s.points.filter { $0.y.isFinite }.map { (x: px($0.x), y: min(top + h, max(top, py($0.y)))) }
            var line = SVG.polyline(points, stroke: s.colour, width: s.width, dash: s.dash, label: s.name)
            if let opacity = s.opacity { line.attributes.append(("stroke-opacity", SVG.number(opacity))) }
            data.append(line)
            if s.markers {
                for p in points { data.append(SVG.circle(x: p.x, y: p.y, r: 3.2, fill: s.colour, stroke: "white", className: "marker")) }
            }
        }
        e.append(SVG.group(data))

        // Legend to the right of the frame, so it never hides data.
        var ly = top + 12
        for s in panel.series {
            var swatch = SVG.line(
                x1: legendX, y1: ly - 4, x2: legendX + 24, y2: ly - 4, stroke: s.colour, width: max(2, s.width), dash: s.dash)
            if let opacity = s.opacity { swatch.attributes.append(("stroke-opacity", SVG.number(opacity))) }
            e.append(swatch)
            if s.markers { e.append(SVG.circle(x: legendX + 12, y: ly - 4, r: 3.2, fill: s.colour, stroke: "white")) }
            e.append(SVG.text(s.name + (s.points.isEmpty ? " (none yet)" : ""), x: legendX + 30, y: ly, size: 11))
            ly += 18
        }
        if !epochs.isEmpty && explainEpochs {
            e.append(SVG.line(x1: legendX, y1: ly - 4, x2: legendX + 24, y2: ly - 4, stroke: "#999", dash: "2,3"))
            e.append(SVG.text("validation pass in epoch N (eN)", x: legendX + 30, y: ly, size: 11, fill: "#555"))
        }
        return SVG.group(e)
    }
}

extension CurvePlot {
    /// `train --plot`: redraws MODEL.curves.svg from the run's metrics log. A
    /// picture that cannot be written is reported through `warn`, never a
    /// reason to stop training.
    package static func drawDuringTraining(_ trainer: Trainer, warn: (String) -> Void) {
        let output = trainer.files.curves
        do { try write(log: trainer.metricsPath, to: output) } catch { warn("could not draw \(output): \(error)") }
    }
}
