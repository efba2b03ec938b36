import Foundation
import GRDB
import TradingDomain

/// The SQLite store of signals, bars, outcomes, features, predictions, models and decisions.
///
/// A `DatabasePool` in WAL mode, so the trading system can read `predictions` and write
/// `signals` while the daemon works; every write method is one transaction (all or nothing).
public final class SignalStore: Sendable {
    public let pool: DatabasePool
    public let path: String

    /// Opens (creating if needed) the store at `path` and runs pending migrations.
    public init(path: String) throws(StoreError) {
        self.path = path
        var config = Configuration()
        config.busyMode = .timeout(10)
        let maxPageCount = Self.maxPageCount
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            if let maxPageCount { try db.execute(sql: "PRAGMA max_page_count = \(maxPageCount)") }
        }
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        // A store migrated by a newer improvementd lists migrations this binary does not know:
        // it is refused before migrating, through a read-only connection first (opening the pool
        // writes to a store that has no WAL file), so nothing is written (README.md, "Operations").
        // A file the read-only connection cannot read is left to the pool's own errors, and the
        // same check runs again on the pool.
        if FileManager.default.fileExists(atPath: path) {
            var readOnly = Configuration()
            readOnly.readonly = true
            if let queue = try? DatabaseQueue(path: path, configuration: readOnly) {
                let unknown = try? queue.read(Self.unknownMigrations)
                try? queue.close()
                if let unknown, !unknown.isEmpty { throw StoreError.newer(path, unknown) }
            }
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch {
            throw StoreError.open(path, error)
        }
        let unknown: [String]
        do {
            unknown = try pool.read(Self.unknownMigrations)
        } catch {
            throw StoreError(.migrate, "cannot read the migrations of the store \(path): \(StoreError.cause(of: error, path: path) ?? "\(error)")")
        }
        guard unknown.isEmpty else { throw StoreError.newer(path, unknown) }
        do {
            try Migrations.migrator.migrate(pool)
        } catch {
            throw StoreError(.migrate, "cannot migrate the store \(path): \(StoreError.cause(of: error, path: path) ?? "\(error)")")
        }
    }

    /// Migrations the store has applied that this binary does not know, sorted.
    static func unknownMigrations(_ db: Database) throws -> [String] {
        let migrator = Migrations.migrator
        return try migrator.appliedIdentifiers(db).subtracting(try migrator.appliedMigrations(db)).sorted()
    }

    /// A testing aid: `IMPROVEMENTD_MAX_PAGE_COUNT` caps the store's size in pages on every
    /// connection (`PRAGMA max_page_count`), so a test makes a write hit SQLITE_FULL, a full
    /// disk, without filling one (docs/TESTING.md). Unset, as in production, nothing is capped.
    public static let maxPageCountVariable = "IMPROVEMENTD_MAX_PAGE_COUNT"
    static let maxPageCount: Int? = ProcessInfo.processInfo.environment[maxPageCountVariable].flatMap { Int($0) }

    /// Runs `body` in one write transaction, mapping SQLite errors to `StoreError`. A full disk,
    /// a read-only store or its directory gone is named plainly with the store's path.
    public func write<T>(_ what: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        // SQLite goes on writing into an unlinked file when the store's directory is removed
        // while open, so every later write would vanish: refuse before the transaction.
        guard FileManager.default.fileExists(atPath: path) else {
            let cause = StoreError.cause(of: CocoaError(.fileNoSuchFile), path: path) ?? "the store file is gone"
            throw StoreError(.write, "\(what) failed, nothing was written to the store \(path): \(cause)")
        }
        do {
            return try pool.write(body)
        } catch let error as StoreError {
            throw error
        } catch {
            if let cause = StoreError.cause(of: error, path: path) {
                throw StoreError(.write, "\(what) failed, nothing was written to the store \(path): \(cause)")
            }
            throw StoreError(.write, "\(what) failed, nothing was written: \(error)")
        }
    }

    /// Runs `body` on a read snapshot.
    public func read<T>(_ what: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try pool.read(body)
        } catch let error as StoreError {
            throw error
        } catch {
            if let cause = StoreError.cause(of: error, path: path) {
                throw StoreError(.read, "\(what) failed, reading the store \(path): \(cause)")
            }
            throw StoreError(.read, "\(what) failed: \(error)")
        }
    }

    static func timestamp(_ date: Date = Date()) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false).timeSeparator(.colon).timeZone(separator: .omitted))
    }
}

/// How many rows a write added or changed, and how many it found identical.
public struct WriteCount: Sendable, Equatable, Codable {
    public var written: Int = 0
    public var unchanged: Int = 0
    public init(written: Int = 0, unchanged: Int = 0) {
        self.written = written
        self.unchanged = unchanged
    }
}
