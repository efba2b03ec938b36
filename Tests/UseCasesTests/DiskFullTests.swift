import Daemon
import Foundation
import GRDB
import Logging
import Store
import Synchronization
import Testing
@testable import UseCases

/// A full disk, a read-only store and a store whose directory is gone: every command fails with
/// exit 1 and a message naming the store and the cause, writes nothing (a digest of every table
/// before and after), and the daemon keeps running and completes its job once space returns.
///
/// The full disk is SQLite's SQLITE_FULL, raised by the test-only `IMPROVEMENTD_MAX_PAGE_COUNT`
/// (docs/TESTING.md) or, where the test may mount one, by a real 2 MB tmpfs.
@Suite(.serialized) struct DiskFullTests {
    /// Every table's rows, hashed per table (order-independent within a table).
    static func tables(_ path: String) throws -> [String: String] {
        let store = try SignalStore(path: path)
        return try store.read("") { db in
            var out: [String: String] = [:]
            for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") {
                let text = try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\"").map(\.description).sorted().joined(separator: "\n")
                out[table] = SignalStore.sha256(Array(text.utf8))
            }
            return out
        }
    }

    /// All of the store's tables, hashed together.
    static func digest(_ path: String) throws -> String {
        SignalStore.sha256(Array(try tables(path).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: "\n").utf8))
    }

    /// Folds the WAL into the file and drops free pages, so the file's page count is what the
    /// store holds and any write that needs a page more must grow it.
    static func compact(_ path: String) throws -> Int {
        let store = try SignalStore(path: path)
        try store.pool.writeWithoutTransaction { db in
            try db.execute(sql: "VACUUM")
            try db.checkpoint(.truncate)
        }
        return try store.read("") { try Int.fetchOne($0, sql: "PRAGMA page_count")! }
    }

    static func environment(_ dir: URL, _ extra: [String: String] = [:]) -> [String: String] {
        var env = ["IMPROVEMENTD_REPORTS_DIR": dir.appendingPathComponent("reports").path,
                   "IMPROVEMENTD_INBOX_DIR": dir.appendingPathComponent("inbox").path,
                   "IMPROVEMENTD_TRAINING_TUNING_TRIALS": "0"]
        for (k, v) in extra { env[k] = v }
        return env
    }

    /// A scratch copy of `template` compacted; returns its folder, path and page count.
    static func copy(_ template: URL) throws -> (URL, String, Int) {
        let dir = TestSupport.scratch()
        let path = dir.appendingPathComponent("store.sqlite").path
        try FileManager.default.copyItem(atPath: template.path, toPath: path)
        return (dir, path, try compact(path))
    }

    /// The commands that write, each on the store it writes to.
    enum Command: String, CaseIterable, CustomTestStringConvertible {
        case importBars = "import bars", train, once = "--once", label = "label --full"
        var testDescription: String { rawValue }
        /// Tables that steps before the failing write may have committed, each in its own
        /// transaction: `--once` evaluates production and records it before it retrains;
        /// `label --full` first marks every bar for recomputation (`markAllDirty`).
        var committedBefore: Set<String> {
            switch self {
            case .once: return ["evaluations", "settings", "sqlite_sequence"]
            case .label: return ["dirty_bars", "dirty_seq"]
            default: return []
            }
        }
        var template: URL {
            switch self {
            case .importBars: return KillAnywhereTests.barsOnlyTemplate
            case .train, .label: return TestSupport.realStoreTemplate
            case .once: return TestSupport.realStoreTemplate
            }
        }
        func arguments(_ dir: URL, _ path: String) -> [String] {
            switch self {
            case .importBars:
                // The bars again under other symbols' names: all new rows.
                let bars = dir.appendingPathComponent("bars")
                try! FileManager.default.createDirectory(at: bars, withIntermediateDirectories: true)
                for name in try! FileManager.default.contentsOfDirectory(atPath: TestSupport.ohlcv) where name.hasSuffix(".csv") && !name.hasPrefix("^") {
                    try! FileManager.default.copyItem(atPath: TestSupport.ohlcv + "/" + name, toPath: bars.appendingPathComponent("X" + name).path)
                }
                return ["import", "bars", bars.path, "--db", path]
            case .train: return ["train", "--algorithms", "gb,lr", "--no-tune", "--db", path]
            case .once: return ["--once", "--db", path]
            case .label: return ["label", "--full", "--db", path]
            }
        }
    }

    /// (a) SQLITE_FULL from a page limit at the store's size: exit 1, the store and "disk is
    /// full" named, every table as it was; without the limit the same command completes.
    @Test(arguments: Command.allCases)
    func aFullDiskFailsCleanly(command: Command) throws {
        let (dir, path, _) = try Self.copy(command.template)
        if command == .label {
            // Every outcome to write again.
            try SignalStore(path: path).write("") { try $0.execute(sql: "DELETE FROM outcomes") }
        }
        let pages = try Self.compact(path)
        let arguments = command.arguments(dir, path)
        let before = try Self.tables(path)
        // Two pages of room: the store opens, the command's large write does not fit.
        let (status, _, stderr) = try TestSupport.run(arguments, environment: Self.environment(dir, [SignalStore.maxPageCountVariable: "\(pages + 2)"]))
        #expect(status == 1, "\(stderr)")
        #expect(stderr.contains(path) && stderr.contains("the disk is full (SQLITE_FULL"), "\(stderr)")
        let after = try Self.tables(path)
        let changed = Set(before.keys.filter { before[$0] != after[$0] })
        #expect(changed.isSubset(of: command.committedBefore), "changed: \(changed.sorted())")
        #expect(before.keys.sorted() == after.keys.sorted())
        let store = try SignalStore(path: path)
        #expect(try store.read("") { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok")

        // Space returns: the same command completes.
        let (again, _, err) = try TestSupport.run(arguments, environment: Self.environment(dir))
        #expect(again == 0, "\(err)")
    }

    /// Whether this process may mount a tmpfs (root with CAP_SYS_ADMIN, as in CI).
    static func mountTmpfs(_ dir: URL, size: String) -> Bool {
        guard getuid() == 0 else { return false }
        let (status, _, _) = shell("mount", "-t", "tmpfs", "-o", "size=\(size)", "tmpfs", dir.path)
        return status == 0
    }

    @discardableResult
    static func shell(_ arguments: String...) -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        guard (try? process.run()) != nil else { return (-1, "", "cannot run \(arguments)") }
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    /// (b) A real full filesystem: a store on a 2 MB tmpfs, an import that does not fit fails
    /// cleanly; after a filler file is deleted the same import completes.
    @Test func aRealFullFilesystem() throws {
        let mount = TestSupport.scratch()
        guard Self.mountTmpfs(mount, size: "2m") else {
            print("disk-full: cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN): the real full filesystem case is skipped")
            return
        }
        defer { Self.shell("umount", mount.path) }
        let path = mount.appendingPathComponent("store.sqlite").path
        let first = try TestSupport.run(["import", "bars", TestSupport.ohlcv + "/^NSEI.csv", "--db", path], environment: Self.environment(mount))
        try #require(first.0 == 0, "\(first.2)")
        _ = try Self.compact(path)
        // Fill what is left but a little, so the next import does not fit.
        let filler = mount.appendingPathComponent("filler")
        var stat = statvfs()
        statvfs(mount.path, &stat)
        let free = Int(stat.f_bavail) * Int(stat.f_frsize)
        try Data(count: max(free - 64 * 1024, 0)).write(to: filler)
        let before = try Self.digest(path)
        let all = try TestSupport.run(["import", "bars", TestSupport.ohlcv, "--db", path], environment: Self.environment(mount))
        #expect(all.0 == 1, "\(all.2)")
        #expect(all.2.contains(path) && all.2.contains("the disk is full"), "\(all.2)")
        #expect(try Self.digest(path) == before)

        try FileManager.default.removeItem(at: filler)
        let again = try TestSupport.run(["import", "bars", TestSupport.ohlcv, "--db", path], environment: Self.environment(mount))
        #expect(again.0 == 0, "\(again.2)")
        let store = try SignalStore(path: path)
        #expect(try store.read("") { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok")
        #expect(try store.rowCounts()["price_bars"] == SignalStore(path: TestSupport.realStoreTemplate.path).rowCounts()["price_bars"])
    }

    /// (c) A read-only store: a read-only bind mount of its folder as root (root writes
    /// through file modes), file modes otherwise. Every writing command exits 1 naming the store
    /// and "read-only", and the store is as it was.
    @Test(arguments: [Command.importBars, .train, .once])
    func aReadOnlyStoreFailsCleanly(command: Command) throws {
        let dir = TestSupport.scratch()
        let writable = dir.appendingPathComponent("rw"), readOnly = dir.appendingPathComponent("ro")
        for d in [writable, readOnly] { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) }
        let original = writable.appendingPathComponent("store.sqlite").path
        try FileManager.default.copyItem(atPath: command.template.path, toPath: original)
        _ = try Self.compact(original)
        let before = try Self.digest(original)
        var mounted = false
        if getuid() == 0 {
            mounted = Self.shell("mount", "--bind", writable.path, readOnly.path).0 == 0
            if mounted && Self.shell("mount", "-o", "remount,bind,ro", readOnly.path).0 != 0 {
                Self.shell("umount", readOnly.path)
                mounted = false
            }
            if !mounted {
                print("disk-full: root cannot bind-mount read-only here, and file modes do not stop root: the read-only case is skipped")
                return
            }
        }
        defer { if mounted { Self.shell("umount", readOnly.path) } }
        let path = mounted ? readOnly.appendingPathComponent("store.sqlite").path : original
        if !mounted {
            try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: original)
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: writable.path)
        }
        let (status, _, stderr) = try TestSupport.run(command.arguments(dir, path), environment: Self.environment(dir))
        #expect(status == 1, "\(stderr)")
        #expect(stderr.contains(path) && stderr.contains("the store is read-only"), "\(stderr)")
        if !mounted {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: writable.path)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: original)
        }
        #expect(try Self.digest(original) == before)
    }

    /// (c) The store's directory removed while the store is open (the daemon's case): the next
    /// write is refused, naming the store and the gone directory, instead of going on into an
    /// unlinked file whose every write would vanish.
    @Test func aStoreWhoseDirectoryIsGoneFailsCleanly() throws {
        let dir = TestSupport.scratch()
        let app = try TestSupport.app(dir)
        _ = try app.importer.run(.bars, paths: [TestSupport.ohlcv + "/^NSEI.csv"], skipInvalid: false)
        try FileManager.default.removeItem(at: dir)
        do {
            _ = try app.importer.run(.symbols, paths: [TestSupport.symbolsCSV], skipInvalid: false)
            Issue.record("a write into a removed directory succeeded")
        } catch {
            let message = "\(error)"
            #expect(message.contains(app.store.path) && message.contains("directory \(dir.path) is gone"), "\(message)")
        }
    }

    /// Collects log records, for the daemon test.
    final class Records: @unchecked Sendable {
        let lock = NSLock()
        var items: [(Logger.Level, String, Logger.Metadata)] = []
        func append(_ r: (Logger.Level, String, Logger.Metadata)) { lock.withLock { items.append(r) } }
        var all: [(Logger.Level, String, Logger.Metadata)] { lock.withLock { items } }
    }

    struct CollectingHandler: LogHandler {
        let records: Records
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            records.append((event.level, "\(event.message)", metadata.merging(event.metadata ?? [:]) { $1 }))
        }
    }

    /// (d) The daemon keeps running: the daily job over a store at its size limit fails with
    /// SQLITE_FULL, is logged, and the scheduler goes on; when space returns (the limit raised)
    /// the retry completes the job for the same period.
    @Test func theDaemonRetriesAfterTheDiskFilled() async throws {
        let (dir, path, pages) = try Self.copy(CrashTests.trainedTemplate)
        let records = Records()
        let logger = Logger(label: "disk-full") { _ in CollectingHandler(records: records) }
        var app = try TestSupport.app(dir, environment: TestSupport.quickTraining)
        app.logger = logger
        #expect(app.store.path == path)
        // The daily job's unscored signals: scoring them needs room the store does not have.
        try await app.store.pool.writeWithoutTransaction { db in
            try db.execute(sql: "DELETE FROM predictions")
            try db.execute(sql: "VACUUM")
        }
        let limit = try app.store.read("") { try Int.fetchOne($0, sql: "PRAGMA page_count")! }
        #expect(limit <= pages)
        // On the pool's one writer connection: a disk this size.
        try await app.store.pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA max_page_count = \(limit)") }

        let start = Date(timeIntervalSince1970: 1_790_000_000) // 2026-09-21
        let clock = Mutex(start)
        let schedule = app.config.schedule.scheduleConfig
        // Only the daily job is due: the weekly and monthly periods are done.
        for due in schedule.dueJobs(now: start, lastRuns: [:]) where due.job != .daily {
            _ = try app.store.beginJob(due.job.rawValue, period: due.period, at: start)
            try app.store.finishJob(due.job.rawValue, period: due.period, succeeded: true, detail: "done", at: start)
        }
        let runner = CycleRunner(app: app, now: { clock.withLock { $0 } })
        let store = app.store
        let sleeps = Mutex(0)
        let scheduler = SchedulerService(
            schedule: schedule, runner: runner, logger: logger, watchdogInterval: nil,
            options: .init(retryDelay: .seconds(600), maxAttemptsPerPeriod: 3, sendReady: false),
            now: { clock.withLock { $0 } },
            sleep: { duration in
                let n = sleeps.withLock { $0 += 1; return $0 }
                // The first wait follows the failure: space returns meanwhile. Once the daily job
                // has succeeded, the service is stopped.
                if n == 1 { try await store.pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA max_page_count = 1073741823") } }
                if try await runner.lastRuns()[.daily] != nil || n > 20 { throw CancellationError() }
                clock.withLock { $0 = $0.addingTimeInterval(Double(duration.components.seconds)) }
            }
        )
        try await scheduler.run()

        let failures = records.all.filter { $0.1 == "job failed" }
        #expect(failures.count == 1)
        let error = failures.first.map { "\($0.2["error"] ?? "")" } ?? ""
        #expect(error.contains(path) && error.contains("the disk is full (SQLITE_FULL"), "\(error)")
        let finished = records.all.filter { $0.1 == "job finished" && "\($0.2["job"] ?? "")" == "daily" }
        #expect(finished.count == 1, "\(records.all.map(\.1))")
        let runs = try app.store.read("") { try Row.fetchAll($0, sql: "SELECT status FROM job_runs WHERE job = 'daily'") }
        #expect(runs.map { $0[0] as String } == ["succeeded"])
        #expect(try app.store.read("") { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM predictions")! } > 0)
    }
}
