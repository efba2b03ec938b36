import Foundation
import Plot
import Testing
@testable import Reports

/// The charts drawn from data whose picture is known: coordinates are checked in the SVG text.
@Suite struct ChartTests {
    /// The `d` of the path of series `name` in `svg`.
    func path(_ svg: String, series name: String) -> String? {
        guard let r = try? Regex("<path d=\"([^\"]*)\"[^>]*data-series=\"\(name)\"") else { return nil }
        return svg.firstMatch(of: r).map { String($0.output[1].substring ?? "") }
    }

    /// The attribute values of every element of `tag` with class `cls`.
    func attribute(_ attr: String, of tag: String, class cls: String, in svg: String) -> [String] {
        let r = try! Regex("<\(tag) [^>]*>")
        return svg.matches(of: r).map { String(svg[$0.range]) }.filter { $0.contains("class=\"\(cls)\"") }.compactMap { element in
            let a = try! Regex("\(attr)=\"([^\"]*)\"")
            return element.firstMatch(of: a).map { String($0.output[1].substring ?? "") }
        }
    }

    @Test func randomScoresDrawTheDiagonal() {
        // Each score is shared by one success and one failure: every threshold admits as many of
        // each, so the curve is the diagonal from (0, 0) to (1, 1) in steps of 0.2.
        let scores = [0.9, 0.9, 0.7, 0.7, 0.5, 0.5, 0.3, 0.3, 0.1, 0.1]
        let labels = [1, 0, 0, 1, 1, 0, 0, 1, 1, 0]
        let points = Chart.rocPoints(labels: labels, scores: scores)
        #expect(points.map { $0.0 } == [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(points.map { $0.0 } == points.map { $0.1 })
        let svg = Chart.roc(title: "ROC", description: "d", curves: [RocCurve("random", labels: labels, scores: scores)]).render()
        // The plot is 300 px wide from x = 56 and 312 px high up from y = 336.
        #expect(path(svg, series: "random") == "M 56 336 L 116 273.6 L 176 211.2 L 236 148.8 L 296 86.4 L 356 24")
        #expect(svg.contains("<title id=\"chart-roc-title\">ROC</title>"))
        #expect(svg.contains("data-chart=\"roc\""))
    }

    @Test func aPerfectRankingGoesUpTheLeftEdgeFirst() {
        let points = Chart.rocPoints(labels: [1, 1, 0, 0], scores: [0.9, 0.8, 0.2, 0.1])
        #expect(points.map { [$0.0, $0.1] } == [[0, 0], [0, 0.5], [0, 1], [0.5, 1], [1, 1]])
        #expect(Chart.rocPoints(labels: [1, 1], scores: [0.2, 0.3]).isEmpty)
    }

    @Test func aThresholdLineSitsAtItsValue() {
        let series = Series("accuracy", [ChartPoint(x: 0, y: 0.5, lower: 0.4, upper: 0.6), ChartPoint(x: 10, y: 0.7)])
        let svg = Chart.line(title: "Accuracy", description: "d", series: [series], thresholds: [Threshold("trigger", 0.6)],
                             x: Axis("day", format: .integer, domain: 0...10), y: Axis("accuracy", domain: 0...1)).render()
        // y = 256 − 0.6 × (256 − 24).
        #expect(attribute("y1", of: "line", class: "threshold", in: svg) == ["116.8"])
        #expect(attribute("data-value", of: "line", class: "threshold", in: svg) == ["0.6"])
        // Points at x = 56 and 472, y = 256 − 0.5 × 232 and 256 − 0.7 × 232.
        #expect(path(svg, series: "accuracy") == "M 56 140 L 472 93.6")
        // The interval of the first point: from 0.4 to 0.6.
        #expect(attribute("y1", of: "line", class: "interval", in: svg) == ["163.2"])
        #expect(attribute("y2", of: "line", class: "interval", in: svg) == ["116.8"])
    }

    @Test func theHistogramsThresholdIsVerticalAtItsValue() {
        let svg = Chart.histogram(title: "Scores", description: "d", a: ("successes", [0.6, 0.7, 0.7]), b: ("failures", [0.2, 0.3]),
                                  bins: 10, threshold: Threshold("take", 0.5)).render()
        #expect(attribute("x1", of: "line", class: "threshold", in: svg) == ["264"])
        #expect(attribute("x2", of: "line", class: "threshold", in: svg) == ["264"])
        // Each group's shares sum to 1: successes have 1/3 in [0.6, 0.7) and 2/3 in [0.7, 0.8).
        let d = path(svg, series: "successes") ?? ""
        #expect(d.hasPrefix("M 56 256"))
        #expect(!(path(svg, series: "failures") ?? "").isEmpty)
        #expect(svg.contains("successes (n=3)") && svg.contains("failures (n=2)"))
    }

    @Test func reliabilityBinsCarryTheirCounts() {
        let bins = ReliabilityBin.bins(labels: [1, 0, 0, 1, 1, 1], probabilities: [0.15, 0.12, 0.18, 0.85, 0.9, 1.0])
        #expect(bins.map(\.count) == [0, 3, 0, 0, 0, 0, 0, 0, 1, 2])
        #expect(bins[1].observed == 1.0 / 3 && bins[9].observed == 1)
        let svg = Chart.reliability(title: "Calibration", description: "d", bins: bins).render()
        #expect(svg.contains(">n=3<") && svg.contains(">n=1<") && svg.contains(">n=2<"))
        #expect(attribute("data-count", of: "circle", class: "bin", in: svg) == ["3", "1", "2"])
        #expect(!(path(svg, series: "observed") ?? "").isEmpty)
    }

    @Test func barsAreProportionalToTheirValues() {
        let svg = Chart.bars(title: "Importance", description: "d", bars: [("rsi", 0.5), ("atr", 0.25)]).render()
        let widths = attribute("width", of: "rect", class: "bar", in: svg).compactMap(Double.init)
        #expect(widths.count == 2 && abs(widths[0] - 2 * widths[1]) < 0.02)
        #expect(svg.contains(">rsi<") && svg.contains(">0.500<"))
    }

    @Test func theTimelineMarksEveryEventAndSpan() {
        let svg = Chart.timeline(title: "Versions", description: "d",
                                 spans: [TimelineSpan("v1", start: 20_000, end: 20_030), TimelineSpan("v2", start: 20_030, end: 20_060)],
                                 events: [TimelineEvent(x: 20_030, label: "promoted v2", kind: "promotion"),
                                          TimelineEvent(x: 20_045, label: "rollback", kind: "rollback")]).render()
        #expect(attribute("data-label", of: "rect", class: "span", in: svg) == ["v1", "v2"])
        #expect(svg.contains("data-kind=\"promotion\"") && svg.contains("data-kind=\"rollback\""))
        #expect(svg.contains(">2024-10-")) // the date axis starts near day 20 000 (2024-10-04)
    }

    @Test func emptyDataDrawsAxesAndSaysSoWithoutNaN() {
        let charts = [
            Chart.roc(title: "a", description: "d", curves: []),
            Chart.line(title: "b", description: "d", series: [], x: Axis("x", format: .date), y: Axis("y")),
            Chart.reliability(title: "c", description: "d", bins: []),
            Chart.histogram(title: "e", description: "d", a: ("s", []), b: ("f", [])),
            Chart.bars(title: "f", description: "d", bars: []),
            Chart.timeline(title: "g", description: "d", spans: [], events: []),
        ].map { $0.render() }
        for svg in charts {
            #expect(svg.contains("no data yet"))
            #expect(!svg.lowercased().contains("nan") && !svg.contains("inf"))
            #expect(svg.contains("class=\"axis x\""))
        }
    }

    @Test func scalesTicksAndNumbers() {
        let ticks = LinearScale(domain: 0...1, range: (0, 100)).ticks(5)
        #expect(ticks.count == 6 && ticks.first == 0 && abs(ticks.last! - 1) < 1e-9)
        #expect(LinearScale(domain: 2...2, range: (0, 100))(2) == 50)
        #expect(SVG.number(-0.001) == "0" && SVG.number(12.345) == "12.35" && SVG.number(.nan) == "0" && SVG.number(3) == "3")
        #expect(TickFormat.isoDate(dayNumber: 0) == "1970-01-01")
        #expect(TickFormat.isoDate(dayNumber: 20_000) == "2024-10-04")
        #expect(TickFormat.decimal(2).text(-0.001) == "0.00")
    }
}
