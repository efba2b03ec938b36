import Foundation
import GRDB
import Testing
@testable import Store
import TradingDomain

@Suite struct MigrationTests {
    func scratchPath() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("store-test-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("s.sqlite").path
    }

    @Test func freshFileGetsEveryTableAndReopenKeepsData() throws {
        let path = scratchPath()
        do {
            let store = try SignalStore(path: path)
            let tables = try store.read("") { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") }
            for t in SignalStore.tables { #expect(tables.contains(t), "\(t)") }
            let mode = try store.read("") { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
            #expect(mode == "wal")
            let bar = Bar(day: Day(iso: "2024-01-01")!, open: 1, high: 2, low: 0.5, close: 1.5, volume: 3)
            #expect(try store.upsertBars([.init(symbol: "X", bar: bar)]).written == 1)
        }
        let reopened = try SignalStore(path: path)
        #expect(try reopened.rowCounts()["price_bars"] == 1)
        let applied = try reopened.read("") { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") }
        #expect(applied == ["v1-core", "v2-model-importance", "v3-outcome-change-seq", "v4-blended-probability", "v5-dirty-inputs"])
    }

    @Test func aSecondConnectionReadsWhileAWriteIsInProgress() throws {
        let path = scratchPath()
        let writer = try SignalStore(path: path)
        let bar = Bar(day: Day(iso: "2024-01-01")!, open: 1, high: 2, low: 0.5, close: 1.5, volume: 3)
        _ = try writer.upsertBars([.init(symbol: "X", bar: bar)])

        // Another process's view: a separate connection to the same file.
        let reader = try DatabaseQueue(path: path)
        let inWrite = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let writeDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            try? writer.pool.write { db in
                try db.execute(sql: "INSERT INTO price_bars VALUES ('Y', '2024-01-02', 1, 2, 0.5, 1.5, 3)")
                inWrite.signal()
                release.wait()
            }
            writeDone.signal()
        }
        inWrite.wait()
        // The write transaction is open: a read must not block and sees the last committed state.
        let seen = try reader.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM price_bars") }
        #expect(seen == 1)
        release.signal()
        writeDone.wait()
        let after = try reader.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM price_bars") }
        #expect(after == 2)
    }
}
