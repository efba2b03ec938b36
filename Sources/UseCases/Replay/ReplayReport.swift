import Foundation
import ModelMetrics
import Policy
import Reports
import Store
import TradingDomain

/// What `improvementd replay` writes in its folder once the walk is over, computed from the
/// scratch store alone (so independent of how the walk ran): `predictions.csv`,
/// `decisions.csv`, `models.csv`, `summary.json`, `summary.txt` and `replay.html`, with the
/// history pages in its reports folder (README.md, "Replay" and "Reports").
///
/// The live predictions are the scores the trading system would have acted on
/// (`LivePrediction.rule`); the summary measures those whose outcome is known, and scores the
/// baselines on the very same signals (`ReplayBaselines`).
public enum ReplayReport {
    /// Writes the five files for the period `from...through` into `dir` (created if needed) and
    /// returns the summary's text (`summary.txt`).
    public static func write(app: App, from: Day, through: Day, to dir: String) throws -> String {
        let started = ReplayBaselines.now()
        let store = app.store
        let calendar = ReplayCalendar(timeZoneIdentifier: app.config.schedule.timezone)
        let live = LivePrediction.select(try store.earliestPredictions(), from: from, through: through, calendar: calendar)
        let decisions = try store.decisionRecords()
        let versions = try store.modelVersions()
        let history = try store.promotionHistory()

        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        func save(_ text: String, _ name: String) throws {
            try text.write(toFile: (dir as NSString).appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        try save(ReplayTables.predictions(live), "predictions.csv")
        try save(ReplayTables.decisions(decisions, calendar: calendar), "decisions.csv")
        try save(ReplayTables.models(versions, history: history, calendar: calendar), "models.csv")

        var summary = try summarize(app: app, live: live, decisions: decisions, history: history,
                                    from: from, through: through, calendar: calendar)
        let evidence = try app.evidenceReport(before: through.adding(days: 1))
        summary.evidence = evidence.candidates.isEmpty ? nil : evidence
        summary.seconds = ReplayBaselines.now() - started
        let encoder = JSONEncoder.sortedKeys(pretty: true)
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try save(String(decoding: try encoder.encode(summary), as: UTF8.self) + "\n", "summary.json")
        let text = summary.text
        try save(text, "summary.txt")
        // The pages a person reads (README.md, "Reports"): the replay's own, and the scratch
        // store's history with every run's page in its reports folder, which it links.
        let reports = app.config.reportsDir
        var page = HTMLReports.replayPage(summary: summary, live: live, decisions: decisions, history: history,
                                          from: from, through: through, calendar: calendar)
        let relative = reports.hasPrefix(dir + "/") ? String(reports.dropFirst(dir.count + 1)) : reports
        page.links = [("History and training runs", (relative as NSString).appendingPathComponent(HistoryPage.fileName))]
        try save(page.render(), ReplayPage.fileName)
        try HTMLReports.write(app: app, to: reports, now: Date(timeIntervalSince1970: Double(Int(through.number) + 1) * 86_400 - 1),
                              links: [("Replay", "../" + ReplayPage.fileName)].filter { _ in reports.hasPrefix(dir + "/") })
        return text
    }

    /// The summary of `live` and the period's decisions and promotions, baselines included
    /// (`seconds`, the whole report's time, is the caller's to set).
    static func summarize(
        app: App, live: [LivePrediction], decisions: [DecisionRecord], history: [PromotionRecord],
        from: Day, through: Day, calendar: ReplayCalendar
    ) throws -> ReplaySummary {
        let seed = UInt64(app.config.training.seed)
        let evaluated = live.filter(\.isLabeled)
        func scores(_ rows: [LivePrediction], blended: Bool = false) -> ReplayScores {
            ReplayScores(ids: rows.map(\.signalId), labels: rows.map { $0.outcome ?? 0 },
                         probabilities: rows.map { blended ? $0.blendedProbability! : $0.probability },
                         returns: rows.map(\.returnPct), seed: seed)
        }
        // The live decisions in entry order (a row scored before the take policy counts as taken).
        func economics(_ rows: [LivePrediction]) -> Economics {
            Economics(labels: rows.map { $0.outcome ?? 0 }, take: rows.map { $0.take ?? true }, returns: rows.map(\.returnPct))
        }
        let withBlend = evaluated.filter { $0.blendedProbability != nil }
        let byYear = Dictionary(grouping: evaluated, by: \.entryDate.year)
        let started = ReplayBaselines.now()
        let schema = FeatureSchema(externalNames: try app.store.externalNames()).hash
        let baselines = try ReplayBaselines(store: app.store, evaluated: evaluated, seed: seed, policy: app.config.policy).all(schemaHash: schema)
        let baselineSeconds = ReplayBaselines.now() - started
        let status = { (s: String) in live.filter { $0.outcomeStatus == s }.count }
        return ReplaySummary(
            from: from.iso, through: through.iso, liveRule: LivePrediction.rule, timeZone: calendar.timeZone.identifier,
            live: live.count, labeled: evaluated.count, pending: status(OutcomeStatus.pending.rawValue),
            expired: status(OutcomeStatus.expired.rawValue), unlabeled: live.filter { $0.outcomeStatus == nil }.count,
            method: "AUC intervals by DeLong (95 %), paired differences by DeLong's paired test; rates by Wilson (95 %); Brier by a percentile bootstrap of \(ReplayScores.resamples) resamples (seed \(seed)); Brier skill against the pooled base rate of the signals measured",
            daemon: scores(evaluated), blended: withBlend.isEmpty ? nil : scores(withBlend, blended: true),
            years: byYear.keys.sorted().map { ReplaySummary.Year(year: $0, scores: scores(byYear[$0]!), economics: economics(byYear[$0]!)) },
            counts: counts(decisions: decisions, history: history, from: from, through: through, calendar: calendar),
            baselines: baselines, economics: economics(evaluated), seconds: 0, baselineSeconds: baselineSeconds
        )
    }

    /// The period's decisions, retrains by cause, promotions and rollbacks.
    static func counts(decisions all: [DecisionRecord], history: [PromotionRecord], from: Day, through: Day, calendar: ReplayCalendar) -> ReplaySummary.Counts {
        func inPeriod(_ stamp: String) -> Bool { calendar.day(of: stamp).map { from <= $0 && $0 <= through } ?? false }
        let decisions = all.filter { inPeriod($0.decidedAt) }
        let retrains = decisions.filter { $0.action == RetrainAction.retrain.rawValue }
        let decoder = JSONDecoder()
        let fired = retrains.map { (try? decoder.decode(TriggerReport.self, from: Data($0.triggers.utf8)))?.firedTriggers ?? [] }
        // The reasons' texts as `RetrainReason.description` writes them.
        let schemaChange = retrains.filter { $0.reason?.hasPrefix("the feature schema changed") == true }.count
        let monthly = retrains.filter { $0.reason?.hasPrefix(RetrainReason.monthly(fired: []).description) == true }.count
        let promotions = history.filter { inPeriod($0.promotedAt) }
        let jobs = Dictionary(grouping: decisions, by: \.job)
        return ReplaySummary.Counts(
            decisions: decisions.count,
            decisionsByJob: jobs.keys.sorted().map { ReplaySummary.JobCount(job: $0, count: jobs[$0]!.count) },
            retrains: retrains.count, promotions: promotions.count,
            rollbacks: promotions.filter { $0.reason.hasPrefix("rollback") }.count,
            retrainsByTrigger: TriggerName.allCases.map { name in
                ReplaySummary.TriggerCount(trigger: name.rawValue, retrains: fired.filter { $0.contains(name) }.count)
            },
            schemaChangeRetrains: schemaChange, monthlyRetrains: monthly
        )
    }
}
