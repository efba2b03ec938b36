import Foundation
import TradingDomain
import Plot

/// How tick values of an axis are written.
public enum TickFormat: Sendable, Equatable {
    /// `0.53` with this many decimals.
    case decimal(Int)
    /// A day number (days since 1970-01-01) as an ISO date.
    case date
    /// A whole number (a year, a count).
    case integer

    public func text(_ x: Double) -> String {
        guard x.isFinite else { return "" }
        switch self {
        case .decimal(let d):
            let v = abs(x) < 0.5 * pow(10, -Double(d)) ? 0 : x
            return String(format: "%.\(d)f", v)
        case .integer: return String(Int(x.rounded()))
        case .date: return Self.isoDate(dayNumber: Int(x.rounded()))
        }
    }

    /// The ISO date of a day number (days since 1970-01-01, proleptic Gregorian).
    public static func isoDate(dayNumber: Int) -> String {
        Day(number: Int32(dayNumber)).iso
    }
}

/// One axis of a chart: its title, how its ticks read, and its range (from the data when nil).
public struct Axis: Sendable, Equatable {
    public var title: String
    public var format: TickFormat
    public var domain: ClosedRange<Double>?

    public init(_ title: String, format: TickFormat = .decimal(2), domain: ClosedRange<Double>? = nil) {
        self.title = title
        self.format = format
        self.domain = domain
    }
}

/// A point of a line chart, with the interval around it when there is one.
public struct ChartPoint: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public var lower: Double?
    public var upper: Double?

    public init(x: Double, y: Double, lower: Double? = nil, upper: Double? = nil) {
        self.x = x
        self.y = y
        self.lower = lower
        self.upper = upper
    }
}

/// A named line of a chart.
public struct Series: Sendable, Equatable {
    public var name: String
    public var points: [ChartPoint]
    public var dashed: Bool

    public init(_ name: String, _ points: [ChartPoint], dashed: Bool = false) {
        self.name = name
        self.points = points
        self.dashed = dashed
    }
}

/// A horizontal (line chart) or vertical (histogram) reference line at `value`, e.g. a trigger
/// threshold or the take threshold.
public struct Threshold: Sendable, Equatable {
    public var label: String
    public var value: Double

    public init(_ label: String, _ value: Double) {
        self.label = label
        self.value = value
    }
}

/// A classifier's scores on labelled rows, drawn as its ROC curve.
public struct RocCurve: Sendable, Equatable {
    public var name: String
    public var labels: [Int]
    public var scores: [Double]
    public var dashed: Bool

    public init(_ name: String, labels: [Int], scores: [Double], dashed: Bool = false) {
        self.name = name
        self.labels = labels
        self.scores = scores
        self.dashed = dashed
    }
}

/// One bin of a reliability diagram: predicted against observed, with the bin's count.
public struct ReliabilityBin: Sendable, Equatable {
    public var lower: Double
    public var upper: Double
    public var count: Int
    public var meanPredicted: Double?
    public var observed: Double?
    public var observedLower: Double?
    public var observedUpper: Double?

    public init(lower: Double, upper: Double, count: Int, meanPredicted: Double?, observed: Double?,
                observedLower: Double? = nil, observedUpper: Double? = nil) {
        self.lower = lower
        self.upper = upper
        self.count = count
        self.meanPredicted = meanPredicted
        self.observed = observed
        self.observedLower = observedLower
        self.observedUpper = observedUpper
    }

    /// Ten equal-width bins of `probabilities` against `labels` (1 success); the last bin
    /// includes 1. Empty bins carry no point.
    public static func bins(labels: [Int], probabilities: [Double], count binCount: Int = 10) -> [ReliabilityBin] {
        var n = [Int](repeating: 0, count: binCount), wins = n
        var sums = [Double](repeating: 0, count: binCount)
        for (y, p) in zip(labels, probabilities) where p.isFinite {
            let b = min(binCount - 1, max(0, Int((p * Double(binCount)).rounded(.down))))
            n[b] += 1
            wins[b] += y == 1 ? 1 : 0
            sums[b] += p
        }
        return (0..<binCount).map { b in
            ReliabilityBin(lower: Double(b) / Double(binCount), upper: Double(b + 1) / Double(binCount), count: n[b],
                           meanPredicted: n[b] > 0 ? sums[b] / Double(n[b]) : nil,
                           observed: n[b] > 0 ? Double(wins[b]) / Double(n[b]) : nil)
        }
    }
}

/// A period on a timeline (a version's time in production).
public struct TimelineSpan: Sendable, Equatable {
    public var label: String
    public var start: Double
    public var end: Double

    public init(_ label: String, start: Double, end: Double) {
        self.label = label
        self.start = start
        self.end = end
    }
}

/// A moment on a timeline (a decision, a promotion, a rollback); `kind` picks its mark.
public struct TimelineEvent: Sendable, Equatable {
    public var x: Double
    public var label: String
    public var kind: String

    public init(x: Double, label: String, kind: String) {
        self.x = x
        self.label = label
        self.kind = kind
    }
}

/// The report's charts: small pure functions from their data to inline SVG (axes with ticks,
/// a legend, a `<title>` and `<desc>` for screen readers), scaled by their `viewBox` so they
/// fit a phone and print. Empty data still draws the axes, with a "no data" note.
public enum Chart {
    /// The drawing area inside the SVG's `viewBox`.
    public struct Frame: Sendable, Equatable {
        public var width = 640.0
        public var height = 300.0
        public var left = 56.0
        public var right = 168.0
        public var top = 24.0
        public var bottom = 44.0

        public init() {}

        public var plotLeft: Double { left }
        public var plotRight: Double { width - right }
        public var plotTop: Double { top }
        public var plotBottom: Double { height - bottom }
        public var legendX: Double { width - right + 12 }
    }

    public static let frame = Frame()

    // MARK: line chart

    /// Lines over x (a date or a number) with their intervals as error bars and `thresholds`
    /// as horizontal dashed lines.
    public static func line(title: String, description: String, series: [Series], thresholds: [Threshold] = [],
                            x: Axis, y: Axis, frame f: Frame = frame) -> BodyNode {
        let points = series.flatMap(\.points)
        let xs = LinearScale(domain: x.domain ?? LinearScale.extent(points.map(\.x), pad: 0.02), range: (f.plotLeft, f.plotRight))
        let yValues = points.flatMap { [$0.y, $0.lower, $0.upper].compactMap { $0 } } + thresholds.map(\.value)
        let ys = LinearScale(domain: y.domain ?? LinearScale.extent(yValues, pad: 0.08), range: (f.plotBottom, f.plotTop))
        // Without data a date axis has no dates to show: no tick labels rather than 1970.
        var body = axes(xs, ys, x: x, y: y, frame: f, xTicks: !(points.isEmpty && x.domain == nil))
        for t in thresholds where ys.domain.contains(t.value) {
            let py = ys(t.value)
            body.append(SVG.line(x1: f.plotLeft, y1: py, x2: f.plotRight, y2: py, stroke: Palette.threshold, width: 1.5, dashed: true,
                                 extra: [("class", "threshold"), ("data-value", String(t.value))]))
            body.append(SVG.text("\(t.label) \(y.format.text(t.value))", x: f.plotRight - 4, y: py - 4, anchor: "end", size: 10,
                                 extra: [("fill", Palette.threshold)]))
        }
        for (i, s) in series.enumerated() {
            let color = Palette.color(i)
            var group: [BodyNode] = []
            for p in s.points {
                if let lo = p.lower, let hi = p.upper, lo.isFinite, hi.isFinite {
                    let px = xs(p.x)
                    group.append(SVG.line(x1: px, y1: ys(lo), x2: px, y2: ys(hi), stroke: color, width: 1.2, extra: [("class", "interval")]))
                    group.append(SVG.line(x1: px - 3, y1: ys(lo), x2: px + 3, y2: ys(lo), stroke: color, width: 1.2))
                    group.append(SVG.line(x1: px - 3, y1: ys(hi), x2: px + 3, y2: ys(hi), stroke: color, width: 1.2))
                }
            }
            if let d = SVG.pathData(s.points.map { (xs($0.x), ys($0.y)) }) {
                group.append(SVG.path(d, stroke: color, dashed: s.dashed, extra: [("class", "series"), ("data-series", s.name)]))
            }
            for p in s.points where p.y.isFinite {
                group.append(SVG.circle(x: xs(p.x), y: ys(p.y), r: 2.5, fill: color))
            }
            body.append(SVG.element("g", [("data-series", s.name)], group))
        }
        body.append(legend(series.enumerated().map { ($0.element.name, Palette.color($0.offset), $0.element.dashed) }
                           + (thresholds.isEmpty ? [] : [("threshold", Palette.threshold, true)]), frame: f))
        if points.isEmpty { body.append(noData(f)) }
        return svg(kind: "line", title: title, description: description, frame: f, body)
    }

    // MARK: ROC

    /// The ROC curve's points (false positive rate, true positive rate) from (0, 0) to (1, 1):
    /// one point per distinct score, taken from the highest down, so tied scores make one
    /// diagonal step. Empty when a class is missing.
    public static func rocPoints(labels: [Int], scores: [Double]) -> [(Double, Double)] {
        let pairs = zip(labels, scores).filter { $0.1.isFinite }
        let positives = pairs.filter { $0.0 == 1 }.count
        let negatives = pairs.count - positives
        guard positives > 0, negatives > 0 else { return [] }
        let sorted = pairs.sorted { $0.1 > $1.1 }
        var out: [(Double, Double)] = [(0, 0)]
        var tp = 0, fp = 0, i = 0
        while i < sorted.count {
            let score = sorted[i].1
            while i < sorted.count && sorted[i].1 == score {
                if sorted[i].0 == 1 { tp += 1 } else { fp += 1 }
                i += 1
            }
            out.append((Double(fp) / Double(negatives), Double(tp) / Double(positives)))
        }
        return out
    }

    /// ROC curves on a square plot with the chance diagonal; the legend carries each curve's name
    /// (the caller puts the AUC and its interval there).
    public static func roc(title: String, description: String, curves: [RocCurve]) -> BodyNode {
        var f = Frame()
        f.height = 380
        f.width = 56 + 300 + 24 + 260
        f.right = 284
        let xs = LinearScale(domain: 0...1, range: (f.plotLeft, f.plotRight))
        let ys = LinearScale(domain: 0...1, range: (f.plotBottom, f.plotTop))
        var body = axes(xs, ys, x: Axis("false positive rate"), y: Axis("true positive rate"), frame: f)
        body.append(SVG.line(x1: xs(0), y1: ys(0), x2: xs(1), y2: ys(1), stroke: "#888", dashed: true, extra: [("class", "chance")]))
        var drawn = 0
        for (i, c) in curves.enumerated() {
            let points = rocPoints(labels: c.labels, scores: c.scores)
            guard let d = SVG.pathData(points.map { (xs($0.0), ys($0.1)) }) else { continue }
            drawn += 1
            body.append(SVG.path(d, stroke: Palette.color(i), dashed: c.dashed, extra: [("class", "series roc"), ("data-series", c.name)]))
        }
        body.append(legend(curves.enumerated().map { ($0.element.name, Palette.color($0.offset), $0.element.dashed) }
                           + [("chance (AUC 0.5)", "#888", true)], frame: f))
        if drawn == 0 { body.append(noData(f)) }
        return svg(kind: "roc", title: title, description: description, frame: f, body)
    }

    // MARK: reliability

    /// Observed success rate against mean predicted probability per bin, with Wilson error bars
    /// where given, the diagonal of perfect calibration, and each bin's count written above it.
    public static func reliability(title: String, description: String, bins: [ReliabilityBin]) -> BodyNode {
        var f = Frame()
        f.height = 380
        f.width = 56 + 300 + 24 + 180
        f.right = 204
        let xs = LinearScale(domain: 0...1, range: (f.plotLeft, f.plotRight))
        let ys = LinearScale(domain: 0...1, range: (f.plotBottom, f.plotTop))
        var body = axes(xs, ys, x: Axis("mean predicted probability"), y: Axis("observed success rate"), frame: f)
        body.append(SVG.line(x1: xs(0), y1: ys(0), x2: xs(1), y2: ys(1), stroke: "#888", dashed: true, extra: [("class", "chance")]))
        let color = Palette.color(0)
        let filled = bins.filter { $0.count > 0 && $0.meanPredicted != nil && $0.observed != nil }
        for b in filled {
            let px = xs(b.meanPredicted!), py = ys(b.observed!)
            if let lo = b.observedLower, let hi = b.observedUpper {
                body.append(SVG.line(x1: px, y1: ys(lo), x2: px, y2: ys(hi), stroke: color, width: 1.2, extra: [("class", "interval")]))
            }
            body.append(SVG.circle(x: px, y: py, r: 3.5, fill: color, extra: [("class", "bin"), ("data-count", String(b.count))]))
            body.append(SVG.text("n=\(b.count)", x: px, y: py - 7, anchor: "middle", size: 9, extra: [("class", "count")]))
        }
        if let d = SVG.pathData(filled.map { (xs($0.meanPredicted!), ys($0.observed!)) }) {
            body.append(SVG.path(d, stroke: color, width: 1.5, extra: [("class", "series"), ("data-series", "observed")]))
        }
        body.append(legend([("observed (95 % Wilson)", color, false), ("perfect calibration", "#888", true)], frame: f))
        if filled.isEmpty { body.append(noData(f)) }
        return svg(kind: "reliability", title: title, description: description, frame: f, body)
    }

    // MARK: histogram

    /// The distributions of two groups' scores (each as the share of its group per bin, so
    /// groups of different sizes compare) as outlined steps, with a vertical threshold line.
    public static func histogram(title: String, description: String, a: (name: String, values: [Double]),
                                 b: (name: String, values: [Double]), bins: Int = 20, domain: ClosedRange<Double> = 0...1,
                                 threshold: Threshold? = nil, x: Axis = Axis("predicted probability")) -> BodyNode {
        let f = Frame()
        func shares(_ values: [Double]) -> [Double] {
            var c = [Double](repeating: 0, count: bins)
            let span = domain.upperBound - domain.lowerBound
            let finite = values.filter(\.isFinite)
            for v in finite {
                let i = min(bins - 1, max(0, Int(((v - domain.lowerBound) / span * Double(bins)).rounded(.down))))
                c[i] += 1
            }
            return finite.isEmpty ? c : c.map { $0 / Double(finite.count) }
        }
        let sa = shares(a.values), sb = shares(b.values)
        let xs = LinearScale(domain: domain, range: (f.plotLeft, f.plotRight))
        let top = max(0.05, (sa + sb).max() ?? 0) * 1.1
        let ys = LinearScale(domain: 0...top, range: (f.plotBottom, f.plotTop))
        var body = axes(xs, ys, x: x, y: Axis("share of the group", format: .decimal(2)), frame: f)
        let width = (domain.upperBound - domain.lowerBound) / Double(bins)
        for (i, (name, s, count)) in [(a.name, sa, a.values.count), (b.name, sb, b.values.count)].enumerated() where count > 0 {
            var points: [(Double, Double)] = [(xs(domain.lowerBound), ys(0))]
            for (k, v) in s.enumerated() {
                let x0 = domain.lowerBound + Double(k) * width
                points.append((xs(x0), ys(v)))
                points.append((xs(x0 + width), ys(v)))
            }
            points.append((xs(domain.upperBound), ys(0)))
            let color = Palette.color(i)
            body.append(SVG.path(SVG.pathData(points)!, stroke: color, width: 1.5, fill: color,
                                 extra: [("fill-opacity", "0.18"), ("class", "series"), ("data-series", name)]))
        }
        if let t = threshold, domain.contains(t.value) {
            let px = xs(t.value)
            body.append(SVG.line(x1: px, y1: f.plotTop, x2: px, y2: f.plotBottom, stroke: Palette.threshold, width: 1.5, dashed: true,
                                 extra: [("class", "threshold"), ("data-value", String(t.value))]))
            body.append(SVG.text("\(t.label) \(x.format.text(t.value))", x: px + 4, y: f.plotTop + 10, size: 10,
                                 extra: [("fill", Palette.threshold)]))
        }
        body.append(legend([("\(a.name) (n=\(a.values.count))", Palette.color(0), false), ("\(b.name) (n=\(b.values.count))", Palette.color(1), false)]
                           + (threshold.map { [($0.label, Palette.threshold, true)] } ?? []), frame: f))
        if a.values.isEmpty && b.values.isEmpty { body.append(noData(f)) }
        return svg(kind: "histogram", title: title, description: description, frame: f, body)
    }

    // MARK: bars

    /// Horizontal bars, one per (label, value), in the given order, each with its value written.
    public static func bars(title: String, description: String, bars: [(label: String, value: Double)],
                            format: TickFormat = .decimal(3), axis: String = "importance") -> BodyNode {
        var f = Frame()
        f.left = 190
        f.right = 60
        f.height = f.top + f.bottom + 20 * Double(max(1, bars.count))
        let values = bars.map(\.value).filter(\.isFinite)
        let lo = min(0, values.min() ?? 0), hi = max(values.max() ?? 1, lo + 1e-12)
        let xs = LinearScale(domain: lo...hi, range: (f.plotLeft, f.plotRight))
        let ys = LinearScale(domain: 0...Double(max(1, bars.count)), range: (f.plotTop, f.plotBottom))
        var body = axes(xs, nil, x: Axis(axis, format: format), y: nil, frame: f)
        for (i, bar) in bars.enumerated() where bar.value.isFinite {
            let y0 = ys(Double(i)) + 3, h = ys(Double(i + 1)) - ys(Double(i)) - 6
            let x0 = xs(min(0, bar.value)), x1 = xs(max(0, bar.value))
            body.append(SVG.rect(x: x0, y: y0, width: x1 - x0, height: h, fill: Palette.color(0),
                                 extra: [("class", "bar"), ("data-label", bar.label), ("data-value", String(bar.value))]))
            body.append(SVG.text(bar.label, x: f.plotLeft - 6, y: y0 + h / 2 + 4, anchor: "end", size: 10))
            body.append(SVG.text(format.text(bar.value), x: x1 + 4, y: y0 + h / 2 + 4, size: 9))
        }
        if bars.isEmpty { body.append(noData(f)) }
        return svg(kind: "bars", title: title, description: description, frame: f, body)
    }

    // MARK: timeline

    /// The kinds of timeline marks, in legend order, with their colours.
    public static let eventKinds: [(kind: String, color: String)] = [
        ("promotion", "#009E73"), ("rollback", "#B00020"), ("retrain", "#0072B2"), ("kept", "#E69F00"), ("skip", "#999999"),
    ]

    /// Spans (versions in production) in one lane and events (decisions, promotions,
    /// rollbacks) as marks in a second, along a date axis.
    public static func timeline(title: String, description: String, spans: [TimelineSpan], events: [TimelineEvent],
                                format: TickFormat = .date) -> BodyNode {
        var f = Frame()
        f.height = 170
        let xsAll = spans.flatMap { [$0.start, $0.end] } + events.map(\.x)
        let xs = LinearScale(domain: LinearScale.extent(xsAll, pad: 0.03), range: (f.plotLeft, f.plotRight))
        var body = axes(xs, nil, x: Axis("date", format: format), y: nil, frame: f, xTicks: !xsAll.isEmpty)
        let spanY = f.plotTop + 8, eventY = f.plotTop + 78
        body.append(SVG.text("production", x: f.plotLeft - 4, y: spanY + 14, anchor: "end", size: 9))
        body.append(SVG.text("decisions", x: f.plotLeft - 4, y: eventY + 4, anchor: "end", size: 9))
        for (i, s) in spans.enumerated() {
            let x0 = xs(s.start), x1 = max(xs(s.end), x0 + 2)
            body.append(SVG.rect(x: x0, y: spanY, width: x1 - x0, height: 20, fill: Palette.color(i),
                                 extra: [("fill-opacity", "0.55"), ("class", "span"), ("data-label", s.label)]))
            body.append(SVG.text(s.label, x: x0 + 3, y: spanY + 34 + Double(i % 2) * 11, size: 9))
        }
        for e in events {
            let color = eventKinds.first { $0.kind == e.kind }?.color ?? "#555"
            let px = xs(e.x)
            body.append(SVG.line(x1: px, y1: spanY, x2: px, y2: eventY, stroke: color, width: 0.6, extra: [("stroke-opacity", "0.5")]))
            body.append(SVG.element("path", [("d", "M \(SVG.number(px)) \(SVG.number(eventY - 6)) L \(SVG.number(px + 5)) \(SVG.number(eventY)) L \(SVG.number(px)) \(SVG.number(eventY + 6)) L \(SVG.number(px - 5)) \(SVG.number(eventY)) Z"),
                                             ("fill", color), ("class", "event"), ("data-kind", e.kind)],
                                     [SVG.element("title", [], [.text(e.label)])]))
        }
        let used = Set(events.map(\.kind))
        body.append(legend(eventKinds.filter { used.contains($0.kind) }.map { ($0.kind, $0.color, false) }, frame: f))
        if spans.isEmpty && events.isEmpty { body.append(noData(f)) }
        return svg(kind: "timeline", title: title, description: description, frame: f, body)
    }

    // MARK: parts

    /// The SVG root inside a `<figure>`: `viewBox` for scaling, `role="img"` with the title and
    /// description for assistive technology, `data-chart` naming the kind.
    static func svg(kind: String, title: String, description: String, frame f: Frame, _ body: [BodyNode]) -> BodyNode {
        let id = "chart-" + slug(title)
        return .element(named: "figure", nodes: [
            .attribute(named: "class", value: "chart"),
            SVG.element("svg", [
                ("xmlns", "http://www.w3.org/2000/svg"), ("viewBox", "0 0 \(SVG.number(f.width)) \(SVG.number(f.height))"),
                ("role", "img"), ("aria-labelledby", "\(id)-title \(id)-desc"), ("data-chart", kind),
                ("font-family", "system-ui, sans-serif"),
            ], [
                SVG.element("title", [("id", "\(id)-title")], [.text(title)]),
                SVG.element("desc", [("id", "\(id)-desc")], [.text(description)]),
            ] + body),
            .element(named: "figcaption", nodes: [.text(title)]),
        ])
    }

    /// Axis lines, ticks with their labels, light grid lines, and the axis titles.
    static func axes(_ xs: LinearScale, _ ys: LinearScale?, x: Axis, y: Axis?, frame f: Frame, xTicks showTicks: Bool = true) -> [BodyNode] {
        var out: [BodyNode] = []
        out.append(SVG.line(x1: f.plotLeft, y1: f.plotBottom, x2: f.plotRight, y2: f.plotBottom, stroke: Palette.axis, extra: [("class", "axis x")]))
        let xTicks = x.format == .date ? dateTicks(xs) : xs.ticks(x.format == .integer ? min(6, max(1, Int(xs.domain.upperBound - xs.domain.lowerBound))) : 5)
        for t in showTicks ? xTicks : [] {
            let px = xs(t)
            out.append(SVG.line(x1: px, y1: f.plotBottom, x2: px, y2: f.plotBottom + 4, stroke: Palette.axis, extra: [("class", "tick")]))
            out.append(SVG.text(x.format.text(t), x: px, y: f.plotBottom + 16, anchor: "middle", size: 10, extra: [("class", "tick-label")]))
        }
        out.append(SVG.text(x.title, x: (f.plotLeft + f.plotRight) / 2, y: f.height - 8, anchor: "middle", size: 11, extra: [("class", "axis-title")]))
        if let ys, let y {
            out.append(SVG.line(x1: f.plotLeft, y1: f.plotTop, x2: f.plotLeft, y2: f.plotBottom, stroke: Palette.axis, extra: [("class", "axis y")]))
            for t in ys.ticks(5) {
                let py = ys(t)
                out.append(SVG.line(x1: f.plotLeft, y1: py, x2: f.plotRight, y2: py, stroke: Palette.grid, width: 0.6))
                out.append(SVG.line(x1: f.plotLeft - 4, y1: py, x2: f.plotLeft, y2: py, stroke: Palette.axis, extra: [("class", "tick")]))
                out.append(SVG.text(y.format.text(t), x: f.plotLeft - 7, y: py + 3.5, anchor: "end", size: 10, extra: [("class", "tick-label")]))
            }
            let cy = (f.plotTop + f.plotBottom) / 2
            out.append(SVG.text(y.title, x: 14, y: cy, anchor: "middle", size: 11,
                                extra: [("class", "axis-title"), ("transform", "rotate(-90 14 \(SVG.number(cy)))")]))
        }
        return out
    }

    /// Ticks of a date axis at round day counts (at most six).
    static func dateTicks(_ xs: LinearScale) -> [Double] {
        let span = xs.domain.upperBound - xs.domain.lowerBound
        guard span > 0 else { return [xs.domain.lowerBound.rounded()] }
        let steps = [1.0, 2, 7, 14, 30, 61, 91, 182, 365, 730, 1826, 3652]
        let step = steps.first { span / $0 <= 6 } ?? 3652
        var out: [Double] = []
        var t = (xs.domain.lowerBound / step).rounded(.up) * step
        while t <= xs.domain.upperBound { out.append(t); t += step }
        return out
    }

    /// Legend rows: a swatch (dashed for dashed lines) and the name.
    static func legend(_ items: [(String, String, Bool)], frame f: Frame) -> BodyNode {
        SVG.element("g", [("class", "legend")], items.enumerated().flatMap { i, item -> [BodyNode] in
            let y = f.plotTop + 8 + Double(i) * 16
            return [
                SVG.line(x1: f.legendX, y1: y, x2: f.legendX + 18, y2: y, stroke: item.1, width: 3, dashed: item.2),
                SVG.text(item.0, x: f.legendX + 24, y: y + 4, size: 10),
            ]
        })
    }

    static func noData(_ f: Frame) -> BodyNode {
        SVG.text("no data yet", x: (f.plotLeft + f.plotRight) / 2, y: (f.plotTop + f.plotBottom) / 2, anchor: "middle", size: 13,
                 extra: [("class", "no-data"), ("fill", "#777")])
    }

    /// Lower-case letters and digits joined by dashes: an id from a title.
    static func slug(_ s: String) -> String {
        var out = ""
        for c in s.lowercased() {
            if c.isASCII && (c.isLetter || c.isNumber) { out.append(c) } else if !out.hasSuffix("-") { out.append("-") }
        }
        return out.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }
}
