import Foundation
import Plot

/// A node of a page's body: charts and sections are built of these (Plot's typed HTML).
public typealias BodyNode = Node<HTML.BodyContext>

/// The SVG vocabulary the charts use, as Plot nodes: one place that names elements and
/// attributes, so every chart writes the same markup (and nothing is concatenated by hand).
public enum SVG {
    /// An element with attributes (name, value) and children.
    public static func element(_ name: String, _ attributes: [(String, String)] = [], _ children: [BodyNode] = []) -> BodyNode {
        .element(named: name, nodes: attributes.map { BodyNode.attribute(named: $0.0, value: $0.1) } + children)
    }

    public static func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1,
                            dashed: Bool = false, extra: [(String, String)] = []) -> BodyNode {
        var a: [(String, String)] = [("x1", number(x1)), ("y1", number(y1)), ("x2", number(x2)), ("y2", number(y2)),
                                     ("stroke", stroke), ("stroke-width", number(width))]
        if dashed { a.append(("stroke-dasharray", "5 4")) }
        return element("line", a + extra)
    }

    public static func text(_ content: String, x: Double, y: Double, anchor: String = "start", size: Double = 11,
                            extra: [(String, String)] = []) -> BodyNode {
        .element(named: "text", nodes: ([("x", number(x)), ("y", number(y)), ("text-anchor", anchor),
                                         ("font-size", number(size)), ("fill", "#222")] + extra)
            .map { BodyNode.attribute(named: $0.0, value: $0.1) } + [.text(content)])
    }

    public static func rect(x: Double, y: Double, width: Double, height: Double, fill: String, extra: [(String, String)] = []) -> BodyNode {
        element("rect", [("x", number(x)), ("y", number(y)), ("width", number(max(0, width))), ("height", number(max(0, height))),
                         ("fill", fill)] + extra)
    }

    public static func circle(x: Double, y: Double, r: Double, fill: String, extra: [(String, String)] = []) -> BodyNode {
        element("circle", [("cx", number(x)), ("cy", number(y)), ("r", number(r)), ("fill", fill)] + extra)
    }

    /// A polyline path `M x y L x y …` through `points` (finite ones only); nil when none is.
    public static func pathData(_ points: [(Double, Double)]) -> String? {
        let finite = points.filter { $0.0.isFinite && $0.1.isFinite }
        guard let first = finite.first else { return nil }
        return (["M \(number(first.0)) \(number(first.1))"] + finite.dropFirst().map { "L \(number($0.0)) \(number($0.1))" })
            .joined(separator: " ")
    }

    public static func path(_ d: String, stroke: String, width: Double = 2, fill: String = "none", dashed: Bool = false,
                            extra: [(String, String)] = []) -> BodyNode {
        var a: [(String, String)] = [("d", d), ("stroke", stroke), ("stroke-width", number(width)), ("fill", fill)]
        if dashed { a.append(("stroke-dasharray", "6 4")) }
        return element("path", a + extra)
    }

    /// A coordinate as SVG text: at most two decimals, no trailing zeros, never `-0` or NaN
    /// (a non-finite value is drawn at 0, and the charts never pass one).
    public static func number(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        let rounded = (x * 100).rounded() / 100
        if rounded == 0 { return "0" }
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        var s = String(format: "%.2f", rounded)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }
}

/// A linear map from data values (`domain`) to pixels (`range`); a flat domain maps to the
/// middle of the range.
public struct LinearScale: Sendable, Equatable {
    public var domain: ClosedRange<Double>
    public var range: (Double, Double)

    public init(domain: ClosedRange<Double>, range: (Double, Double)) {
        self.domain = domain
        self.range = range
    }

    public func callAsFunction(_ x: Double) -> Double {
        let span = domain.upperBound - domain.lowerBound
        guard span > 0 else { return (range.0 + range.1) / 2 }
        return range.0 + (x - domain.lowerBound) / span * (range.1 - range.0)
    }

    /// About `count` round tick values (steps of 1, 2 or 5 × 10^k) inside the domain.
    public func ticks(_ count: Int = 5) -> [Double] {
        let span = domain.upperBound - domain.lowerBound
        guard span > 0, span.isFinite, count > 0 else { return [domain.lowerBound] }
        let raw = span / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        var out: [Double] = []
        var t = (domain.lowerBound / step).rounded(.up) * step
        while t <= domain.upperBound + step * 1e-9 {
            out.append(abs(t) < step * 1e-9 ? 0 : t)
            t += step
        }
        return out
    }

    public static func == (a: LinearScale, b: LinearScale) -> Bool {
        a.domain == b.domain && a.range == b.range
    }

    /// The smallest interval holding `values` (finite ones), widened by `pad` of its span on
    /// each side; `fallback` when there is none, and ±0.5 around a single value.
    public static func extent(_ values: [Double], pad: Double = 0, fallback: ClosedRange<Double> = 0...1) -> ClosedRange<Double> {
        let finite = values.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max() else { return fallback }
        if lo == hi { return (lo - 0.5)...(hi + 0.5) }
        let p = (hi - lo) * pad
        return (lo - p)...(hi + p)
    }
}

/// Series colours, distinguishable in print and for the common colour-vision deficiencies
/// (Okabe–Ito).
public enum Palette {
    public static let colors = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
    public static func color(_ i: Int) -> String { colors[((i % colors.count) + colors.count) % colors.count] }
    public static let threshold = "#B00020"
    public static let axis = "#444"
    public static let grid = "#ddd"
}
