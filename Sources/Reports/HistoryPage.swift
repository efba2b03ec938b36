import Foundation
import ModelMetrics
import Plot

/// The history page (`index.html`): the live evaluations over time with their intervals and
/// the trigger thresholds as lines, the timeline of versions, promotions and rollbacks, the
/// decisions with their triggers, and a link to every training run's page.
public struct HistoryPage: Sendable {
    /// One stored evaluation of production on its window.
    public struct Evaluation: Sendable, Equatable {
        public var id: Int
        public var evaluatedAt: String
        /// Day number (days since 1970-01-01) of the window's end: the chart's x.
        public var day: Int
        public var window: String
        public var version: Int?
        public var n: Int
        public var auc: Interval?
        public var accuracy: Interval?
        public var successRate: Interval?
        /// Success rate of the signals taken against those skipped, in words, when known.
        public var takenVsSkipped: String?

        public init(id: Int, evaluatedAt: String, day: Int, window: String, version: Int?, n: Int, auc: Interval?,
                    accuracy: Interval?, successRate: Interval?, takenVsSkipped: String? = nil) {
            self.id = id
            self.evaluatedAt = evaluatedAt
            self.day = day
            self.window = window
            self.version = version
            self.n = n
            self.auc = auc
            self.accuracy = accuracy
            self.successRate = successRate
            self.takenVsSkipped = takenVsSkipped
        }
    }

    /// One stored decision.
    public struct Decision: Sendable, Equatable {
        public var id: Int
        public var decidedAt: String
        public var job: String
        public var action: String
        public var reason: String?
        /// The triggers that fired (trusted), by name.
        public var fired: [String]
        public var result: String?
        public var version: Int?

        public init(id: Int, decidedAt: String, job: String, action: String, reason: String?, fired: [String], result: String?, version: Int?) {
            self.id = id
            self.decidedAt = decidedAt
            self.job = job
            self.action = action
            self.reason = reason
            self.fired = fired
            self.result = result
            self.version = version
        }
    }

    /// A registered version and its page.
    public struct Run: Sendable, Equatable {
        public var version: Int
        public var algorithm: String
        public var status: String
        public var createdAt: String
        public var auc: Interval?
        public var page: String?

        public init(version: Int, algorithm: String, status: String, createdAt: String, auc: Interval?, page: String?) {
            self.version = version
            self.algorithm = algorithm
            self.status = status
            self.createdAt = createdAt
            self.auc = auc
            self.page = page
        }
    }

    /// One candidate of the production aggregate and its live record.
    public struct Candidate: Sendable, Equatable {
        public var name: String
        public var n: Int
        public var auc: Interval?
        public var logLoss: Interval?
        public var brier: Interval?
        public var weight: Double?
        /// Production's AUC minus the candidate's on the signals both scored, in words.
        public var versusProduction: String?

        public init(name: String, n: Int, auc: Interval?, logLoss: Interval?, brier: Interval?, weight: Double?, versusProduction: String?) {
            self.name = name
            self.n = n
            self.auc = auc
            self.logLoss = logLoss
            self.brier = brier
            self.weight = weight
            self.versusProduction = versusProduction
        }
    }

    /// The production aggregate's section: its candidates' live figures and their weights by month.
    public struct Aggregate: Sendable, Equatable {
        public var summary: String
        public var candidates: [Candidate]
        /// One series per candidate: its weight at the start of each month (x: day number).
        public var weights: [Series]

        public init(summary: String, candidates: [Candidate], weights: [Series]) {
            self.summary = summary
            self.candidates = candidates
            self.weights = weights
        }
    }

    public var generatedAt: String
    /// The production aggregate, when production is one.
    public var aggregate: Aggregate?
    /// The production line at the top (version, algorithm, AUC and grade), or nil.
    public var production: [Figure]
    public var productionTitle: String
    public var evaluations: [Evaluation]
    /// Trigger thresholds drawn on the accuracy and success-rate charts.
    public var accuracyThreshold: Threshold?
    public var successRateThreshold: Threshold?
    public var spans: [TimelineSpan]
    public var events: [TimelineEvent]
    public var decisions: [Decision]
    public var runs: [Run]
    /// Other pages to link (e.g. a replay's).
    public var links: [(String, String)]

    public init(generatedAt: String, production: [Figure], productionTitle: String, evaluations: [Evaluation],
                accuracyThreshold: Threshold?, successRateThreshold: Threshold?, spans: [TimelineSpan], events: [TimelineEvent],
                decisions: [Decision], runs: [Run], links: [(String, String)] = []) {
        self.generatedAt = generatedAt
        self.production = production
        self.productionTitle = productionTitle
        self.evaluations = evaluations
        self.accuracyThreshold = accuracyThreshold
        self.successRateThreshold = successRateThreshold
        self.spans = spans
        self.events = events
        self.decisions = decisions
        self.runs = runs
        self.links = links
    }

    public static let fileName = "index.html"
    /// Rows of the evaluations and decisions tables (the latest ones).
    public static let tableRows = 30

    public func render() -> String {
        func series(_ name: String, _ pick: (Evaluation) -> Interval?) -> Series {
            Series(name, evaluations.compactMap { e in
                pick(e).flatMap { i in i.estimate.isFinite ? ChartPoint(x: Double(e.day), y: i.estimate, lower: i.lower, upper: i.upper) : nil }
            })
        }
        let dateAxis = Axis("window end", format: .date)
        var sections: [BodyNode] = []
        sections.append(Page.section("Production", id: "production", [
            Page.paragraph(productionTitle),
            .if(!production.isEmpty, Page.figures(production)),
        ]))
        if let aggregate {
            sections.append(Page.section("The production aggregate", id: "aggregate", [
                Page.paragraph(aggregate.summary),
                Chart.line(title: "Candidate weights", description: "Each candidate's Hedge weight at the start of each month, earned by its live log loss",
                           series: aggregate.weights, x: Axis("month", format: .date), y: Axis("weight", domain: 0...1)),
                Page.table(["candidate", "n", "live AUC (95 %)", "log loss (95 %)", "Brier (95 %)", "weight", "production − candidate AUC"], aggregate.candidates.map { c in
                    [.text(c.name), .text(String(c.n)),
                     Page.figure(Figure("live AUC", key: "aggregate.\(c.name).auc", interval: c.auc)),
                     Page.figure(Figure("log loss", key: "aggregate.\(c.name).log_loss", interval: c.logLoss)),
                     Page.figure(Figure("Brier", key: "aggregate.\(c.name).brier", interval: c.brier)),
                     .text(c.weight.map { String(format: "%.3f", $0) } ?? "—"), Page.cell(c.versusProduction)]
                }),
            ]))
        }
        sections.append(Page.section("Live evaluations", id: "evaluations", [
            Page.paragraph(evaluations.isEmpty
                ? "No evaluation yet: the daily job measures production on the signals labeled in its window."
                : "\(evaluations.count) evaluation(s); each point is one window, with its 95 % interval."),
            .div(.class("grid"),
                Chart.line(title: "Live AUC", description: "AUC of production on each evaluation window with its DeLong interval",
                           series: [series("AUC", \.auc)], thresholds: [Threshold("chance", 0.5)], x: dateAxis, y: Axis("AUC", domain: 0...1)),
                Chart.line(title: "Live accuracy", description: "Accuracy per window with its Wilson interval and the accuracy trigger's threshold",
                           series: [series("accuracy", \.accuracy)], thresholds: accuracyThreshold.map { [$0] } ?? [], x: dateAxis, y: Axis("accuracy", domain: 0...1)),
                Chart.line(title: "Live success rate", description: "Success rate of the signals labeled in each window with its Wilson interval and the success-rate trigger's threshold",
                           series: [series("success rate", \.successRate)], thresholds: successRateThreshold.map { [$0] } ?? [], x: dateAxis, y: Axis("success rate", domain: 0...1))
            ),
            .if(evaluations.count > Self.tableRows, Page.paragraph("The table lists the latest \(Self.tableRows) of the \(evaluations.count) evaluations; the charts show them all.")),
            Page.table(["#", "evaluated", "window", "version", "n", "AUC", "accuracy", "success rate", "taken vs skipped"], evaluations.suffix(Self.tableRows).reversed().map { e in
                [.text(String(e.id)), .text(e.evaluatedAt), .text(e.window), .text(e.version.map { "v\($0)" } ?? "—"), .text(String(e.n)),
                 Page.figure(Figure("AUC", key: "evaluation.\(e.id).auc", interval: e.auc)),
                 Page.figure(Figure("accuracy", key: "evaluation.\(e.id).accuracy", interval: e.accuracy)),
                 Page.figure(Figure("success rate", key: "evaluation.\(e.id).success_rate", interval: e.successRate)),
                 Page.cell(e.takenVsSkipped)]
            }),
        ]))
        sections.append(Page.section("Versions, promotions and rollbacks", id: "timeline", [
            Chart.timeline(title: "Versions and decisions", description: "Each version's time in production, and every decision, promotion and rollback", spans: spans, events: events),
        ]))
        sections.append(Page.section("Decisions", id: "decisions", [
            .if(decisions.count > Self.tableRows, Page.paragraph("The latest \(Self.tableRows) of the \(decisions.count) decisions; the timeline shows them all.")),
            Page.table(["#", "decided", "job", "action", "fired", "reason", "result", "version"], decisions.suffix(Self.tableRows).reversed().map { d in
                [.text(String(d.id)), .text(d.decidedAt), .text(d.job), .strong(.text(d.action)), .text(d.fired.isEmpty ? "—" : d.fired.joined(separator: ", ")),
                 Page.cell(d.reason), Page.cell(d.result), .text(d.version.map { "v\($0)" } ?? "—")]
            }),
        ]))
        sections.append(Page.section("Training runs", id: "runs", [
            Page.table(["version", "trained", "algorithm", "status", "holdout AUC (95 %)"], runs.reversed().map { r in
                [r.page.map { BodyNode.a(.href($0), .text("v\(r.version)")) } ?? .text("v\(r.version)"), .text(r.createdAt), .text(r.algorithm), .text(r.status),
                 Page.figure(Figure("holdout AUC", key: "run.\(r.version).auc", interval: r.auc,
                                    note: r.auc.map { $0.contains(0.5) ? "no demonstrated skill" : "" }))]
            }),
        ]))
        let nav = runs.reversed().compactMap { r in r.page.map { ("v\(r.version)", $0) } }.prefix(8) + links
        return Page.document(title: "improvementd — history", subtitle: "written \(generatedAt)", nav: Array(nav), sections)
    }
}
