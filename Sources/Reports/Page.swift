import Foundation
import ModelMetrics
import Plot

/// A figure shown on a page: its label, the key tests and programs find it by, and its value
/// (with its interval when it has one). Missing values read "n/a", never a blank or NaN.
public struct Figure: Sendable, Equatable {
    public var label: String
    public var key: String
    public var value: Double?
    public var interval: Interval?
    public var decimals: Int
    /// Said after the value, e.g. "no demonstrated skill" or "grade FAIR".
    public var note: String?

    public init(_ label: String, key: String, value: Double?, decimals: Int = 4, note: String? = nil) {
        self.label = label
        self.key = key
        self.value = value
        self.decimals = decimals
        self.note = note
    }

    public init(_ label: String, key: String, interval: Interval?, decimals: Int = 3, note: String? = nil) {
        self.init(label, key: key, value: interval?.estimate, decimals: decimals, note: note)
        self.interval = interval
    }
}

/// The page frame every report shares: one self-contained HTML document (inline CSS, inline
/// SVG, no script, nothing fetched), laid out for a phone as well as a desk, and for print.
public enum Page {
    /// The whole document. `nav` links the other pages.
    public static func document(title: String, subtitle: String, nav: [(String, String)], _ sections: [BodyNode]) -> String {
        let html = HTML(
            .lang(.english),
            .head(
                .meta(.charset(.utf8)),
                .meta(.name("viewport"), .content("width=device-width, initial-scale=1")),
                .title(title),
                .style(css)
            ),
            .body(
                .header(
                    .h1(.text(title)),
                    .p(.class("subtitle"), .text(subtitle)),
                    .if(!nav.isEmpty, .nav(.forEach(nav) { .a(.href($0.1), .text($0.0)) }))
                ),
                .main(.group(sections)),
                .footer(.p(.text("Written by improvementd. Every figure carries its 95 % interval where one exists; an AUC interval that contains 0.5 means no demonstrated skill.")))
            )
        )
        return html.render(indentedBy: .spaces(1)) + "\n"
    }

    /// A titled section.
    public static func section(_ title: String, id: String, _ content: [BodyNode]) -> BodyNode {
        .section(.id(id), .h2(.text(title)), .group(content))
    }

    public static func paragraph(_ text: String, class cls: String? = nil) -> BodyNode {
        guard let cls else { return .p(.text(text)) }
        return .p(.class(cls), .text(text))
    }

    /// The figures as a two-column table (label, value).
    public static func figures(_ figures: [Figure]) -> BodyNode {
        .table(.class("figures"), .tbody(.forEach(figures) { f in
            .tr(.th(.attribute(named: "scope", value: "row"), .text(f.label)), .td(figure(f)))
        }))
    }

    /// One figure: a `<data>` element whose `value` is the exact stored number (and
    /// `data-lower`/`data-upper` its interval) and whose text is the rounded rendering.
    public static func figure(_ f: Figure) -> BodyNode {
        guard let v = f.value, v.isFinite else {
            return .span(.class("na"), .attribute(named: "data-key", value: f.key), .text("n/a" + (f.note.map { " (\($0))" } ?? "")))
        }
        var attributes: [BodyNode] = [.class("figure"), .attribute(named: "value", value: exact(v)), .attribute(named: "data-key", value: f.key)]
        var text = format(v, decimals: f.decimals)
        if let i = f.interval, i.lower.isFinite, i.upper.isFinite {
            attributes += [.attribute(named: "data-lower", value: exact(i.lower)), .attribute(named: "data-upper", value: exact(i.upper))]
            text += " [\(format(i.lower, decimals: f.decimals)), \(format(i.upper, decimals: f.decimals))]"
        }
        return .group(
            .element(named: "data", nodes: attributes + [.text(text)]),
            .if(f.note != nil, .span(.class("note"), .text(" " + (f.note ?? ""))))
        )
    }

    /// A table with a header row; cells are nodes (figures, text, links).
    public static func table(_ header: [String], _ rows: [[BodyNode]], class cls: String = "rows") -> BodyNode {
        if rows.isEmpty { return paragraph("none yet", class: "empty") }
        return .div(.class("scroll"), .table(.class(cls),
            .thead(.tr(.forEach(header) { .th(.attribute(named: "scope", value: "col"), .text($0)) })),
            .tbody(.forEach(rows) { row in .tr(.forEach(row) { .td($0) }) })
        ))
    }

    /// A number rounded for reading (never `-0`); "n/a" when not finite.
    public static func format(_ x: Double, decimals: Int) -> String {
        guard x.isFinite else { return "n/a" }
        let x = abs(x) < 0.5 * pow(10, -Double(decimals)) ? 0 : x
        return String(format: "%.\(decimals)f", x)
    }

    /// The shortest text that reads back as exactly `x` (Swift's `description` of a Double).
    public static func exact(_ x: Double) -> String { "\(x)" }

    /// Text for a cell.
    public static func cell(_ s: String?) -> BodyNode { .text(s ?? "—") }

    static let css = """
        :root{color-scheme:light;--ink:#1b1b1b;--muted:#5a5a5a;--rule:#d0d0d0;--accent:#0072B2;--bad:#B00020}
        *{box-sizing:border-box}
        body{margin:0 auto;max-width:1100px;padding:1rem;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#fff}
        header h1{font-size:1.5rem;margin:.2rem 0}
        .subtitle{color:var(--muted);margin:.2rem 0 .6rem}
        nav{display:flex;flex-wrap:wrap;gap:.4rem 1rem;padding:.4rem 0;border-bottom:1px solid var(--rule)}
        nav a{color:var(--accent)}
        h2{font-size:1.15rem;margin:1.6rem 0 .5rem;border-bottom:1px solid var(--rule);padding-bottom:.2rem}
        section{break-inside:avoid-page}
        figure.chart{margin:.6rem 0 1rem;max-width:760px}
        figure.chart svg{width:100%;height:auto;display:block;background:#fff}
        figcaption{font-size:.85rem;color:var(--muted)}
        .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,460px),1fr));gap:1rem}
        table{border-collapse:collapse;font-variant-numeric:tabular-nums}
        table.rows{width:100%;font-size:.88rem}
        th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid var(--rule);vertical-align:top}
        table.figures th{font-weight:500;color:var(--muted)}
        .scroll{overflow-x:auto}
        .na,.empty,.note{color:var(--muted)}
        .warning{color:var(--bad);font-weight:600}
        footer{margin-top:2rem;color:var(--muted);font-size:.8rem;border-top:1px solid var(--rule)}
        @media (max-width:600px){body{padding:.5rem;font-size:14px}table.rows{font-size:.8rem}th,td{padding:.2rem .3rem}}
        @media print{body{max-width:none;padding:0;font-size:11pt}nav{display:none}a{color:inherit;text-decoration:none}
          figure.chart{max-width:16cm;break-inside:avoid}table{break-inside:auto}tr{break-inside:avoid}h2{break-after:avoid}}
        """
}
