import Foundation
import GRDB
import Testing
@testable import Store

/// A value shared between the test and its writer thread.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<T>(_ body: (inout Value) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}

/// `improvementd backup` and `improvementd check` at the store level (README.md, "Operations").
@Suite struct BackupCheckTests {
    func scratch() -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("store-test-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A backup taken while another thread commits rows continuously (each transaction one bar of
    /// A and one of B for the same day) is a valid store holding a prefix of those transactions.
    @Test func aBackupWhileAnotherThreadWritesIsAConsistentPrefix() throws {
        let dir = scratch()
        let store = try SignalStore(path: dir.appendingPathComponent("s.sqlite").path)
        let stop = Locked(false), committed = Locked(0)
        let started = DispatchSemaphore(value: 0), finished = DispatchSemaphore(value: 0)
        let writeError = Locked<String?>(nil)
        Thread.detachNewThread {
            var i = 0
            while !stop.withLock({ $0 }) {
                do {
                    try store.pool.write { db in
                        for symbol in ["A", "B"] {
                            try db.execute(sql: "INSERT INTO price_bars VALUES (?, ?, 1, 2, 0.5, 1.5, ?)", arguments: [symbol, String(format: "d%06d", i), i])
                        }
                    }
                } catch {
                    writeError.withLock { $0 = "\(error)" }
                    break
                }
                i += 1
                committed.withLock { $0 = i }
                if i == 200 { started.signal() }
            }
            if i < 200 { started.signal() }
            finished.signal()
        }
        started.wait()
        let backup = dir.appendingPathComponent("b.sqlite").path
        try store.backup(to: backup)
        let atEnd = committed.withLock { $0 }
        stop.withLock { $0 = true }
        finished.wait()
        #expect(writeError.withLock { $0 } == nil)

        #expect(!FileManager.default.fileExists(atPath: backup + ".partial"))
        let copy = try DatabaseQueue(path: backup)
        #expect(try copy.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") } == ["ok"])
        let rows = try copy.read { db in
            try Row.fetchAll(db, sql: "SELECT symbol, volume FROM price_bars ORDER BY symbol, date").map { ($0[0] as String, $0[1] as Int) }
        }
        let a = rows.filter { $0.0 == "A" }.map(\.1), b = rows.filter { $0.0 == "B" }.map(\.1)
        #expect(a.count >= 200 && a.count <= atEnd + 1)
        #expect(a == Array(0..<a.count) && b == a, "a prefix of whole transactions")
        // And it opens as a store.
        #expect(try SignalStore(path: backup).rowCounts()["price_bars"] == rows.count)
    }

    @Test func aBackupRefusesAnExistingFileUnlessReplacing() throws {
        let dir = scratch()
        let store = try SignalStore(path: dir.appendingPathComponent("s.sqlite").path)
        let target = dir.appendingPathComponent("b.sqlite").path
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: target))
        #expect(throws: StoreError.self) { try store.backup(to: target) }
        #expect(FileManager.default.contents(atPath: target) == Data("keep me".utf8))
        try store.backup(to: target, replacing: true)
        #expect(throws: StoreError.self) { try store.backup(to: store.path, replacing: true) }
        #expect(try store.check().ok)
        #expect(try DatabaseQueue(path: target).read { try String.fetchAll($0, sql: "PRAGMA integrity_check") } == ["ok"])
    }

    func storeWithModels(_ dir: URL) throws -> SignalStore {
        let store = try SignalStore(path: dir.appendingPathComponent("s.sqlite").path)
        for bytes in [[UInt8]([1, 2, 3]), [4, 5, 6]] {
            let v = try store.registerModel(NewModelVersion(
                algorithm: "gb", hyperparameters: "{}", featureSchemaHash: "h", dataStart: nil, dataEnd: nil, nTrain: 10, nHoldout: 3,
                seed: 42, libraryVersions: "{}", cvMetrics: "{}", holdoutMetrics: "{}", artifact: bytes
            ))
            try store.promote(v, reason: "test")
        }
        return store
    }

    @Test func checkPassesOnAGoodStoreAndNamesACorruptedArtifact() throws {
        let store = try storeWithModels(scratch())
        let good = try store.check()
        #expect(good.ok && good.checks.map(\.name) == ["integrity", "foreign keys", "artifact checksums", "one production version"])
        #expect(good.checks[2].details == ["2 artifacts match"] && good.checks[3].details == ["production: v2"])
        try store.pool.write { try $0.execute(sql: "UPDATE model_versions SET artifact = X'0909' WHERE version = 1") }
        let bad = try store.check()
        #expect(!bad.ok)
        let failed = bad.checks.filter { !$0.ok }
        #expect(failed.map(\.name) == ["artifact checksums"])
        #expect(failed[0].details.count == 1 && failed[0].details[0].hasPrefix("model version 1:"), "\(failed[0].details)")
    }

    @Test func checkNamesAForeignKeyViolation() throws {
        let store = try storeWithModels(scratch())
        try store.pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "INSERT INTO predictions (signal_id, model_version, probability, scored_at) VALUES ('ghost', 2, 0.5, '2026-01-01T00:00:00Z')")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        let report = try store.check()
        let fk = try #require(report.checks.first { $0.name == "foreign keys" })
        #expect(!report.ok && !fk.ok)
        #expect(fk.details.contains { $0.contains("predictions") && $0.contains("signals") }, "\(fk.details)")
    }
}
