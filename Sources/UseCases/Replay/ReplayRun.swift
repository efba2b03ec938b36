import Daemon
import Foundation
import GRDB
import Logging
import Store
import TradingDomain

/// `improvementd replay`: the daemon's real scheduler and jobs run over a past stretch of a
/// store, day by day, in a scratch store that only ever knows what was known on the simulated
/// day (README.md, "replay"; docs/SCHEMA.md, "Replay stores").
///
/// How: the scratch store `DIR/replay.sqlite` is seeded with everything known before `from`;
/// then the real `SchedulerService` runs the real `CycleRunner` over it with a virtual clock
/// (``ReplayClock``) that starts at the delivery instant of the day before `from` and delivers
/// each trading day's rows at that day's ``deliveryTime``. At the start the store has never run
/// a job, so the scheduler runs each of the three jobs once, for its latest period, as missed
/// jobs in `JobKind` order, exactly as the daemon does at its first start: the daily job (labels,
/// features; no model to score with yet), then the weekly check, which finds no production model
/// (triggers `schedule`, `insufficient_data`), trains the first model, promotes it and scores the
/// unlabeled signals with it, then the monthly full retrain, which finds nothing labeled since
/// that training and decides `skipped` ("nothing new"). All three are dated at the start instant,
/// the day before `from`. From then on the jobs run at their configured times until the midnight
/// after `to`, or until a stop was requested, checked at each midnight, between jobs.
public struct ReplayRun: Sendable {
    /// When a trading day's rows are delivered, in the exchange's time zone: the close of the
    /// market (NSE closes at 15:30; 16:00 leaves the end-of-day data time to arrive), before the
    /// daily job's default 18:30, as a trading system would deliver them to the running daemon.
    public static let deliveryTime = (hour: 16, minute: 0)
    /// The tuning wall-clock cap of a replay: the largest `tuning_seconds` accepts, so the
    /// trial count and the proportional budget (both counted, not timed) end tuning.
    public static let unboundedTuningSeconds = 86_400.0
    /// The scratch store's file name in the output folder.
    public static let storeName = "replay.sqlite"

    public let source: ReplaySource
    /// The user's configuration; the scratch app's is this one with the paths of ``directory``.
    public let config: Configuration
    public let from: Day
    public let to: Day
    /// The trading days (the index symbol's bars) from `from` through `to`.
    public let days: [Day]
    /// The output folder.
    public let directory: String
    public let force: Bool
    public var logger: Logger

    /// The default output folder, `var/replay-<from>-<to>`.
    public static func defaultDirectory(from: Day, to: Day) -> String { "var/replay-\(from.iso)-\(to.iso)" }

    /// Opens the source read-only and checks the range: `to` defaults to the source's last
    /// trading day (the index symbol's last bar), `directory` to ``defaultDirectory(from:to:)``.
    public init(
        sourcePath: String, config: Configuration, from: Day, to: Day? = nil, directory: String? = nil,
        force: Bool = false, logger: Logger = Logger(label: "improvementd")
    ) throws {
        let source = try ReplaySource(path: sourcePath)
        let all = try source.tradingDays(index: config.indexSymbol, from: Day(year: 1, month: 1, day: 1)!, to: Day(year: 9999, month: 12, day: 31)!)
        guard let first = all.first, let last = all.last else {
            throw ReplayError("the replay source \(sourcePath) has no bars of the index symbol \(config.indexSymbol) (index_symbol), so it has no trading days to replay")
        }
        let to = to ?? last
        guard first <= from, from <= last else {
            throw ReplayError("--from \(from.iso) is outside the source's data: its trading days (bars of \(config.indexSymbol)) run from \(first.iso) through \(last.iso)")
        }
        guard from <= to else { throw ReplayError("--from \(from.iso) is after --to \(to.iso)") }
        guard to <= last else {
            throw ReplayError("--to \(to.iso) is after the source's last trading day \(last.iso) (bars of \(config.indexSymbol))")
        }
        self.source = source
        self.config = config
        self.from = from
        self.to = to
        days = all.filter { from <= $0 && $0 <= to }
        guard !days.isEmpty else { throw ReplayError("no trading day from \(from.iso) through \(to.iso) in the source (bars of \(config.indexSymbol))") }
        self.directory = directory ?? Self.defaultDirectory(from: from, to: to)
        self.force = force
        self.logger = logger
    }

    public var storePath: String { (directory as NSString).appendingPathComponent(Self.storeName) }

    /// The scratch app's configuration: the user's, with the store, reports and inbox in the
    /// output folder and no trading database (a replay never reads the live one). The inbox
    /// folder does not exist, so the daily job imports nothing but what the replay delivers.
    /// Tuning is bounded by `tuning_trials` and the proportional budget (counted in fold fits, as
    /// in the daemon) alone: `tuning_seconds` is measured time, which would make the trials run,
    /// hence the models, depend on the machine's speed and load.
    public var scratchConfig: Configuration {
        var c = config
        c.database = storePath
        c.reportsDir = (directory as NSString).appendingPathComponent("reports")
        c.inboxDir = (directory as NSString).appendingPathComponent("no-inbox")
        c.tradingDB = ""
        c.training.tuningSeconds = Self.unboundedTuningSeconds
        // A replay's jobs must not overwrite the running daemon's metrics textfile.
        c.metrics.textfileDir = ""
        return c
    }

    /// Runs the replay and writes its outputs (``ReplayReport``), also when stopped early.
    /// - Parameters:
    ///   - shouldStop: read at each simulated midnight; true ends the walk there.
    ///   - progress: called at each simulated midnight.
    public func run(
        shouldStop: @escaping @Sendable () -> Bool = { false },
        progress: (@Sendable (ReplayProgress) -> Void)? = nil
    ) async throws -> ReplayResult {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let lock = try InstanceLock(storePath: storePath)
        defer { lock.release() }
        try prepareDirectory()
        let app = App(config: scratchConfig, store: try SignalStore(path: storePath), logger: logger)
        let (source, from) = (self.source, self.from)
        try await CycleRunner.onThread { _ = try app.store.seed(from: source, before: from) }

        let total = days.count
        let store = app.store
        let clock = ReplayClock(
            days: days, from: from, to: to, timeZone: Self.zone(config.exchangeTimezone),
            deliver: { range in try await CycleRunner.onThread { _ = try store.deliver(range, from: source) } },
            dayDone: { day, delivered in
                guard let progress else { return }
                progress(ReplayProgress(day: day, daysDone: delivered, totalDays: total, retrains: (try? Self.retrains(store)) ?? 0))
            },
            shouldStop: shouldStop
        )
        let runner = CycleRunner(app: app, now: { clock.now })
        let scheduler = SchedulerService(
            schedule: config.schedule.scheduleConfig, runner: runner, logger: logger, notifier: .disabled,
            watchdogInterval: nil, options: .init(maxWait: .seconds(86_400), sendReady: false),
            now: { clock.now }, sleep: { try await clock.sleep($0) }
        )
        try await scheduler.run()

        let state = clock.snapshot
        let delivered = state.next
        // The last day simulated; a stop during the start-up jobs leaves none of the range.
        let through = max(state.finished ?? from, from)
        let summary = try await CycleRunner.onThread { try ReplayReport.write(app: app, from: from, through: through, to: directory) }
        let written = ["predictions.csv", "decisions.csv", "models.csv", "summary.txt", "summary.json", "replay.html"]
            .map { (directory as NSString).appendingPathComponent($0) }
            .filter { FileManager.default.fileExists(atPath: $0) }
        return ReplayResult(
            directory: directory, store: storePath, files: written, from: from, through: through, to: to,
            daysSimulated: delivered, totalDays: total, stoppedEarly: state.stoppedEarly || (!state.ended && delivered < total),
            retrains: try Self.retrains(store), failedJobs: try Self.failedJobs(store), summary: summary
        )
    }

    /// Refuses a folder that holds a replay store already (a replay starts from nothing), or
    /// deletes that store and its reports with `force`; never the source itself.
    func prepareDirectory() throws {
        let fm = FileManager.default
        if URL(fileURLWithPath: storePath).standardizedFileURL.resolvingSymlinksInPath() == URL(fileURLWithPath: source.path).standardizedFileURL.resolvingSymlinksInPath() {
            throw ReplayError("the output folder's store \(storePath) is the replay source itself; choose another --out")
        }
        let files = [storePath, storePath + "-wal", storePath + "-shm"]
        guard files.contains(where: fm.fileExists(atPath:)) else { return }
        guard force else {
            throw ReplayError("\(directory) already holds a replay store (\(Self.storeName)): a replay must start from nothing; choose another --out, or pass --force to delete it and its reports first")
        }
        for file in files where fm.fileExists(atPath: file) { try fm.removeItem(atPath: file) }
        let reports = scratchConfig.reportsDir
        if fm.fileExists(atPath: reports) { try fm.removeItem(atPath: reports) }
    }

    static func zone(_ identifier: String) -> TimeZone { TimeZone(identifier: identifier) ?? TimeZone(identifier: "UTC")! }

    /// Checks that decided to retrain, so far.
    static func retrains(_ store: SignalStore) throws -> Int {
        try store.read("counting retrains") { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM decisions WHERE action = 'retrain'") ?? 0 }
    }

    /// Job runs that failed (each retried by the scheduler as in the daemon).
    static func failedJobs(_ store: SignalStore) throws -> Int {
        try store.read("counting failed jobs") { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM job_runs WHERE status = 'failed'") ?? 0 }
    }
}

/// A replay that cannot start: a bad range, a missing source, an output folder in use.
public struct ReplayError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
