import Foundation
import Learning
import ModelMetrics
import Policy
import Reports
import Store
import TradingDomain

/// Builds the HTML pages (README.md, "Reports") from the store: a training run's page per
/// version (`run-vN.html`), the history page (`index.html`), and a replay's page. The figures
/// come from the stored rows as they are; the pages are `Reports`' pure renderings of them.
public enum HTMLReports {
    /// Writes the history page and the page of `version` (every version's when nil) into
    /// `dir`; returns the paths written, the history page first.
    @discardableResult
    public static func write(app: App, to dir: String, version: Int? = nil, now: Date = Date(), links: [(String, String)] = []) throws -> [String] {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let versions = try app.store.modelVersions()
        if let version, !versions.contains(where: { $0.version == version }) {
            throw StoreError(.notFound, "there is no model version \(version)")
        }
        var written: [String] = []
        let history = try historyPage(app: app, versions: versions, now: now, links: links)
        written.append(try save(history.render(), HistoryPage.fileName, in: dir))
        for record in versions where version == nil || record.version == version {
            written.append(try save(try runPage(app: app, record: record, versions: versions).render(), TrainingRunPage.fileName(record.version), in: dir))
        }
        return written
    }

    /// After a training run: its page and the history page, into the reports folder.
    @discardableResult
    public static func afterTraining(app: App, version: Int, now: Date = Date()) throws -> [String] {
        try write(app: app, to: app.config.reportsDir, version: version, now: now)
    }

    static func save(_ html: String, _ name: String, in dir: String) throws -> String {
        let path = (dir as NSString).appendingPathComponent(name)
        try html.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    // MARK: a training run

    public static func runPage(app: App, record: ModelVersionRecord, versions: [ModelVersionRecord]) throws -> TrainingRunPage {
        let store = app.store
        let scores = try store.holdoutScores(record.version)
        let holdout = record.holdout
        let evaluations = (try? JSONDecoder().decode([ModelEvaluation].self, from: Data(record.cvMetrics.utf8))) ?? []
        let chosen = evaluations.first { $0.algorithm.rawValue == record.algorithm }
        let own = scores?.models.first
        // The AUC interval from the stored scores (DeLong), else the run's own interval.
        let aucInterval: Interval? = own.map { DeLong.interval(labels: scores!.labels, scores: $0.probabilities) } ?? chosen?.holdoutIntervals?.auc
        let noSkill = aucInterval?.contains(0.5) ?? true
        var figures: [Figure] = [
            Figure("holdout AUC (95 % DeLong)", key: "holdout.auc", interval: aucInterval, note: noSkill ? "no demonstrated skill" : nil),
        ]
        if let m = holdout {
            figures += [
                Figure("accuracy", key: "holdout.accuracy", value: m.accuracy), Figure("precision", key: "holdout.precision", value: m.precision),
                Figure("recall", key: "holdout.recall", value: m.recall), Figure("F1", key: "holdout.f1", value: m.f1),
                Figure("Brier", key: "holdout.brier", value: m.brier), Figure("log loss", key: "holdout.log_loss", value: m.logLoss),
                Figure("base rate", key: "holdout.base_rate", value: m.baseRate), Figure("lift", key: "holdout.lift", value: m.lift, decimals: 3),
                Figure("combined score", key: "holdout.combined_score", value: m.combinedScore, note: "grade \(m.grade.rawValue)"),
            ]
        }
        figures.append(Figure("holdout rows", key: "holdout.n", value: Double(record.nHoldout), decimals: 0))
        figures.append(Figure("training rows", key: "train.n", value: Double(record.nTrain), decimals: 0))

        var curves: [TrainingRunPage.Curve] = []
        var notes: [String] = []
        var test: String?
        if let scores {
            for m in scores.models {
                let name = m.name == record.algorithm ? "v\(record.version) \(displayName(m.name))" : displayName(m.name)
                curves.append(.init(name: name, auc: DeLong.interval(labels: scores.labels, scores: m.probabilities), labels: scores.labels, scores: m.probabilities))
            }
            if let p = scores.production {
                curves.append(.init(name: "production v\(p.version.map(String.init) ?? "?")", auc: DeLong.interval(labels: scores.labels, scores: p.probabilities),
                                    labels: scores.labels, scores: p.probabilities, dashed: true))
                if let own {
                    let t = DeLong.compare(labels: scores.labels, a: own.probabilities, b: p.probabilities)
                    test = "Paired DeLong test against production v\(p.version.map(String.init) ?? "?") on the same \(scores.labels.count) rows: difference "
                        + "\(ReplaySummary.signed(t.difference)) [\(ReplaySummary.signed(t.interval.lower)), \(ReplaySummary.signed(t.interval.upper))], "
                        + "one-sided \(ReplaySummary.pValue(t.pGreater))."
                }
            } else {
                notes.append("No production model scored these holdout rows (there was none, or it could not score them), so there is no comparison curve.")
            }
        } else {
            notes.append("This version's holdout scores were not stored (it was trained before improvementd kept them in the table holdout_scores), so its ROC curve, calibration and score distribution cannot be drawn.")
        }
        let labels = scores?.labels ?? []
        let probabilities = own?.probabilities ?? []
        let bins = ReliabilityBin.bins(labels: labels, probabilities: probabilities).map { b -> ReliabilityBin in
            var b = b
            if b.count > 0, let o = b.observed {
                let w = Wilson.interval(successes: Int((o * Double(b.count)).rounded()), n: b.count)
                (b.observedLower, b.observedUpper) = (w.lower, w.upper)
            }
            return b
        }
        let successes = zip(labels, probabilities).filter { $0.0 == 1 }.map(\.1)
        let failures = zip(labels, probabilities).filter { $0.0 != 1 }.map(\.1)

        var importance: [(label: String, value: Double)] = []
        var measure = "importance"
        var stability: Double?
        var previous: Int?
        if let text = try store.importance(record.version),
           let report = try? JSONDecoder().decode(FeatureImportanceReport.self, from: Data(text.utf8)) {
            measure = report.meanAbsoluteSHAP != nil ? "mean |SHAP|" : report.permutation != nil ? "permutation AUC drop" : "gain"
            importance = report.primary.indices.sorted { report.primary[$0] > report.primary[$1] }.map { (report.features[$0], report.primary[$0]) }
            // Against the version that was production when this one was trained (as the report does).
            let history = try store.promotionHistory()
            if let before = history.last(where: { $0.version != record.version && $0.promotedAt <= record.createdAt && ($0.demotedAt ?? "~") >= record.createdAt }),
               let other = try store.importance(before.version),
               let old = try? JSONDecoder().decode(FeatureImportanceReport.self, from: Data(other.utf8)), old.features == report.features {
                stability = FeatureImportance.rankStability(old.primary, report.primary)
                previous = before.version
            }
        } else {
            notes.append("No feature importance is stored for this version.")
        }
        let parameters = (try? JSONSerialization.jsonObject(with: Data(record.hyperparameters.utf8)) as? [String: Any]) ?? [:]
        let models = evaluations.map { e in
            TrainingRunPage.ModelRow(name: e.algorithm.displayName, chosen: e.algorithm.rawValue == record.algorithm, cvAUC: e.cvAUC,
                                     holdoutAUC: e.holdoutIntervals?.auc ?? e.holdout.map { Interval(estimate: $0.auc, lower: .nan, upper: .nan) },
                                     note: e.error ?? (e.notes.isEmpty ? nil : e.notes.joined(separator: "; ")))
        }
        let promotions = try store.promotionHistory().filter { $0.version == record.version }.map { ($0.promotedAt, $0.demotedAt, $0.reason) }
        return TrainingRunPage(
            version: record.version, createdAt: record.createdAt, algorithm: displayName(record.algorithm), status: record.status,
            decisionReason: record.decisionReason ?? "no decision recorded", figures: figures, noDemonstratedSkill: noSkill,
            curves: curves, calibration: bins, successScores: successes, failureScores: failures,
            threshold: takeThreshold(record), importance: importance, importanceMeasure: measure,
            stability: stability, previousVersion: previous,
            hyperparameters: flatten(parameters), models: models, test: test,
            promotions: promotions, notes: notes
        )
    }

    /// `key = value` rows of a JSON object, nested objects as `outer.inner`, sorted by key.
    static func flatten(_ object: [String: Any], prefix: String = "") -> [(String, String)] {
        object.keys.sorted().flatMap { key -> [(String, String)] in
            let name = prefix.isEmpty ? key : "\(prefix).\(key)"
            if let inner = object[key] as? [String: Any] { return flatten(inner, prefix: name) }
            return [(name, "\(object[key]!)")]
        }
    }

    /// The history page's aggregate section from the live evidence known on `now`'s day.
    static func aggregateSection(app: App, now: Date) throws -> HistoryPage.Aggregate? {
        let report = try app.evidenceReport(now: now)
        guard !report.candidates.isEmpty else { return nil }
        let rows = ([report.production].compactMap { $0 } + report.candidates).map { c in
            HistoryPage.Candidate(name: c.name, n: c.n, auc: c.auc, logLoss: c.logLoss, brier: c.brier, weight: c.weight,
                                  versusProduction: c.versusProduction.map { t in
                                      String(format: "%+.3f [%+.3f, %+.3f]", t.difference, t.interval.lower, t.interval.upper)
                                  })
        }
        let weights = report.candidates.map { c in
            Series(c.name, report.weightsByMonth.compactMap { m in
                Day(iso: m.month + "-01").map { ChartPoint(x: Double($0.number), y: m.weights[c.name] ?? 0) }
            })
        }
        var summary = "\(report.outcomes) live outcomes; Hedge (η \(report.settings.eta), share \(report.settings.share))"
        if let best = report.best, let loss = report.bestLoss {
            summary += String(format: ": cumulative log loss %.1f against the best candidate in hindsight (%@) %.1f, within the bound %.1f.", report.aggregateLoss, best, loss, report.regretBound)
        }
        return HistoryPage.Aggregate(summary: summary, candidates: rows, weights: weights)
    }

    static func displayName(_ algorithm: String) -> String { Algorithm(rawValue: algorithm)?.displayName ?? algorithm }

    // MARK: the history page

    public static func historyPage(app: App, versions: [ModelVersionRecord], now: Date, links: [(String, String)] = []) throws -> HistoryPage {
        let store = app.store
        let calendar = ReplayCalendar(timeZoneIdentifier: app.config.schedule.timezone)
        let evaluations = try store.evaluationRecords().map { evaluationRow($0, calendar: calendar) }
        let decisions = try store.decisionRecords()
        let history = try store.promotionHistory()
        let production = versions.first { $0.status == "production" }
        var figures: [Figure] = []
        var title = "No production model yet (improvementd train)."
        if let p = production {
            let auc = try productionAUC(store: store, record: p)
            let noSkill = auc?.contains(0.5) ?? true
            title = "v\(p.version) \(displayName(p.algorithm)), trained \(p.createdAt)" + (noSkill ? " — no demonstrated skill" : "")
            figures = [Figure("holdout AUC (95 %)", key: "production.auc", interval: auc, note: noSkill ? "no demonstrated skill" : nil)]
            if let m = p.holdout { figures.append(Figure("combined score", key: "production.combined_score", value: m.combinedScore, note: "grade \(m.grade.rawValue)")) }
        }
        let (spans, events) = timeline(decisions: decisions, history: history, now: now, calendar: calendar,
                                       lastDay: evaluations.last.map { Double($0.day) })
        let t = app.config.triggers
        var page = HistoryPage(
            generatedAt: SignalStoreTime.iso(now), production: figures, productionTitle: title, evaluations: evaluations,
            accuracyThreshold: Threshold("accuracy trigger", t.accuracy),
            successRateThreshold: Threshold("success-rate trigger", t.successRate),
            spans: spans, events: events,
            decisions: decisions.map { d in
                let fired = (try? JSONDecoder().decode(TriggerReport.self, from: Data(d.triggers.utf8)))?.firedTriggers.map(\.rawValue) ?? []
                return HistoryPage.Decision(id: d.id, decidedAt: d.decidedAt, job: d.job, action: d.action, reason: d.reason, fired: fired, result: d.result, version: d.modelVersion)
            },
            runs: versions.map { v in
                HistoryPage.Run(version: v.version, algorithm: displayName(v.algorithm), status: v.status, createdAt: v.createdAt,
                                auc: (try? productionAUC(store: store, record: v)) ?? nil, page: TrainingRunPage.fileName(v.version))
            },
            links: links
        )
        if production?.algorithm == ProductionModel.aggregateAlgorithm {
            page.aggregate = try aggregateSection(app: app, now: now)
        }
        return page
    }

    /// A version's holdout AUC with its interval: from its stored scores, else from its run's
    /// figures, else the bare stored AUC (no interval).
    public static func productionAUC(store: SignalStore, record: ModelVersionRecord) throws -> Interval? {
        if let s = try store.holdoutScores(record.version), let own = s.models.first {
            return DeLong.interval(labels: s.labels, scores: own.probabilities)
        }
        let evaluations = (try? JSONDecoder().decode([ModelEvaluation].self, from: Data(record.cvMetrics.utf8))) ?? []
        if let i = evaluations.first(where: { $0.algorithm.rawValue == record.algorithm })?.holdoutIntervals?.auc { return i }
        return record.holdout.map { Interval(estimate: $0.auc, lower: .nan, upper: .nan) }
    }

    /// The version's take threshold, drawn on its holdout score distribution: the take policy's,
    /// or at 0 when the version takes every signal (no demonstrated skill, or registered before
    /// the take policy existed).
    static func takeThreshold(_ record: ModelVersionRecord) -> Threshold {
        guard let t = record.takeThreshold, t > 0 else { return Threshold("takes every signal", 0) }
        return Threshold("take threshold", t)
    }

    /// An evaluation row with the intervals its stored figures allow: Wilson for accuracy (of
    /// its n scored signals) and the success rate (of the window's labeled signals, from
    /// `details`); the AUC's DeLong interval when `details` carries one (rows stored before intervals do not).
    static func evaluationRow(_ e: EvaluationRecord, calendar: ReplayCalendar) -> HistoryPage.Evaluation {
        let details = (try? JSONSerialization.jsonObject(with: Data(e.details.utf8)) as? [String: Any]) ?? [:]
        let labeled = details["labeled_in_window"] as? Int ?? e.n
        func wilson(_ rate: Double?, _ n: Int) -> Interval? {
            guard let rate, n > 0 else { return nil }
            return Wilson.interval(successes: Int((rate * Double(n)).rounded()), n: n)
        }
        var auc = e.auc.map { Interval(estimate: $0, lower: .nan, upper: .nan) }
        // The window's DeLong interval as the daily evaluation stores it (`details.intervals.auc`).
        let stored = (details["intervals"] as? [String: Any])?["auc"] as? [String: Any]
        if let i = stored, let lo = i["lower"] as? Double, let hi = i["upper"] as? Double, let a = e.auc {
            auc = Interval(estimate: a, lower: lo, upper: hi)
        }
        // The live take policy's taken against skipped success (`details.policy.economics`).
        var takenVsSkipped: String?
        if let economics = (details["policy"] as? [String: Any])?["economics"] as? [String: Any],
           let taken = (economics["successTaken"] as? [String: Any])?["estimate"] as? Double,
           let skipped = (economics["successSkipped"] as? [String: Any])?["estimate"] as? Double {
            takenVsSkipped = String(format: "%.3f vs %.3f", taken, skipped)
        }
        let day = Day(iso: e.windowEnd.prefix(10)).map { Int($0.number) } ?? 0
        return HistoryPage.Evaluation(
            id: e.id, evaluatedAt: e.evaluatedAt, day: day, window: "\(e.windowStart) .. \(e.windowEnd)", version: e.modelVersion, n: e.n,
            auc: auc, accuracy: wilson(e.accuracy, e.n), successRate: wilson(e.successRate, labeled),
            takenVsSkipped: takenVsSkipped
        )
    }

    /// Production periods as spans and decisions, promotions and rollbacks as events, dated
    /// in the schedule's time zone. The current period ends at the latest day the store dates
    /// anything (a decision, a promotion, `lastDay`), so the page is a function of the store;
    /// `now` only when it dates nothing.
    static func timeline(decisions: [DecisionRecord], history: [PromotionRecord], now: Date, calendar: ReplayCalendar, lastDay: Double? = nil)
        -> ([TimelineSpan], [TimelineEvent]) {
        func day(_ stamp: String) -> Double? { calendar.day(of: stamp).map { Double($0.number) } }
        let dated = decisions.compactMap { day($0.decidedAt) } + history.compactMap { day($0.promotedAt) } + [lastDay].compactMap { $0 }
        let today = dated.max() ?? day(SignalStoreTime.iso(now)) ?? 0
        let spans = history.compactMap { p -> TimelineSpan? in
            guard let start = day(p.promotedAt) else { return nil }
            return TimelineSpan("v\(p.version)", start: start, end: p.demotedAt.flatMap(day) ?? max(start, today))
        }
        var events = decisions.compactMap { d -> TimelineEvent? in
            guard let x = day(d.decidedAt) else { return nil }
            let kind = d.action == RetrainAction.retrain.rawValue ? "retrain" : d.action == RetrainAction.skipped.rawValue ? "skip" : "kept"
            return TimelineEvent(x: x, label: "#\(d.id) \(d.job): \(d.action) — \(d.reason ?? "")", kind: kind)
        }
        events += history.compactMap { p in
            day(p.promotedAt).map { TimelineEvent(x: $0, label: "v\(p.version): \(p.reason)", kind: p.reason.hasPrefix("rollback") ? "rollback" : "promotion") }
        }
        return (spans, events)
    }

    // MARK: a replay

    /// The replay's page from its summary and the scratch store's rows.
    static func replayPage(summary: ReplaySummary, live: [LivePrediction], decisions: [DecisionRecord], history: [PromotionRecord],
                           from: Day, through: Day, calendar: ReplayCalendar) -> ReplayPage {
        let evaluated = live.filter(\.isLabeled).filter { $0.returnPct != nil }
        // The top group: the top 30 % of the period's labeled live signals by live probability.
        let topPercent = 30
        let ranked = ReplayScores.ranking(ids: evaluated.map(\.signalId), probabilities: evaluated.map(\.probability))
        let top = Set(ranked.prefix(ReplayScores.topCount(n: evaluated.count, percent: topPercent)).map { evaluated[$0].signalId })
        func cumulative(_ name: String, _ rows: [LivePrediction]) -> Series {
            var sum = 0.0
            var points: [ChartPoint] = []
            for r in rows.sorted(by: { ($0.entryDate, $0.signalId) < ($1.entryDate, $1.signalId) }) {
                sum += r.returnPct ?? 0 // already in percent (docs/SCHEMA.md)
                if let last = points.last, last.x == Double(r.entryDate.number) { points[points.count - 1].y = sum } else {
                    points.append(ChartPoint(x: Double(r.entryDate.number), y: sum))
                }
            }
            return Series(name, points)
        }
        let d = summary.daemon
        var figures = [
            Figure("live signals", key: "live", value: Double(summary.live), decimals: 0),
            Figure("labeled", key: "labeled", value: Double(summary.labeled), decimals: 0),
            Figure("live AUC (95 % DeLong)", key: "daemon.auc", interval: d.auc, note: d.auc.contains(0.5) ? "no demonstrated skill" : nil),
            Figure("success rate (95 % Wilson)", key: "daemon.base_rate", interval: d.baseRate),
            Figure("Brier (95 % bootstrap)", key: "daemon.brier", interval: d.brier, decimals: 4),
            Figure("retrains", key: "counts.retrains", value: Double(summary.counts.retrains), decimals: 0),
            Figure("promotions", key: "counts.promotions", value: Double(summary.counts.promotions), decimals: 0),
            Figure("rollbacks", key: "counts.rollbacks", value: Double(summary.counts.rollbacks), decimals: 0),
        ]
        for g in d.top {
            figures.append(Figure(g.percent == 100 ? "success rate, all signals" : "success rate, top \(g.percent) %", key: "daemon.top\(g.percent).success_rate", interval: g.successRate))
        }
        func inPeriod(_ stamp: String) -> Bool { calendar.day(of: stamp).map { from <= $0 && $0 <= through } ?? false }
        let (spans, events) = timeline(decisions: decisions.filter { inPeriod($0.decidedAt) }, history: history.filter { inPeriod($0.promotedAt) },
                                       now: Date(timeIntervalSince1970: Double(through.number) * 86_400), calendar: calendar)
        let curves = [cumulative("all signals", evaluated), cumulative("top \(topPercent) % by live probability", evaluated.filter { top.contains($0.signalId) })]
        figures.append(Figure("cumulative return, all signals (%)", key: "cumulative.all", value: curves[0].points.last?.y ?? 0, decimals: 2))
        figures.append(Figure("cumulative return, top \(topPercent) % (%)", key: "cumulative.top", value: curves[1].points.last?.y ?? 0, decimals: 2))
        return ReplayPage(
            from: summary.from, through: summary.through, figures: figures,
            cumulative: curves,
            cumulativeNote: "Sum of return_pct (in percent) of the \(evaluated.count) labeled live signals with a return, by entry date; the top group is the \(topPercent) % with the highest live probability over the whole period (ranked over the whole period, so chosen in hindsight; not a rule the daemon applied).",
            years: summary.years.map { ReplayPage.Year(year: $0.year, n: $0.scores.n, auc: $0.scores.auc) },
            calibration: d.calibration.map {
                ReliabilityBin(lower: $0.lower, upper: $0.upper, count: $0.count, meanPredicted: $0.meanPredicted,
                               observed: $0.count > 0 ? $0.observed.estimate : nil, observedLower: $0.observed.lower, observedUpper: $0.observed.upper)
            },
            baselines: summary.baselines.map { ReplayPage.Baseline(name: $0.name, covered: $0.covered, auc: $0.scores.auc, verdict: $0.verdict) },
            spans: spans, events: events
        )
    }
}
