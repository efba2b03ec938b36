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
        #expect(applied == ["v1-core", "v2-model-importance", "v3-outcome-change-seq", "v4-blended-probability", "v5-dirty-inputs", "v6-one-production-model", "v7-take-policy", "v8-holdout-scores", "v9-predictions-one-index", "v10-candidate-scores"])
    }

    /// A store of the older schema that holds two production rows (possible before the index)
    /// upgrades to one: the highest version stays production, the other is retired as a demotion
    /// would leave it, with the reason recorded.
    @Test func aStoreWithTwoProductionRowsUpgradesToOne() throws {
        let path = scratchPath()
        do {
            let old = try DatabaseQueue(path: path)
            try Migrations.migrator.migrate(old, upTo: "v5-dirty-inputs")
            try old.write { db in
                for (v, status, reason) in [(1, "production", "first model"), (2, "retired", "beats v1"), (3, "production", "beats v2")] {
                    try db.execute(sql: """
                        INSERT INTO model_versions (version, algorithm, hyperparameters, feature_schema_hash, n_train, n_holdout, seed,
                            library_versions, cv_metrics, holdout_metrics, artifact, artifact_sha256, status, decision_reason, created_at)
                        VALUES (?, 'gb', '{}', 'h', 10, 3, 42, '{}', '{}', '{}', X'01', ?, ?, ?, '2026-01-01T00:00:00Z')
                        """, arguments: [v, SignalStore.sha256([1]), status, reason])
                }
                // v1's period was never closed, as a crash between two writes could leave it.
                try db.execute(sql: """
                    INSERT INTO promotions (version, promoted_at, demoted_at, reason) VALUES
                        (1, '2026-01-01T00:00:00Z', NULL, 'first model'),
                        (2, '2026-01-02T00:00:00Z', '2026-01-03T00:00:00Z', 'beats v1'),
                        (3, '2026-01-03T00:00:00Z', NULL, 'beats v2')
                    """)
            }
        }
        let store = try SignalStore(path: path)
        #expect(try store.productionModel()?.version == 3)
        let v1 = try store.modelVersion(1)
        #expect(v1.status == "retired")
        #expect(v1.decisionReason?.hasPrefix("first model; retired by the store upgrade (migration v6-one-production-model): v3 was production too") == true, "\(v1.decisionReason ?? "nil")")
        #expect(try store.modelVersion(2).status == "retired" && store.modelVersion(2).decisionReason == "beats v1")
        #expect(try store.modelVersion(3).decisionReason == "beats v2")
        let open = try store.promotionHistory().filter { $0.demotedAt == nil }
        #expect(open.map(\.version) == [3])
        // And the index now holds: a second production row is refused.
        #expect(throws: DatabaseError.self) {
            try store.pool.write { try $0.execute(sql: "UPDATE model_versions SET status = 'production' WHERE version = 1") }
        }
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
