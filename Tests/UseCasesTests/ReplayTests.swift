import Daemon
import Foundation
import GRDB
import Logging
import Store
import Synchronization
import ModelMetrics
import Testing
import TradingDomain
@testable import UseCases

/// `improvementd replay` over the bundled real data: point in time, equal to the daemon driven
/// by hand, deterministic, stoppable at a day boundary, and never writing its source.
@Suite(.serialized) struct ReplayTests {
    /// Quick training, a trigger that fires, and whole-hour job times so the hand-driven loop
    /// (one step an hour) runs the jobs at the very instants the scheduler does.
    static let environment = [
        "IMPROVEMENTD_TRAINING_TUNING_TRIALS": "0", "IMPROVEMENTD_TRAINING_ALGORITHMS": "lr,gb",
        "IMPROVEMENTD_TRIGGERS_MIN_SIGNALS": "10", "IMPROVEMENTD_TRIGGERS_SUCCESS_RATE": "0.2",
        "IMPROVEMENTD_SCHEDULE_DAILY": "19:00",
    ]
    static let from = Day(iso: "2025-12-01")!
    /// 60 calendar days, about 40 trading days, two month turns.
    static let to = Day(iso: "2026-01-29")!
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func config() throws -> UseCases.Configuration { try UseCases.Configuration.load(path: nil, environment: environment) }

    /// The source: a copy of the real-data store (bars, symbols, backfilled strategies).
    static let source: String = {
        let path = TestSupport.scratch().appendingPathComponent("source.sqlite").path
        try! FileManager.default.copyItem(atPath: TestSupport.realStoreTemplate.path, toPath: path)
        return path
    }()
    static let sourceHash = fileHash(source)

    /// The replay every test compares with, run once.
    static let baseline = Task { try await replay(source) }

    struct Run: Sendable {
        var result: ReplayResult
        var store: String { result.store }
    }

    static func replay(_ source: String, to: Day = to, dir: URL = TestSupport.scratch(), stopAfter days: Int? = nil) async throws -> Run {
        let run = try ReplayRun(sourcePath: source, config: try config(), from: from, to: to, directory: dir.path, logger: quiet)
        let stop = StopFlag()
        let result = try await run.run(shouldStop: { stop.isSet }, progress: { p in
            if let days, p.daysDone >= days { stop.set() }
        })
        return Run(result: result)
    }

    static func fileHash(_ path: String) -> String {
        SignalStore.sha256([UInt8](FileManager.default.contents(atPath: path)!))
    }

    // MARK: - Rows compared

    /// A decision as text (job, action, reason, result, decided_at, model version, triggers).
    struct Decision: Equatable { var at: Date; var text: String }
    /// A prediction with the bit patterns of its REAL values.
    struct Prediction: Equatable { var at: Date; var text: String }

    static func read<T>(_ path: String, _ body: (Database) throws -> T) throws -> T {
        var c = GRDB.Configuration()
        c.readonly = true
        // The replay's own pool may still be closing (its last checkpoint) when the test reads.
        c.busyMode = .timeout(10)
        return try DatabaseQueue(path: path, configuration: c).read(body)
    }

    static func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    static func decisions(_ path: String) throws -> [Decision] {
        try read(path) { db in
            try Row.fetchAll(db, sql: "SELECT job, action, reason, result, decided_at, model_version, triggers FROM decisions ORDER BY id").map { r in
                let at: String = r[4]
                let parts: [String?] = [r[0], r[1], r[2], r[3], at, (r[5] as Int?).map(String.init), r[6]]
                return Decision(at: date(at), text: parts.map { $0 ?? "NULL" }.joined(separator: "|"))
            }
        }
    }

    static func predictions(_ path: String) throws -> [Prediction] {
        try read(path) { db in
            try Row.fetchAll(db, sql: "SELECT signal_id, model_version, probability, blended_probability, scored_at FROM predictions ORDER BY id").map { r in
                let p: Double = r[2], b: Double? = r[3], at: String = r[4]
                let text = "\(r[0] as String)|\(r[1] as Int)|\(p.bitPattern)|\(b.map { "\($0.bitPattern)" } ?? "NULL")|\(at)"
                return Prediction(at: date(at), text: text)
            }
        }
    }

    /// Every candidate score of the aggregate's evidence with the bit pattern of its probability.
    static func evidence(_ path: String) throws -> [Prediction] {
        try read(path) { db in
            try Row.fetchAll(db, sql: "SELECT signal_id, candidate, model_version, probability, scored_at FROM candidate_scores ORDER BY scored_at, signal_id, candidate").map { r in
                let p: Double = r[3], at: String = r[4]
                return Prediction(at: date(at), text: "\(r[0] as String)|\(r[1] as String)|\(r[2] as Int)|\(p.bitPattern)|\(at)")
            }
        }
    }

    /// (created_at, version, artifact SHA-256) of every registered model.
    static func models(_ path: String) throws -> [(at: Date, text: String)] {
        try read(path) { db in
            try Row.fetchAll(db, sql: "SELECT version, algorithm, artifact_sha256, status, created_at FROM model_versions ORDER BY version").map { r in
                let at: String = r[4]
                return (date(at), "\(r[0] as Int)|\(r[1] as String)|\(r[2] as String)|\(at)")
            }
        }
    }

    static func csvLines(_ dir: String) throws -> [String] {
        try String(contentsOfFile: (dir as NSString).appendingPathComponent("predictions.csv"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
    }

    /// The instant a simulated day ends (the midnight after it, exchange time).
    static func endOf(_ day: Day) throws -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: try config().exchangeTimezone)!
        return ReplayClock.instant(day.adding(days: 1), hour: 0, minute: 0, calendar)
    }

    // MARK: - Tests

    /// The baseline itself: it ran every day, trained and retrained, scored live signals, and
    /// left its source byte for byte as it was.
    @Test func replayRunsTheJobsAndLeavesTheSourceUnchanged() async throws {
        let hash = Self.sourceHash
        let run = try await Self.baseline.value
        #expect(Self.fileHash(Self.source) == hash)
        #expect(!run.result.stoppedEarly && run.result.through == Self.to)
        #expect(run.result.daysSimulated == run.result.totalDays && run.result.totalDays >= 38)
        #expect(run.result.failedJobs == 0)
        let decided = try Self.decisions(run.store).map(\.text)
        #expect(run.result.retrains >= 3, "\(decided)")
        // The start-up's missed jobs: daily, then weekly (trains the first model), then monthly.
        let jobs = try Self.read(run.store) { try Row.fetchAll($0, sql: "SELECT job, period, started_at FROM job_runs ORDER BY rowid") }
        #expect(jobs.prefix(3).map { $0[0] as String } == ["daily", "weekly", "monthly"])
        let first = try Self.decisions(run.store).first!
        #expect(first.text.hasPrefix("weekly|retrain|"), "\(first.text)")
        #expect(try Self.models(run.store).first!.text.contains("|"))
        // Live predictions were made during the range.
        #expect(try Self.csvLines(run.result.directory).count > 10)
        // Nothing was read from the wall clock: every stored instant is a simulated one.
        let latest = try Self.endOf(Self.to)
        #expect(try Self.decisions(run.store).allSatisfy { $0.at < latest })
        #expect(try Self.predictions(run.store).allSatisfy { $0.at < latest })
        #expect(try Self.models(run.store).allSatisfy { $0.at < latest })
        let evaluated = try Self.read(run.store) { try String.fetchAll($0, sql: "SELECT evaluated_at FROM evaluations") }
        #expect(!evaluated.isEmpty && evaluated.allSatisfy { Self.date($0) < latest })
    }

    /// Every bar and signal after day d replaced by garbage: every decision, prediction and
    /// model up to d is identical, bit for bit.
    @Test func nothingAfterTheSimulatedDayIsVisible() async throws {
        let d = Day(iso: "2025-12-26")!
        let garbage = TestSupport.scratch().appendingPathComponent("garbage.sqlite").path
        try FileManager.default.copyItem(atPath: Self.source, toPath: garbage)
        try Self.garble(garbage, after: d)
        let changed = try Self.read(garbage) { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM price_bars WHERE date > ?", arguments: [d.iso]) }
        try #require((changed ?? 0) > 100)

        let a = try await Self.baseline.value
        let b = try await Self.replay(garbage)
        let cut = try Self.endOf(d)
        let (da, db) = (try Self.decisions(a.store), try Self.decisions(b.store))
        #expect(da.filter { $0.at < cut } == db.filter { $0.at < cut })
        #expect(da.filter { $0.at < cut }.count >= 4)
        let (pa, pb) = (try Self.predictions(a.store), try Self.predictions(b.store))
        #expect(pa.filter { $0.at < cut } == pb.filter { $0.at < cut })
        #expect(pa.filter { $0.at < cut }.count > 10)
        let (ma, mb) = (try Self.models(a.store), try Self.models(b.store))
        #expect(ma.filter { $0.at < cut }.map(\.text) == mb.filter { $0.at < cut }.map(\.text))
        #expect(!ma.filter { $0.at < cut }.isEmpty)
        // The aggregate's evidence (every candidate's live score) up to d, and the weights,
        // calibration and take rule computed from it for d, are identical too.
        let (ea, eb) = (try Self.evidence(a.store), try Self.evidence(b.store))
        #expect(ea.filter { $0.at < cut } == eb.filter { $0.at < cut })
        #expect(ea.filter { $0.at < cut }.count > 50)
        let config = try Self.config()
        let (ra, rb) = (try EvidenceReport.make(config: config, store: try SignalStore(path: a.store), day: d.adding(days: 1)),
                        try EvidenceReport.make(config: config, store: try SignalStore(path: b.store), day: d.adding(days: 1)))
        #expect(try JSONEncoder.sortedKeys().encode(ra) == JSONEncoder.sortedKeys().encode(rb))
        #expect(ra.outcomes > 0)
        // The garbage is seen after d (the comparison above can fail).
        #expect(pa.filter { $0.at >= cut } != pb.filter { $0.at >= cut })
    }

    /// Replaces every bar and signal of `path` dated after `d` by garbage.
    static func garble(_ path: String, after d: Day) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            // Other prices (price_bars has no rowid: vary by the date), still valid bars (low <= open, close <= high).
            try db.execute(sql: """
                UPDATE price_bars SET open = open * (1 + ((CAST(substr(date, 9, 2) AS INTEGER) % 7) - 3) * 0.04),
                    close = close * (1 + ((CAST(substr(date, 9, 2) AS INTEGER) % 5) - 2) * 0.05)
                WHERE date > ?
                """, arguments: [d.iso])
            try db.execute(sql: """
                UPDATE price_bars SET high = MAX(open, close, high * 1.1), low = MIN(open, close, low * 0.9) WHERE date > ?
                """, arguments: [d.iso])
            // Other signals: some gone, the rest with other prices and confidences.
            let later = "entry_date > ? OR substr(created_at, 1, 10) > ?"
            try db.execute(sql: "DELETE FROM signals WHERE (\(later)) AND rowid % 3 = 0", arguments: [d.iso, d.iso])
            try db.execute(sql: """
                UPDATE signals SET entry_price = entry_price * 1.07, target_price = target_price * 1.07,
                    stop_loss = stop_loss * 1.07, confidence = 1 - confidence WHERE \(later)
                """, arguments: [d.iso, d.iso])
        }
        try queue.writeWithoutTransaction { try $0.checkpoint(.truncate) }
    }

    /// The replay equals the scheduler's jobs driven by hand with an injected clock over the
    /// same deliveries at the same instants (as CycleTests' 90-day simulation).
    @Test func replayEqualsTheDaemonDrivenByHand() async throws {
        let run = try await Self.baseline.value
        let config = try Self.config()
        let dir = TestSupport.scratch()
        let replay = try ReplayRun(sourcePath: Self.source, config: config, from: Self.from, to: Self.to, directory: dir.path, logger: Self.quiet)
        let source = try ReplaySource(path: Self.source)
        let store = try SignalStore(path: replay.storePath)
        try store.seed(from: source, before: Self.from)
        let app = App(config: replay.scratchConfig, store: store, logger: Self.quiet)

        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: config.exchangeTimezone)!
        let start = ReplayClock.instant(Self.from.adding(days: -1), hour: ReplayRun.deliveryTime.hour, minute: 0, calendar)
        let end = try Self.endOf(Self.to)
        let trading = Set(replay.days)
        let clock = Mutex(start)
        let runner = CycleRunner(app: app, now: { clock.withLock { $0 } })
        let schedule = config.schedule.scheduleConfig
        var undelivered = Self.from
        var t = start
        while t < end {
            clock.withLock { $0 = t }
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: t)
            let day = Day(year: c.year!, month: c.month!, day: c.day!)!
            if c.hour == ReplayRun.deliveryTime.hour, c.minute == 0, trading.contains(day) {
                try store.deliver(undelivered...day, from: source)
                undelivered = day.adding(days: 1)
            }
            for due in schedule.dueJobs(now: t, lastRuns: try await runner.lastRuns()) {
                try await runner.run(job: due.job, period: due.period)
            }
            t = t.addingTimeInterval(3600)
        }

        let (hand, replayed) = (try Self.decisions(replay.storePath), try Self.decisions(run.store))
        #expect(hand.count == replayed.count && hand.count > 8)
        #expect(hand == replayed)
        let (handP, replayedP) = (try Self.predictions(replay.storePath), try Self.predictions(run.store))
        #expect(!handP.isEmpty)
        #expect(handP == replayedP)
    }

    /// The same source and configuration give a byte-identical predictions.csv.
    @Test func replayIsDeterministic() async throws {
        let a = try await Self.baseline.value
        let b = try await Self.replay(Self.source)
        let (x, y) = (try Data(contentsOf: URL(fileURLWithPath: a.result.directory + "/predictions.csv")),
                      try Data(contentsOf: URL(fileURLWithPath: b.result.directory + "/predictions.csv")))
        #expect(x.count > 200)
        #expect(x == y)
        #expect(try Self.evidence(a.store) == Self.evidence(b.store))
    }

    /// A stop raised after k days ends the walk at the next day boundary: the outputs are
    /// written and agree with the full replay on every day both simulated.
    @Test func aStoppedReplayAgreesWithTheFullOne() async throws {
        let full = try await Self.baseline.value
        let stopped = try await Self.replay(Self.source, stopAfter: 12)
        #expect(stopped.result.stoppedEarly)
        #expect(stopped.result.daysSimulated == 12)
        #expect(stopped.result.through < Self.to && stopped.result.through >= Self.from)
        try Self.expectPrefix(stopped: stopped.result, full: full.result)
    }

    /// Everything the stopped replay stored and wrote equals the full replay's up to its last day.
    static func expectPrefix(stopped: ReplayResult, full: ReplayResult) throws {
        let cut = try endOf(stopped.through)
        let (ds, df) = (try decisions(stopped.store), try decisions(full.store))
        #expect(!ds.isEmpty && ds == df.filter { $0.at < cut })
        let (ps, pf) = (try predictions(stopped.store), try predictions(full.store))
        #expect(!ps.isEmpty && ps == pf.filter { $0.at < cut })
        let (ls, lf) = (try csvLines(stopped.directory), try csvLines(full.directory))
        // scored_on is the 6th column; outcomes known later differ, so compare the scoring part.
        func scoring(_ line: String) -> String { line.split(separator: ",", omittingEmptySubsequences: false).prefix(9).joined(separator: ",") }
        let fullUpTo = lf.dropFirst().filter { String($0.split(separator: ",", omittingEmptySubsequences: false)[5]) <= stopped.through.iso }
        #expect(ls.first == lf.first)
        #expect(ls.dropFirst().map(scoring) == fullUpTo.map(scoring))
    }

    /// A second replay into the same folder is refused without --force, and replaces the
    /// store from nothing with it.
    @Test func aFolderHoldingAReplayIsRefusedWithoutForce() async throws {
        let full = try await Self.baseline.value
        let dir = full.result.directory
        let config = try Self.config()
        let again = try ReplayRun(sourcePath: Self.source, config: config, from: Self.from, to: Self.from.adding(days: 3), directory: dir, logger: Self.quiet)
        await #expect { try await again.run() } throws: { error in
            "\(error)".contains("already holds a replay store") && "\(error)".contains("--force")
        }
        #expect(try Self.decisions(full.store).count > 8) // untouched
        let dir2 = TestSupport.scratch().path
        let short = try ReplayRun(sourcePath: Self.source, config: config, from: Self.from, to: Self.from.adding(days: 3), directory: dir2, logger: Self.quiet)
        _ = try await short.run()
        let forced = try ReplayRun(sourcePath: Self.source, config: config, from: Self.from, to: Self.from.adding(days: 3), directory: dir2, force: true, logger: Self.quiet)
        _ = try await forced.run()
        #expect(try Self.decisions(short.storePath) == Self.decisions(full.store).filter { $0.at < (try Self.endOf(Self.from.adding(days: 3))) })
        // The range is checked against the source's data.
        #expect(throws: ReplayError.self) { try ReplayRun(sourcePath: Self.source, config: config, from: Self.to, to: Self.from, logger: Self.quiet) }
        #expect(throws: ReplayError.self) { try ReplayRun(sourcePath: Self.source, config: config, from: Day(iso: "2030-01-01")!, logger: Self.quiet) }
        #expect(throws: ReplayError.self) { try ReplayRun(sourcePath: Self.source, config: config, from: Day(iso: "2000-01-01")!, logger: Self.quiet) }
        #expect(Self.fileHash(Self.source) == Self.sourceHash)
    }

    /// End to end: SIGTERM to a running `improvementd replay` stops it at a day boundary with
    /// exit 0, says so, writes predictions.csv, and agrees with the full replay.
    @Test func sigtermStopsTheCommandAtADayBoundary() async throws {
        let full = try await Self.baseline.value
        let dir = TestSupport.scratch().appendingPathComponent("out").path
        let process = Process()
        process.executableURL = TestSupport.binary
        process.arguments = ["replay", "--db", Self.source, "--from", Self.from.iso, "--to", Self.to.iso, "--out", dir, "--json"]
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("IMPROVEMENTD_") && $0.key != "JOURNAL_STREAM" && $0.key != "NOTIFY_SOCKET" }
        for (k, v) in Self.environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let collected = Mutex(Data())
        out.fileHandleForReading.readabilityHandler = { h in
            let data = h.availableData
            collected.withLock { $0.append(data) }
        }
        let errors = Mutex(Data())
        err.fileHandleForReading.readabilityHandler = { h in
            let data = h.availableData
            errors.withLock { $0.append(data) }
        }
        try process.run()
        // Wait until a few simulated days are done (daily jobs recorded in the scratch store).
        let store = dir + "/" + ReplayRun.storeName
        let deadline = Date().addingTimeInterval(300)
        func dailies() -> Int {
            guard FileManager.default.fileExists(atPath: store) else { return 0 }
            return (try? Self.read(store) { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM job_runs WHERE job = 'daily' AND status = 'succeeded'") ?? 0 }) ?? 0
        }
        while dailies() < 6 && Date() < deadline && process.isRunning { usleep(50_000) }
        try #require(process.isRunning, "the replay ended before the signal: \(String(decoding: errors.withLock { $0 }, as: UTF8.self))")
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        out.fileHandleForReading.readabilityHandler = nil
        err.fileHandleForReading.readabilityHandler = nil
        let stderr = String(decoding: errors.withLock { $0 } + err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stdout = collected.withLock { $0 } + out.fileHandleForReading.readDataToEndOfFile()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "\(stderr)")
        #expect(stderr.contains("stopped early at"), "\(stderr)")
        #expect(!stderr.contains("\r")) // no progress line: stderr is not a terminal (and --json)
        #expect(FileManager.default.fileExists(atPath: dir + "/predictions.csv"))
        let json = try #require(try JSONSerialization.jsonObject(with: stdout) as? [String: Any], "\(String(decoding: stdout, as: UTF8.self))")
        #expect(json["stopped_early"] as? Bool == true)
        let through = try #require((json["through"] as? String).flatMap { Day(iso: $0) })
        #expect(through < Self.to)
        var stopped = full.result
        stopped.directory = dir
        stopped.store = store
        stopped.through = through
        try Self.expectPrefix(stopped: stopped, full: full.result)
    }

    /// Usage errors: a bad date or a reversed range exit 2 with a clear message; the source
    /// is named by --db.
    @Test func badDatesAndRangesAreUsageErrors() throws {
        let (code, _, err) = try TestSupport.run(["replay", "--db", Self.source, "--from", "2025-13-01"])
        #expect(code == 2 && err.contains("not a date"), "\(err)")
        let (code2, _, err2) = try TestSupport.run(["replay", "--db", Self.source, "--from", "2026-01-10", "--to", "2026-01-01"])
        #expect(code2 == 2 && err2.contains("is after --to"), "\(err2)")
        let (code3, _, err3) = try TestSupport.run(["replay", "--db", Self.source, "--from", "2031-01-01"])
        #expect(code3 == 2 && err3.contains("outside the source's data"), "\(err3)")
        let (code4, _, err4) = try TestSupport.run(["replay", "--db", "/nonexistent/store.sqlite", "--from", "2025-12-01"])
        #expect(code4 == 1 && err4.contains("does not exist"), "\(err4)")
    }
}
