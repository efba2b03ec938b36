import Foundation
import ModelMetrics
import Plot

/// A replay's page (`replay.html` in its folder): what acting on the daemon's live predictions
/// would have done (cumulative return of all signals against the top group), the AUC per year
/// with its intervals, the calibration of the live predictions, the baselines, and the
/// decisions timeline.
public struct ReplayPage: Sendable {
    /// The live AUC of one calendar year of entry.
    public struct Year: Sendable, Equatable {
        public var year: Int
        public var n: Int
        public var auc: Interval

        public init(year: Int, n: Int, auc: Interval) {
            self.year = year
            self.n = n
            self.auc = auc
        }
    }

    /// A baseline and the paired test against it.
    public struct Baseline: Sendable, Equatable {
        public var name: String
        public var covered: Int
        public var auc: Interval
        public var verdict: String

        public init(name: String, covered: Int, auc: Interval, verdict: String) {
            self.name = name
            self.covered = covered
            self.auc = auc
            self.verdict = verdict
        }
    }

    public var from: String
    public var through: String
    public var figures: [Figure]
    /// Cumulative return (sum of return_pct, in %) over entry dates: all signals first.
    public var cumulative: [Series]
    public var cumulativeNote: String
    public var years: [Year]
    public var calibration: [ReliabilityBin]
    public var baselines: [Baseline]
    public var spans: [TimelineSpan]
    public var events: [TimelineEvent]
    /// Other pages to link: (text, relative address).
    public var links: [(String, String)] = []

    public init(from: String, through: String, figures: [Figure], cumulative: [Series], cumulativeNote: String, years: [Year],
                calibration: [ReliabilityBin], baselines: [Baseline], spans: [TimelineSpan], events: [TimelineEvent]) {
        self.from = from
        self.through = through
        self.figures = figures
        self.cumulative = cumulative
        self.cumulativeNote = cumulativeNote
        self.years = years
        self.calibration = calibration
        self.baselines = baselines
        self.spans = spans
        self.events = events
    }

    public static let fileName = "replay.html"

    public func render() -> String {
        let yearSeries = Series("live AUC", years.map { ChartPoint(x: Double($0.year), y: $0.auc.estimate, lower: $0.auc.lower, upper: $0.auc.upper) })
        let yearDomain = (Double(years.first?.year ?? 0) - 0.5)...(Double(years.last?.year ?? 1) + 0.5)
        var sections: [BodyNode] = []
        sections.append(Page.section("Summary", id: "summary", [Page.figures(figures)]))
        sections.append(Page.section("What acting on it would have done", id: "returns", [
            Page.paragraph(cumulativeNote),
            Chart.line(title: "Cumulative return", description: "Sum of the labeled live signals' returns over their entry dates: all signals against the top group by live probability",
                       series: cumulative, thresholds: [], x: Axis("entry date", format: .date), y: Axis("cumulative return (%)", format: .decimal(1))),
        ]))
        sections.append(.div(.class("grid"),
            Page.section("AUC per year", id: "years", [
                Chart.line(title: "Live AUC per year", description: "AUC of the live predictions per calendar year of entry with its DeLong interval, and chance",
                           series: [yearSeries], thresholds: [Threshold("chance", 0.5)],
                           x: Axis("year", format: .integer, domain: years.isEmpty ? nil : yearDomain), y: Axis("AUC", domain: 0...1)),
                Page.table(["year", "n", "AUC (95 %)"], years.map { y in
                    [.text(String(y.year)), .text(String(y.n)), Page.figure(Figure("AUC", key: "year.\(y.year).auc", interval: y.auc))]
                }),
            ]),
            Page.section("Calibration of the live predictions", id: "calibration", [
                Chart.reliability(title: "Calibration of the live predictions", description: "Observed success rate against live probability per bin, with Wilson intervals and counts", bins: calibration),
            ])
        ))
        sections.append(Page.section("Baselines", id: "baselines", [
            Page.table(["baseline", "signals", "AUC (95 %)", "verdict"], baselines.map { b in
                [.text(b.name), .text(String(b.covered)), Page.figure(Figure("AUC", key: "baseline.\(b.name).auc", interval: b.auc)), .text(b.verdict)]
            }),
        ]))
        sections.append(Page.section("Decisions", id: "decisions", [
            Chart.timeline(title: "Versions and decisions during the replay", description: "Each version's time in production and every decision of the period",
                           spans: spans, events: events),
        ]))
        return Page.document(title: "Replay \(from) .. \(through)", subtitle: "the daemon replayed day by day over the store's past",
                             nav: [("Summary", "#summary"), ("Returns", "#returns"), ("Years", "#years"), ("Decisions", "#decisions")] + links, sections)
    }
}
