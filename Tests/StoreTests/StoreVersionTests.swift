import Foundation
import GRDB
import Testing
@testable import Store

/// Stores of other versions: a newer store is refused untouched; every shipped schema version
/// migrates forward with its rows intact.
@Suite struct StoreVersionTests {
    func scratchPath() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("store-test-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("s.sqlite").path
    }

    /// The bytes of the store file.
    func digest(_ path: String) -> String {
        FileManager.default.contents(atPath: path).map { SignalStore.sha256([UInt8]($0)) } ?? "absent"
    }

    /// The size of the WAL beside the store (0 when there is none): pages written but not yet
    /// checkpointed would be there.
    func walSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path + "-wal"))?[.size] as? Int) ?? 0
    }

    @Test func aStoreMigratedByANewerImprovementdIsRefusedAndLeftUntouched() throws {
        let path = scratchPath()
        do {
            let store = try SignalStore(path: path)
            try store.pool.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')")
                try db.execute(sql: "INSERT INTO settings (key, value) VALUES ('k', 'v')")
            }
            _ = try store.pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        }
        let before = digest(path)
        let error = #expect(throws: StoreError.self) { try SignalStore(path: path) }
        let message = error?.message ?? ""
        #expect(message.contains(path), "\(message)")
        #expect(message.contains("v99-from-the-future"), "\(message)")
        #expect(message.contains("made by a newer improvementd"), "\(message)")
        #expect(message.contains("upgrade improvementd or use a backup"), "\(message)")
        #expect(digest(path) == before && walSize(path) == 0)
        let applied = try DatabaseQueue(path: path).read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier") }
        #expect(applied.last == "v99-from-the-future")
    }

    /// Rows every schema version holds, written with the columns of the first one.
    func insertTypicalRows(_ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO symbols (symbol, name, sector, market_cap_category, is_index, updated_at)
                VALUES ('ABC', 'Abc Ltd', 'Tech', 'large', 0, '2026-01-01T00:00:00Z');
            INSERT INTO price_bars VALUES ('ABC', '2026-01-01', 10, 11, 9, 10.5, 1000), ('ABC', '2026-01-02', 10.5, 12, 10, 11.5, 2000);
            INSERT INTO signals (signal_id, symbol, strategy, signal_type, entry_date, entry_price, target_price, stop_loss,
                    confidence, created_at, metadata, imported_at)
                VALUES ('s1', 'ABC', 'momentum', 'BUY', '2026-01-02', 11.5, 12.65, 10.9, 0.7, '2026-01-02', '{"k":1}', '2026-01-02T00:00:00Z'),
                       ('s2', 'ABC', 'breakout', 'SELL', '2026-01-02', 11.5, NULL, NULL, NULL, '2026-01-02', '{}', '2026-01-02T00:00:00Z');
            INSERT INTO outcomes (signal_id, status, outcome, exit_date, exit_price, exit_reason, return_pct, days_held, labeled_at)
                VALUES ('s1', 'labeled', 1, '2026-01-05', 12.65, 'target', 0.1, 3, '2026-01-06T00:00:00Z');
            """)
        try db.execute(sql: """
            INSERT INTO model_versions (version, algorithm, hyperparameters, feature_schema_hash, n_train, n_holdout, seed,
                library_versions, cv_metrics, holdout_metrics, artifact, artifact_sha256, status, decision_reason, created_at)
            VALUES (1, 'gb', '{"depth":3}', 'h', 10, 3, 42, '{}', '{}', '{}', X'010203', ?, 'production', 'first model', '2026-01-01T00:00:00Z')
            """, arguments: [SignalStore.sha256([1, 2, 3])])
        try db.execute(sql: """
            INSERT INTO promotions (version, promoted_at, reason) VALUES (1, '2026-01-01T00:00:00Z', 'first model');
            INSERT INTO predictions (signal_id, model_version, probability, scored_at) VALUES ('s2', 1, 0.25, '2026-01-02T00:00:00Z');
            """)
    }

    @Test(arguments: Migrations.migrator.migrations.dropLast())
    func everyShippedSchemaVersionMigratesForwardWithItsRows(_ state: String) throws {
        let path = scratchPath()
        do {
            let old = try DatabaseQueue(path: path)
            try Migrations.migrator.migrate(old, upTo: state)
            try old.write { try insertTypicalRows($0) }
            #expect(try old.read { try Migrations.migrator.appliedMigrations($0) }.last == state)
        }
        let store = try SignalStore(path: path)
        let applied = try store.read("") { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") }
        #expect(Set(applied) == Set(Migrations.migrator.migrations))
        let counts = try store.rowCounts()
        #expect(counts["symbols"] == 1 && counts["price_bars"] == 2 && counts["signals"] == 2 && counts["outcomes"] == 1)
        #expect(counts["model_versions"] == 1 && counts["promotions"] == 1 && counts["predictions"] == 1)
        let bars: [[Double]] = try store.read("") { db in
            try Row.fetchAll(db, sql: "SELECT open, high, low, close, volume FROM price_bars ORDER BY date").map { row in (0..<5).map { row[$0] as Double } }
        }
        #expect(bars == [[10, 11, 9, 10.5, 1000], [10.5, 12, 10, 11.5, 2000]])
        let s1 = try #require(try store.read("") { try Row.fetchOne($0, sql: "SELECT symbol, strategy, signal_type, target_price, confidence, metadata FROM signals WHERE signal_id = 's1'") })
        let s1Text: [String?] = [s1[0], s1[1], s1[2], s1[5]]
        let s1Numbers: [Double?] = [s1[3], s1[4]]
        #expect(s1Text == ["ABC", "momentum", "BUY", "{\"k\":1}"] && s1Numbers == [12.65, 0.7])
        let outcome = try #require(try store.read("") { try Row.fetchOne($0, sql: "SELECT status, exit_reason, outcome, return_pct FROM outcomes WHERE signal_id = 's1'") })
        let outcomeText: [String?] = [outcome[0], outcome[1]]
        let outcomeValue: Int? = outcome[2]
        let returnPct: Double? = outcome[3]
        #expect(outcomeText == ["labeled", "target"] && outcomeValue == 1 && returnPct == 0.1)
        let production = try #require(try store.productionModel())
        #expect(production.version == 1 && production.algorithm == "gb" && production.hyperparameters == "{\"depth\":3}" && production.decisionReason == "first model")
        #expect(try store.artifact(1) == [1, 2, 3])
        let prediction = try store.latestPredictions()
        #expect(prediction.count == 1 && prediction[0].signalId == "s2" && prediction[0].version == 1 && prediction[0].probability == 0.25)
        #expect(try store.check().ok)
    }
}
