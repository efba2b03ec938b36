import Foundation
import GRDB
import Learning
import ModelMetrics
import Policy
import Store
import Testing
import TradingDomain
@testable import UseCases

/// What a replay writes, from a scratch store built directly (bundled data, a trained model,
/// predictions stored as the daily job stores them, two checks): the CSVs, the summary and the
/// baselines, checked against an independent computation from predictions.csv.
@Suite(.serialized) struct ReplayReportTests {
    static let from = Day(iso: "2024-07-01")!, through = Day(iso: "2025-06-30")!

    /// The scratch store and one report of it.
    struct Fixture {
        let app: App
        let dir: String
        let text: String
        /// Scored by v1 at its entry day's daily job and by v2 earlier that day: v2's is live.
        let earlierByV2: String
        /// Scored by v1 at its entry day's job and by v2 the day after: v1's is live.
        let laterByV2: String
        /// Scored only the day after its entry: not live.
        let late: String
        let weekly: CycleDecision
        let monthly: CycleDecision
        let seconds: Double
    }

    static func instant(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    /// 18:30 India time on `day`, the daily job's default time: 13:00 UTC.
    static func dailyJob(_ day: Day) -> Date { instant("\(day.iso)T13:00:00Z") }

    static let fixture: Fixture = {
        let env = TestSupport.quickTraining.merging([
            "IMPROVEMENTD_TRAINING_ALGORITHMS": "lr", "IMPROVEMENTD_TRIGGERS_MIN_SIGNALS": "10",
            "IMPROVEMENTD_TRIGGERS_SUCCESS_RATE": "0.99",
            // The fixture's versions are single models: v2 is rejected by the paired test.
            "IMPROVEMENTD_TRAINING_PRODUCTION": "single",
        ]) { $1 }
        let app = try! TestSupport.realApp(environment: env)
        let store = app.store
        _ = try! app.training.train(algorithms: [.lr], tune: false, now: dailyJob(from.adding(days: -1)))
        let v1 = try! ProductionModel.load(from: store)!
        let signals = try! store.signals()
            .filter { from <= ReplaySource.knownDay(createdAt: $0.createdAt, entryDate: $0.entryDate) && $0.entryDate <= through }
            .sorted { $0.id < $1.id }
        let rows = try! store.featureRows(signals.map(\.id), schemaHash: v1.record.featureSchemaHash)
        let scored = signals.filter { rows[$0.id] != nil }
        let x = try! FeatureMatrix(rowArrays: scored.map { rows[$0.id]!.values })
        let p = try! v1.classifier.predictProbabilities(x)
        let (late, earlier, later) = (scored[0], scored[1], scored[2])
        // The daily job of each entry day scores that day's new signals.
        for (day, group) in Dictionary(grouping: scored.indices.filter { $0 != 0 }, by: { scored[$0].entryDate }) {
            // With an online model: a blend that is not a monotone function of the batch score.
            _ = try! store.insertPredictions(group.map { (scored[$0].id, p[$0]) }, version: 1, scoredAt: dailyJob(day),
                                             blended: group.map { 0.5 * p[$0] + 0.5 * Double($0 % 7) / 7 })
        }
        _ = try! store.insertPredictions([(late.id, p[0])], version: 1, scoredAt: dailyJob(late.entryDate.adding(days: 1)))
        // A second version (the same data and seed: rejected) scores two signals again.
        _ = try! app.training.train(algorithms: [.lr], tune: false, now: dailyJob(from))
        _ = try! store.insertPredictions([(earlier.id, 0.9876)], version: 2, scoredAt: instant("\(earlier.entryDate.iso)T12:00:00Z"))
        _ = try! store.insertPredictions([(later.id, 0.1234)], version: 2, scoredAt: dailyJob(later.entryDate.adding(days: 1)))
        // Two checks: a weekly one (nothing new labeled: skipped) and a monthly one made to
        // retrain by forgetting the label change of the last training run.
        let weekly = try! app.cycle.checkAndRetrain(job: .scheduled(.weekly), full: false, now: instant("2025-06-28T00:30:00Z"))
        try! store.setSetting("last_training_label_change", "0")
        // 03:00 India time on June 1st is still May 31st in UTC.
        let monthly = try! app.cycle.checkAndRetrain(job: .scheduled(.monthly), full: true, now: instant("2025-05-31T21:30:00Z"))
        let dir = TestSupport.scratch().appendingPathComponent("replay").path
        let started = Date()
        let text = try! ReplayReport.write(app: app, from: from, through: through, to: dir)
        return Fixture(app: app, dir: dir, text: text, earlierByV2: earlier.id, laterByV2: later.id, late: late.id,
                       weekly: weekly, monthly: monthly, seconds: Date().timeIntervalSince(started))
    }()

    static func csv(_ name: String, in dir: String = fixture.dir) throws -> (header: [String], rows: [[String: String]]) {
        let table = try CSVTable.parse(try Data(contentsOf: URL(fileURLWithPath: (dir as NSString).appendingPathComponent(name))), file: name)
        return (table.header, table.rows.map { Dictionary(uniqueKeysWithValues: zip(table.header, $0.fields)) })
    }

    static func summary(in dir: String = fixture.dir) throws -> ReplaySummary {
        try JSONDecoder().decode(ReplaySummary.self, from: Data(contentsOf: URL(fileURLWithPath: (dir as NSString).appendingPathComponent("summary.json"))))
    }

    @Test func summaryEqualsAnIndependentComputationFromPredictionsCSV() throws {
        let f = Self.fixture
        let (header, rows) = try Self.csv("predictions.csv")
        #expect(header == ["signal_id", "symbol", "strategy", "signal_type", "entry_date", "scored_on", "model_version",
                           "probability", "blended_probability", "outcome", "return_pct"])
        let labeled = rows.filter { !$0["outcome"]!.isEmpty }
        let ids = labeled.map { $0["signal_id"]! }
        let y = labeled.map { Int($0["outcome"]!)! }
        let p = labeled.map { Double($0["probability"]!)! }
        let s = try Self.summary()
        #expect(labeled.count > 100 && s.daemon.n == labeled.count && s.labeled == labeled.count && s.live == rows.count)

        // AUC by counting pairs: a positive above a negative counts 1, a tie one half.
        func pairCount(_ y: [Int], _ p: [Double]) -> Double {
            var wins = 0.0, pairs = 0.0
            for i in y.indices where y[i] == 1 {
                for j in y.indices where y[j] == 0 {
                    pairs += 1
                    wins += p[i] > p[j] ? 1 : p[i] == p[j] ? 0.5 : 0
                }
            }
            return wins / pairs
        }
        #expect(abs(s.daemon.auc.estimate - pairCount(y, p)) < 1e-12)
        let blended = labeled.filter { !$0["blended_probability"]!.isEmpty }
        #expect(blended.count > 100 && s.blended?.n == blended.count)
        #expect(abs(s.blended!.auc.estimate - pairCount(blended.map { Int($0["outcome"]!)! }, blended.map { Double($0["blended_probability"]!)! })) < 1e-12)
        let brier = zip(p, y).map { ($0 - Double($1)) * ($0 - Double($1)) }.reduce(0, +) / Double(y.count)
        #expect(abs(s.daemon.brier.estimate - brier) < 1e-12)
        let rate = Double(y.reduce(0, +)) / Double(y.count)
        #expect(abs(s.daemon.baseRate.estimate - rate) < 1e-12)
        #expect(abs(s.daemon.brierSkill! - (1 - brier / (rate * (1 - rate)))) < 1e-12)
        // Top k by probability, ties by signal id, k rounded up.
        let order = y.indices.sorted { p[$0] != p[$1] ? p[$0] > p[$1] : ids[$0] < ids[$1] }
        for (percent, group) in zip([10, 30, 50, 100], s.daemon.top) {
            let k = Int((Double(y.count * percent) / 100).rounded(.up))
            let top = order.prefix(k)
            #expect(group.percent == percent && group.n == k)
            #expect(abs(group.successRate.estimate - Double(top.filter { y[$0] == 1 }.count) / Double(k)) < 1e-12)
            let returns = top.compactMap { Double(labeled[$0]["return_pct"]!) }
            #expect(abs(group.meanReturnPct! - returns.reduce(0, +) / Double(returns.count)) < 1e-9)
        }
        // The summary's text states the rule and the method.
        #expect(f.text.contains("earliest stored prediction") && f.text.contains("DeLong") && f.text.contains("pooled base rate"))
    }

    @Test func aSignalAppearsOnceWithItsEarliestPredictionMadeByItsEntryDate() throws {
        let f = Self.fixture
        let (_, rows) = try Self.csv("predictions.csv")
        let ids = rows.map { $0["signal_id"]! }
        #expect(Set(ids).count == ids.count)
        let byId = Dictionary(uniqueKeysWithValues: rows.map { ($0["signal_id"]!, $0) })
        #expect(byId[f.late] == nil, "a prediction made after the entry date is not live")
        #expect(byId[f.earlierByV2]?["model_version"] == "2" && byId[f.earlierByV2]?["probability"] == "0.9876")
        #expect(byId[f.laterByV2]?["model_version"] == "1" && byId[f.laterByV2]?["probability"] != "0.1234")
        for row in rows {
            #expect(row["scored_on"]! <= row["entry_date"]!)
            let entry = Day(iso: row["entry_date"]!)!
            #expect(Self.from <= entry && entry <= Self.through)
        }
        // Sorted by entry date, then signal id.
        let keys = rows.map { ($0["entry_date"]!, $0["signal_id"]!) }
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 <= $1 })
    }

    @Test func calibrationAndYearsAddUpToN() throws {
        let s = try Self.summary()
        #expect(s.daemon.calibration.count == 10)
        #expect(s.daemon.calibration.map(\.count).reduce(0, +) == s.daemon.n)
        #expect(s.years.map(\.year) == [2024, 2025])
        #expect(s.years.map(\.scores.n).reduce(0, +) == s.daemon.n)
        for b in s.daemon.calibration where b.count > 0 {
            #expect(b.lower <= b.meanPredicted! && b.meanPredicted! <= b.upper)
        }
    }

    @Test func baselinesAreScoredOnTheSameSignals() throws {
        let s = try Self.summary()
        #expect(s.baselines.map(\.name) == ["the base rate", "the first model v1", "gb alone", "rf alone", "lr alone", "svm alone", "nn alone"])
        let constant = s.baselines[0]
        #expect(constant.covered == s.daemon.n && constant.scores.auc.estimate == 0.5 && abs(constant.scores.brierSkill!) < 1e-12)
        // The first model is the daemon's only production model here: the same predictions
        // (but for the one scored by v2), so no difference beyond sampling error.
        let first = s.baselines[1]
        #expect(first.covered == s.daemon.n && abs(first.comparison.difference) < 0.01)
        for b in s.baselines {
            #expect(b.scores.n == b.covered && b.covered <= s.daemon.n && b.verdict.contains(b.name))
            // a is the daemon on the same signals: on all of them, its AUC.
            if b.covered == s.daemon.n { #expect(b.comparison.aucA == s.daemon.auc.estimate && b.comparison.aucB == b.scores.auc.estimate) }
        }
        // Monthly refits cover every month here: enough labeled history before each.
        for b in s.baselines[2...] { #expect(b.covered == s.daemon.n, "\(b.name): \(b.notes)") }
        print("replay report on the bundled data: \(String(format: "%.2f", Self.fixture.seconds)) s, baselines \(String(format: "%.2f", s.baselineSeconds)) s (\(s.baselines.map { "\($0.name) \(String(format: "%.2f", $0.seconds))" }.joined(separator: ", ")))")
    }

    /// A replay stopped before any signal was scored live still writes every file.
    @Test func aPeriodWithoutLivePredictionsWritesEmptyTables() throws {
        let dir = TestSupport.scratch().appendingPathComponent("empty").path
        let text = try ReplayReport.write(app: Self.fixture.app, from: Day(iso: "2030-01-01")!, through: Day(iso: "2030-01-31")!, to: dir)
        let s = try Self.summary(in: dir)
        #expect(s.live == 0 && s.daemon.n == 0 && s.years.isEmpty && s.counts.decisions == 0)
        #expect(s.baselines.count == 7 && s.baselines.allSatisfy { $0.covered == 0 })
        #expect(text.contains("no labeled signal to measure"))
        #expect(try Self.csv("predictions.csv", in: dir).rows.isEmpty)
        #expect(try Self.csv("decisions.csv", in: dir).rows.count == 2) // the store's whole history
    }

    @Test func theVerdictSaysWhetherTheDaemonBeatsABaseline() {
        let labels = (0..<40).map { $0 % 2 }
        let perfect = labels.map { Double($0) * 0.5 + 0.25 }
        let noise = (0..<40).map { Double(($0 * 7919) % 40) / 40 }
        let same = DeLong.compare(labels: labels, a: noise, b: noise)
        #expect(ReplaySummary.verdict(same, against: "X") == "does not beat X beyond sampling error (difference +0.000 [+0.000, +0.000], p = 0.50)")
        let better = DeLong.compare(labels: labels, a: perfect, b: noise)
        #expect(better.interval.lower > 0 && ReplaySummary.verdict(better, against: "X").hasPrefix("beats X (difference +"))
        let worse = DeLong.compare(labels: labels, a: noise, b: perfect)
        #expect(ReplaySummary.verdict(worse, against: "X").hasPrefix("is beaten by X (difference -"))
    }

    @Test func monthlyTrainingRowsExitBeforeTheMonth() throws {
        let f = Self.fixture
        let store = f.app.store
        let schema = try store.productionModel()!.featureSchemaHash
        let start = Day(iso: "2025-03-01")!
        let before = try store.labeledRows(schemaHash: schema)
        let chosen = ReplayBaselines.trainingRows(before, before: start)
        #expect(!chosen.isEmpty && chosen.allSatisfy { before.exitDays[$0] < Int(start.number) })
        // Plant: a signal that exited before the month now exits on its first day, another the
        // day before; the first leaves the month's training rows, the second stays.
        let candidates = chosen.filter { before.entryDays[$0] < Int(start.number) - 1 }
        let (moved, kept) = (before.signalIds[candidates.last!], before.signalIds[candidates[candidates.count - 2]])
        let copy = TestSupport.scratch().appendingPathComponent("store.sqlite")
        _ = try store.pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        try FileManager.default.copyItem(atPath: store.path, toPath: copy.path)
        let planted = try SignalStore(path: copy.path)
        try planted.pool.write { db in
            try db.execute(sql: "UPDATE outcomes SET exit_date = ? WHERE signal_id = ?", arguments: [start.iso, moved])
            try db.execute(sql: "UPDATE outcomes SET exit_date = ? WHERE signal_id = ?", arguments: [start.adding(days: -1).iso, kept])
        }
        let after = try planted.labeledRows(schemaHash: schema)
        let ids = Set(ReplayBaselines.trainingRows(after, before: start).map { after.signalIds[$0] })
        #expect(!ids.contains(moved) && ids.contains(kept))
        #expect(ids.count == chosen.count - 1)
    }

    @Test func twoReportsOfTheSameStoreAreIdentical() throws {
        let f = Self.fixture
        let again = TestSupport.scratch().appendingPathComponent("again").path
        let text = try ReplayReport.write(app: f.app, from: Self.from, through: Self.through, to: again)
        for name in ["predictions.csv", "decisions.csv", "models.csv", "replay.html"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: (f.dir as NSString).appendingPathComponent(name)))
            let b = try Data(contentsOf: URL(fileURLWithPath: (again as NSString).appendingPathComponent(name)))
            #expect(a == b, "\(name) differs between two reports of the same store")
        }
        // The summaries differ only in their seconds.
        func timeless(_ s: ReplaySummary) -> ReplaySummary {
            var s = s
            s.seconds = 0
            s.baselineSeconds = 0
            for i in s.baselines.indices { s.baselines[i].seconds = 0 }
            return s
        }
        #expect(timeless(try Self.summary()) == timeless(try Self.summary(in: again)))
        func timelessText(_ t: String) -> [String] {
            t.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("Time:") && !$0.contains(" signals scored, ") }
        }
        #expect(timelessText(text) == timelessText(f.text))
    }

    @Test func decisionsCSVShowsEachTriggerFromTheStoredJSON() throws {
        let f = Self.fixture
        let (header, rows) = try Self.csv("decisions.csv")
        for name in TriggerName.allCases {
            for column in ["value", "threshold", "n", "fired", "trusted"] { #expect(header.contains("\(name.rawValue)_\(column)")) }
        }
        #expect(rows.count == 2)
        for (decision, row) in zip([f.weekly, f.monthly], rows) {
            #expect(row["decision_id"] == String(decision.id) && row["job"] == decision.job.name && row["action"] == decision.action.rawValue)
            #expect(!decision.triggers.firedTriggers.isEmpty)
            for t in decision.triggers.triggers {
                #expect(row["\(t.name.rawValue)_fired"] == String(t.fired))
                #expect(row["\(t.name.rawValue)_trusted"] == String(t.trusted))
                #expect(row["\(t.name.rawValue)_n"] == String(t.n))
            }
            #expect(row["fired"] == decision.triggers.firedTriggers.map(\.rawValue).joined(separator: ";"))
        }
        // Dated in the schedule's time zone: the monthly check at 03:00 India time on June 1st.
        #expect(rows[1]["date"] == "2025-06-01" && rows[0]["date"] == "2025-06-28")
        let s = try Self.summary()
        #expect(s.counts.decisions == 2 && s.counts.retrains == (f.monthly.action == .retrain ? 1 : 0))
        #expect(f.monthly.action == .retrain && s.counts.monthlyRetrains == 1 && s.counts.schemaChangeRetrains == 0)
        for t in s.counts.retrainsByTrigger {
            #expect(t.retrains == (f.monthly.triggers.firedTriggers.map(\.rawValue).contains(t.trigger) ? 1 : 0))
        }
        let (_, models) = try Self.csv("models.csv")
        #expect(models.map { $0["version"]! } == ["1", "2", "3"])
        #expect(models[0]["status"] == "production" && !(models[0]["promoted_on"] ?? "").isEmpty)
        #expect(Double(models[0]["holdout_auc"]!) == (try f.app.store.modelVersion(1)).holdout?.auc)
    }

    /// replay.html shows the summary's own figures, per year too, and draws every chart.
    @Test func theReplayPageShowsTheSummarysFigures() throws {
        let f = Self.fixture
        let s = try Self.summary()
        let html = try String(contentsOfFile: (f.dir as NSString).appendingPathComponent("replay.html"), encoding: .utf8)
        ReportPagesTests.checkNoGaps(html, "replay.html")
        let figures = ReportPagesTests.figures(html)
        ReportPagesTests.checkRounding(figures)
        #expect(figures["daemon.auc"]?.value == s.daemon.auc.estimate)
        #expect(html.contains("data-lower=\"\(s.daemon.auc.lower)\" data-upper=\"\(s.daemon.auc.upper)\""))
        #expect(figures["daemon.brier"]?.value == s.daemon.brier.estimate && figures["daemon.base_rate"]?.value == s.daemon.baseRate.estimate)
        #expect(figures["live"]?.value == Double(s.live) && figures["counts.retrains"]?.value == Double(s.counts.retrains))
        for y in s.years { #expect(figures["year.\(y.year).auc"]?.value == y.scores.auc.estimate, "\(y.year)") }
        for b in s.baselines { #expect(figures["baseline.\(b.name).auc"]?.value == b.scores.auc.estimate, "\(b.name)") }
        for g in s.daemon.top { #expect(figures["daemon.top\(g.percent).success_rate"]?.value == g.successRate.estimate) }
        for chart in ["line", "reliability", "timeline"] { #expect(html.contains("data-chart=\"\(chart)\""), "\(chart)") }
        #expect(html.contains("data-series=\"all signals\"") && html.contains("data-series=\"top 30 % by live probability\""))
        // The cumulative return of all signals ends at the sum of the labeled live returns (return_pct is in percent).
        let (_, rows) = try Self.csv("predictions.csv")
        let total = rows.filter { !$0["outcome"]!.isEmpty }.compactMap { Double($0["return_pct"]!) }.reduce(0, +)
        #expect(abs((figures["cumulative.all"]?.value ?? .nan) - total) < 1e-9, "\(figures["cumulative.all"] as Any) vs \(total)")
        #expect(figures["cumulative.top"] != nil)
        // The history pages of the scratch store were written into its reports folder.
        #expect(FileManager.default.fileExists(atPath: (f.app.config.reportsDir as NSString).appendingPathComponent("index.html")))
    }
}
