import Foundation
import GRDB
import Learning
import Store
import Testing
import TradingDomain
@testable import UseCases

/// kill -9 at every step of a training run and inside an import's transaction, through the built
/// binary and its crash points (`IMPROVEMENTD_CRASH_AT`, docs/TESTING.md): each run must die of
/// SIGKILL exactly where named, and the store must then hold either the whole registration (the
/// version with its decision and settings) or none of it, never two production models, and
/// nothing of a killed import; the next run completes.
@Suite(.serialized) struct CrashTests {
    /// Where a training run is killed, in the order a run reaches them.
    enum Point: String, CaseIterable, CustomTestStringConvertible {
        case afterDataset = "train.after-dataset"
        case beforeRegister = "train.before-register"
        case registerAfterInsert = "train.register.after-insert"
        case registerBeforeCommit = "train.register.before-commit"
        case afterRegister = "train.after-register"
        case afterReport = "train.after-report"
        case afterReportPath = "train.after-report-path"

        var testDescription: String { rawValue }
        /// Whether the registration transaction has committed when the kill lands.
        var committed: Bool { [.afterRegister, .afterReport, .afterReportPath].contains(self) }
    }

    /// What the registry holds before the killed run, and so what that run decides.
    enum Registry: String, CaseIterable, CustomTestStringConvertible {
        /// No model yet: the run's version becomes the first production model.
        case empty
        /// Production is the same training (same data, seed and algorithm): the run's candidate
        /// scores the same holdout AUC, does not beat it by the margin, and is rejected.
        case sameProduction
        /// Production was trained on another feature schema: the run's candidate replaces it, so
        /// the kill hits a promotion that demotes a previous production model.
        case otherSchemaProduction

        var testDescription: String { rawValue }
        var expectedStatus: String { self == .sameProduction ? "rejected" : "production" }
    }

    static let trainArguments = ["train", "--algorithms", "gb", "--no-tune"]
    /// Settings the killed run must overwrite if, and only if, its registration committed.
    static let sentinels = ["last_training_at": "2000-01-01T00:00:00Z", "last_training_label_change": "-1"]

    /// The real-data store with one gb model trained and promoted, built once.
    static let trainedTemplate: URL = {
        let dir = TestSupport.scratch()
        try! FileManager.default.copyItem(at: TestSupport.realStoreTemplate, to: dir.appendingPathComponent("store.sqlite"))
        let app = try! TestSupport.app(dir, environment: TestSupport.quickTraining)
        let (decision, _, _) = try! app.training.train(algorithms: [.gb], tune: false)
        precondition(decision.promoted, "the template's first model must be production")
        try! app.store.pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        return dir.appendingPathComponent("store.sqlite")
    }()

    /// A scratch folder holding a copy of the store for `registry`, with the sentinel settings.
    static func prepare(_ registry: Registry) throws -> URL {
        let dir = TestSupport.scratch()
        let template = registry == .empty ? TestSupport.realStoreTemplate : trainedTemplate
        try FileManager.default.copyItem(at: template, to: dir.appendingPathComponent("store.sqlite"))
        let store = try SignalStore(path: dir.appendingPathComponent("store.sqlite").path)
        try store.setSettings(sentinels)
        if registry == .otherSchemaProduction {
            try store.pool.write { try $0.execute(sql: "UPDATE model_versions SET feature_schema_hash = 'an-older-schema' WHERE status = 'production'") }
        }
        return dir
    }

    /// What a run left in the store: the registry, the two training settings, and the health of
    /// the file.
    struct Snapshot: Equatable, CustomTestStringConvertible {
        var versions: [ModelVersionRecord]
        var promotions: [PromotionRecord]
        var settings: [String: String]
        var integrity: String?
        var foreignKeyViolations: Int

        var production: [ModelVersionRecord] { versions.filter { $0.status == "production" } }
        var lastVersion: Int { versions.map(\.version).max() ?? 0 }
        var testDescription: String {
            let v = versions.map { "v\($0.version) \($0.status) report \($0.reportPath == nil ? "-" : "yes") \($0.decisionReason?.prefix(40) ?? "-")" }
            let p = promotions.map { "v\($0.version) \($0.promotedAt)..\($0.demotedAt ?? "open")" }
            return "versions \(v), promotions \(p), settings \(settings), integrity \(integrity ?? "-"), fk violations \(foreignKeyViolations)"
        }
    }

    static func snapshot(_ dir: URL) throws -> Snapshot {
        let store = try SignalStore(path: dir.appendingPathComponent("store.sqlite").path)
        var settings: [String: String] = [:]
        for key in sentinels.keys { settings[key] = try store.setting(key) }
        return Snapshot(
            versions: try store.modelVersions(), promotions: try store.promotionHistory(), settings: settings,
            integrity: try store.read("") { try String.fetchOne($0, sql: "PRAGMA integrity_check") },
            foreignKeyViolations: try store.read("") { try Row.fetchAll($0, sql: "PRAGMA foreign_key_check").count }
        )
    }

    /// How a run of the binary ended.
    struct Ending {
        var reason: Process.TerminationReason
        var status: Int32
        var stderr: String
        var killed: Bool { reason == .uncaughtSignal && status == SIGKILL }
        var succeeded: Bool { reason == .exit && status == 0 }
    }

    /// Runs the built binary with only `environment`'s IMPROVEMENTD_ variables; output goes to
    /// files, so a large output never blocks it.
    static func run(_ arguments: [String], in dir: URL, environment: [String: String]) throws -> Ending {
        let (process, _, err) = try TestSupport.launch(TestSupport.binary, arguments, in: dir, environment: environment)
        process.waitUntilExit()
        return Ending(reason: process.terminationReason, status: process.terminationStatus, stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    static func train(_ dir: URL, crashAt point: Point?) throws -> Ending {
        var env = ["IMPROVEMENTD_REPORTS_DIR": dir.appendingPathComponent("reports").path,
                   "IMPROVEMENTD_INBOX_DIR": dir.appendingPathComponent("inbox").path]
        if let point { env[CrashPoint.variable] = point.rawValue }
        return try run(trainArguments + ["--db", dir.appendingPathComponent("store.sqlite").path], in: dir, environment: env)
    }

    static func reportFiles(_ dir: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("reports").path)) ?? [])
            .filter { $0.hasPrefix("training_report_") }.sorted()
    }

    @Test(arguments: Registry.allCases, Point.allCases)
    func killedTrainingLeavesTheVersionWholeOrAbsent(registry: Registry, point: Point) throws {
        let dir = try Self.prepare(registry)
        let before = try Self.snapshot(dir)
        #expect(before.production.count == (registry == .empty ? 0 : 1))

        let ending = try Self.train(dir, crashAt: point)
        try #require(ending.killed, "expected death by SIGKILL at \(point.rawValue); ended \(ending.reason) \(ending.status): \(ending.stderr)")

        let after = try Self.snapshot(dir)
        #expect(after.integrity == "ok")
        #expect(after.foreignKeyViolations == 0)
        #expect(after.production.count <= 1)
        let added = after.versions.filter { $0.version > before.lastVersion }
        let kept = after.versions.filter { $0.version <= before.lastVersion }
        if !point.committed {
            // Nothing of the registration: no version, no promotion, the settings as they were.
            #expect(added.isEmpty)
            #expect(after == before)
            #expect(Self.reportFiles(dir).isEmpty)
        } else {
            let new = try #require(added.count == 1 ? added.first : nil, "\(added.count) new versions")
            #expect(new.status == registry.expectedStatus)
            #expect(new.decisionReason?.isEmpty == false)
            #expect(after.settings["last_training_at"] != Self.sentinels["last_training_at"])
            #expect(after.settings["last_training_label_change"] != Self.sentinels["last_training_label_change"])
            if new.status == "production" {
                #expect(after.production.map(\.version) == [new.version])
                // The previous production is retired and its period closed; only the new one is open.
                #expect(kept.map(\.version) == before.versions.map(\.version))
                for old in before.production { #expect(kept.first { $0.version == old.version }?.status == "retired") }
                #expect(after.promotions.count == before.promotions.count + 1)
                #expect(after.promotions.filter { $0.demotedAt == nil }.map(\.version) == [new.version])
                #expect(after.promotions.last?.reason == new.decisionReason)
            } else {
                #expect(kept == before.versions)
                #expect(after.promotions == before.promotions)
            }
            // The report comes after the commit; its path is recorded last, best effort.
            switch point {
            case .afterRegister:
                #expect(Self.reportFiles(dir).isEmpty)
                #expect(new.reportPath == nil)
            case .afterReport:
                #expect(Self.reportFiles(dir).count == 2) // .json and .txt
                #expect(new.reportPath == nil)
            default:
                let path = try #require(new.reportPath)
                #expect(FileManager.default.fileExists(atPath: path))
                #expect(path.hasPrefix(dir.appendingPathComponent("reports").path))
            }
        }

        // The next run, without a crash, completes and registers one more version.
        let next = try Self.train(dir, crashAt: nil)
        #expect(next.succeeded, "\(next.reason) \(next.status): \(next.stderr)")
        let final = try Self.snapshot(dir)
        #expect(final.integrity == "ok" && final.foreignKeyViolations == 0)
        #expect(final.versions.count == after.versions.count + 1)
        #expect(final.production.count == 1)
        let last = try #require(final.versions.last)
        #expect(["production", "rejected"].contains(last.status) && last.decisionReason != nil && last.reportPath != nil)
    }

    /// The aggregate's scoring killed between its evidence and its predictions: the evidence is
    /// kept as written, the weights computed from it are the same after the restart, and the
    /// next `predict` stores the predictions without rewriting a single evidence row.
    @Test func killedBetweenEvidenceAndPredictionsKeepsTheEvidence() throws {
        let dir = TestSupport.scratch()
        let path = dir.appendingPathComponent("store.sqlite")
        try FileManager.default.copyItem(at: TestSupport.realStoreTemplate, to: path)
        let env = ["IMPROVEMENTD_REPORTS_DIR": dir.appendingPathComponent("reports").path, "IMPROVEMENTD_INBOX_DIR": dir.appendingPathComponent("inbox").path]
        let app = try TestSupport.app(dir, environment: TestSupport.quickTraining)
        let refit = try app.training.refitCandidates()
        #expect(refit.promoted && refit.algorithm == "aggregate")
        try app.store.pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }

        func evidence() throws -> [String] {
            try SignalStore(path: path.path).read("") { db in
                try Row.fetchAll(db, sql: "SELECT signal_id, candidate, model_version, probability, scored_at FROM candidate_scores ORDER BY 1, 2").map { r in
                    let p: Double = r[3]
                    return "\(r[0] as String)|\(r[1] as String)|\(r[2] as Int)|\(p.bitPattern)|\(r[4] as String)"
                }
            }
        }
        func predictions() throws -> Int { try SignalStore(path: path.path).read("") { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM predictions") ?? 0 } }
        let (e0, p0) = (try evidence(), try predictions())
        #expect(e0.isEmpty && p0 == 0)

        let killed = try Self.run(["predict", "--db", path.path], in: dir, environment: env.merging([CrashPoint.variable: "score.after-evidence"]) { $1 })
        try #require(killed.killed, "expected death by SIGKILL at score.after-evidence; ended \(killed.reason) \(killed.status): \(killed.stderr)")
        let written = try evidence()
        let unscored = Set(written.map { $0.split(separator: "|")[0] })
        let none = try predictions()
        #expect(!unscored.isEmpty && none == 0)
        // Every candidate (the five models, the base rate, the online model when it has one),
        // the mixture and its calibrated value, for each signal.
        #expect(written.count % unscored.count == 0 && written.count / unscored.count >= 8)
        let day = Day(iso: "2026-12-31")!
        let reopened = try TestSupport.app(dir, environment: TestSupport.quickTraining)
        let before = try EvidenceReport.make(config: reopened.config, store: reopened.store, day: day)

        let next = try Self.run(["predict", "--db", path.path], in: dir, environment: env)
        #expect(next.succeeded, "\(next.reason) \(next.status): \(next.stderr)")
        #expect(try evidence() == written)
        #expect(try predictions() == unscored.count)
        let after = try EvidenceReport.make(config: reopened.config, store: reopened.store, day: day)
        #expect(after.candidates.map(\.weight) == before.candidates.map(\.weight))
        #expect(after.aggregateLoss == before.aggregateLoss)
    }

    /// A bar import killed inside its transaction, after the first file's rows are written,
    /// leaves the store exactly as it was; the same import then commits every bar.
    @Test func killedInsideTheImportTransactionLeavesNothingOfIt() throws {
        let dir = TestSupport.scratch()
        let bars = dir.appendingPathComponent("bars")
        try FileManager.default.createDirectory(at: bars, withIntermediateDirectories: true)
        let files = try FileManager.default.contentsOfDirectory(atPath: TestSupport.ohlcv).filter { $0.hasSuffix(".csv") && !$0.hasPrefix("^") }.sorted()
        let count = 12
        for i in 0..<count {
            try FileManager.default.copyItem(atPath: TestSupport.ohlcv + "/" + files[i % files.count], toPath: bars.appendingPathComponent(String(format: "S%03d.csv", i)).path)
        }
        let db = dir.appendingPathComponent("s.sqlite").path
        let first = try Self.run(["import", "bars", TestSupport.ohlcv + "/^NSEI.csv", "--db", db], in: dir, environment: [:])
        try #require(first.succeeded, "\(first.stderr)")
        let before = try Self.digest(db)
        let bars0 = try SignalStore(path: db).rowCounts()["price_bars"]!
        let linesPerFile = try files.map { try String(contentsOfFile: TestSupport.ohlcv + "/" + $0, encoding: .utf8).split(separator: "\n").count - 1 }
        let whole = (0..<count).reduce(0) { $0 + linesPerFile[$1 % files.count] }

        let killed = try Self.run(["import", "bars", bars.path, "--db", db], in: dir, environment: [CrashPoint.variable: "import.rows-written"])
        try #require(killed.killed, "expected death by SIGKILL inside the import; ended \(killed.reason) \(killed.status): \(killed.stderr)")
        let store = try SignalStore(path: db)
        #expect(try store.read("") { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok")
        #expect(try store.read("") { try Row.fetchAll($0, sql: "PRAGMA foreign_key_check").count } == 0)
        #expect(try Self.digest(db) == before)

        // Uninterrupted, the same import commits every bar.
        let again = try Self.run(["import", "bars", bars.path, "--db", db], in: dir, environment: [:])
        #expect(again.succeeded, "\(again.stderr)")
        #expect(try SignalStore(path: db).rowCounts()["price_bars"]! == bars0 + whole)
    }

    /// A hash of everything an import writes: bars, symbols and the change marks.
    static func digest(_ path: String) throws -> String {
        let store = try SignalStore(path: path)
        let text = try store.read("") { db in
            try ["SELECT * FROM price_bars ORDER BY symbol, date", "SELECT * FROM symbols ORDER BY symbol",
                 "SELECT * FROM dirty_bars ORDER BY consumer, symbol", "SELECT * FROM dirty_signals ORDER BY consumer, signal_id",
                 "SELECT * FROM dirty_seq"].map { sql in
                try Row.fetchAll(db, sql: sql).map(\.description).joined(separator: "\n")
            }.joined(separator: "\n--\n")
        }
        return SignalStore.sha256(Array(text.utf8))
    }
}
