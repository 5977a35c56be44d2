import Foundation
import Testing

@testable import TextVAE

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// What an XML parser saw in an SVG file: it must parse, or the picture will not open.
final class SVGSummary: NSObject, XMLParserDelegate {
    var elements: [String: Int] = [:]
    /// Elements by their `class` attribute ("series", "point", "marker").
    var classes: [String: Int] = [:]
    var titles: [String] = []
    var root: String?
    var rootAttributes: [String: String] = [:]
    private var inTitle = false
    private var titleText = ""
    var error: String?

    init(_ text: String) {
        super.init()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = self
        if !parser.parse() { error = parser.parserError.map { "\($0)" } ?? "parse failed" }
    }

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if root == nil { root = name; rootAttributes = attributes }
        elements[name, default: 0] += 1
        if let c = attributes["class"] { classes[c, default: 0] += 1 }
        if name == "title" { inTitle = true; titleText = "" }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inTitle { titleText += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "title" { inTitle = false; titles.append(titleText) }
    }
}

@Suite struct SVGTests {
    @Test func escapedTextSurvivesAnXMLParser() throws {
        let nasty = "a < b && c > \"d\" 'e' \u{1}\u{7} ok"
        var svg = SVG(width: 10, height: 10)
        svg.add(SVG.circle(x: 1, y: 1, r: 1, fill: "red", title: nasty, className: "point"))
        svg.add(SVG.text(nasty, x: 0, y: 0))
        let summary = SVGSummary(svg.text)
        #expect(summary.error == nil, "\(summary.error ?? "")\n\(svg.text)")
        #expect(summary.root == "svg")
        #expect(summary.classes["point"] == 1)
        // Control characters XML cannot hold are replaced; everything else comes back as written.
        #expect(summary.titles == ["a < b && c > \"d\" 'e' \u{FFFD}\u{FFFD} ok"])
    }

    @Test(arguments: [
        (0.0, 1.0, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]),
        (0.0, 1400.0, ["0", "500", "1000", "1500"]),
        (12.3, 12.3, ["11.0", "11.5", "12.0", "12.5", "13.0", "13.5", "14.0"]),
        (-3.0, 7.5, ["-5.0", "-2.5", "0.0", "2.5", "5.0", "7.5"]),
    ])
    func niceScaleTicksAreRoundAndCoverTheRange(_ c: (Double, Double, [String])) {
        let scale = NiceScale(c.0, c.1, ticks: 5)
        #expect(scale.lower <= c.0 && scale.upper >= c.1)
        #expect(scale.ticks.map(scale.label) == c.2, "range \(c.0)...\(c.1): step \(scale.step)")
    }
}

@Suite struct CurvePlotTests {
    static func metricsLines(steps: Int, epochs: Int) -> String {
        var lines: [String] = []
        for s in 1...steps {
            lines.append(
                "{\"beta\":\(Double(s) / Double(steps)),\"epoch\":\(Double(s) / 10),\"grad_norm\":1,\"kind\":\"step\",\"kl\":\(3 + s),\"loss\":50,\"rec\":\(100 - s),\"step\":\(s * 50),\"tokens_per_s\":1000}"
            )
            if s % (steps / epochs) == 0 {
                lines.append(
                    "{\"beta\":0.5,\"epoch\":\(s / (steps / epochs)),\"kind\":\"epoch\",\"seconds\":1,\"step\":\(s * 50),\"tokens_per_s\":1000,\"train_kl\":4,\"train_nelbo\":90,\"train_rec\":86,\"valid_kl\":4,\"valid_nelbo\":95,\"valid_ppl\":30,\"valid_rec\":91}"
                )
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func curveSVGIsWellFormedWithOneLinePerSeries() throws {
        try withScratchFolder { folder in
            let log = folder + "/m.metrics.jsonl", out = folder + "/m.curves.svg"
            try Data(Self.metricsLines(steps: 12, epochs: 3).utf8).write(to: URL(fileURLWithPath: log))
            let curves = try CurvePlot.write(log: log, to: out)
            #expect(curves.steps.count == 12 && curves.epochs.count == 3 && curves.skippedLines == 0)
            let summary = SVGSummary(try String(contentsOfFile: out, encoding: .utf8))
            #expect(summary.error == nil, "\(summary.error ?? "")")
            // rec (batches and their trailing mean), validation rec, validation −ELBO;
            // train KL (the same two), validation KL; β.
            #expect(summary.classes["series"] == 8, "\(summary.classes)")
            // A marker per epoch on each of the three validation series.
            #expect(summary.classes["marker"] == 3 * 3, "\(summary.classes)")
            #expect(summary.titles.contains("validation −ELBO"))
            #expect(summary.titles.contains("train rec, mean of 3 batches"), "\(summary.titles)")
        }
    }

    @Test func trainingRowsGetATrailingMean() {
        let points: [(x: Double, y: Double)] = (0..<30).map { i in (x: 50.0 * Double(i), y: i % 2 == 0 ? 10.0 : 20.0) }
        let series = CurvePlot.trainSeries("rec", "#000", points, fromSteps: true)
        #expect(series.count == 2 && series[0].points.count == 30 && series[1].points.count == 30)
        // Window 3 (30 rows / 15 = 2, at least 3): the first rows average what there is.
        let smoothed: [Double] = series[1].points.prefix(4).map { $0.y }
        #expect(smoothed == [10, 15, 40.0 / 3, 50.0 / 3])
        #expect(CurvePlot.trainSeries("rec", "#000", Array(points.prefix(7)), fromSteps: true).count == 1, "too few rows to smooth")
    }

    @Test func aRunShorterThanOneLoggingIntervalStillPlots() throws {
        var curves = TrainingCurves()
        let added = curves.add([
            "kind": "epoch", "step": 7, "epoch": 1, "beta": 0.1, "train_rec": 30.0, "train_kl": 2.0,
            "valid_rec": 29.0, "valid_kl": 1.5, "valid_nelbo": 30.5,
        ])
        #expect(added)
        let summary = SVGSummary(CurvePlot.svg(curves, title: "t").text)
        #expect(summary.error == nil)
        #expect(summary.classes["series"] == 6)
        // One point per series: markers on all of them, or nothing would show.
        #expect(summary.classes["marker"] == 6, "\(summary.classes)")
    }

    @Test(
        arguments: [
            ("missing", nil, "no such metrics log"),
            ("empty", "", "is empty"),
            ("blank", "\n\n  \n", "is empty"),
            ("not JSON", "epoch 1 rec 3\nhello\n", "holds no rows of a textvae metrics log"),
            ("other JSON", "{\"kind\":\"other\",\"step\":1}\n[1,2]\n", "holds no rows of a textvae metrics log"),
        ] as [(String, String?, String)])
    func badLogsGiveClearErrors(_ c: (name: String, content: String?, message: String)) throws {
        try withScratchFolder { folder in
            let log = folder + "/run.metrics.jsonl"
            if let content = c.content { try Data(content.utf8).write(to: URL(fileURLWithPath: log)) }
            do {
                try CurvePlot.write(log: log, to: folder + "/out.svg")
                Issue.record("\(c.name): no error")
            } catch let e as TextVAEError {
                #expect(e.description.contains(log), "\(c.name): the error names the file: \(e)")
                #expect(e.description.contains(c.message), "\(c.name): \(e)")
                #expect(e.description.contains("; "), "\(c.name): the error says what to do: \(e)")
            }
            #expect(!FileManager.default.fileExists(atPath: folder + "/out.svg"), "\(c.name): no picture for a bad log")
        }
    }

    @Test func aTruncatedLastLineIsSkippedNotFatal() throws {
        try withScratchFolder { folder in
            let log = folder + "/m.metrics.jsonl"
            try Data((Self.metricsLines(steps: 4, epochs: 2) + "{\"kind\":\"st").utf8).write(to: URL(fileURLWithPath: log))
            let curves = try TrainingCurves.read(log)
            #expect(curves.steps.count == 4 && curves.epochs.count == 2 && curves.skippedLines == 1)
        }
    }
}
