import Foundation
import GRDB
import Store
import Testing
@testable import UseCases

/// The built binary, end to end: exit statuses and messages a user sees (README.md, "Commands").
@Suite(.serialized) struct CLITests {
    @Test func importAndStatusEndToEnd() throws {
        let dir = TestSupport.scratch()
        let db = dir.appendingPathComponent("s.sqlite").path
        let (code, out, err) = try TestSupport.run(["import", "bars", TestSupport.ohlcv, "--db", db])
        #expect(code == 0, "\(err)")
        #expect(out.contains("26367 written"))
        let (code2, json, _) = try TestSupport.run(["status", "--tables", "--json", "--db", db])
        #expect(code2 == 0)
        let status = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect((status?["rows"] as? [String: Int])?["price_bars"] == 26367)
    }

    @Test func invalidInputExitsThreeNamingFileLineAndReason() throws {
        let dir = TestSupport.scratch()
        let db = dir.appendingPathComponent("s.sqlite").path
        let file = TestSupport.write("date,open,high,low,close,volume\n2024-01-01,10,11,9,10.5,100\n2024-01-02,10,11,9,nan,1\n", to: dir, name: "X.csv")
        let (code, _, err) = try TestSupport.run(["import", "bars", file, "--db", db])
        #expect(code == 3)
        #expect(err.contains("\(file):3: close 'nan' is not a finite number"), "\(err)")
        #expect(err.contains("nothing was written"))
    }

    @Test func helpExitsZeroAndListsTheCommands() throws {
        let (code, out, _) = try TestSupport.run(["--help"])
        #expect(code == 0)
        for name in ["run", "import", "backfill", "label", "train", "predict", "evaluate", "models", "export", "status"] {
            #expect(out.contains("  \(name)"), "\(name) missing from --help")
        }
        #expect(try TestSupport.run(["train", "--help"]).0 == 0)
    }

    @Test func usageErrorsExitTwo() throws {
        let (code, _, err) = try TestSupport.run(["import", "nonsense", "x"])
        #expect(code == 2)
        #expect(err.contains("The value 'nonsense' is invalid for '<kind>'"), "\(err)")
        let (code2, _, _) = try TestSupport.run(["no-such-command"])
        #expect(code2 == 2)
    }

    @Test func badConfigurationIsRefusedNamingTheKey() throws {
        let dir = TestSupport.scratch()
        let config = TestSupport.write("training:\n  holdout_fraction: 0.9\n", to: dir, name: "c.yaml")
        let (code, _, err) = try TestSupport.run(["status", "--config", config, "--db", dir.appendingPathComponent("s.sqlite").path])
        #expect(code == 1)
        #expect(err.contains("training.holdout_fraction"), "\(err)")
    }
}

@Suite struct TradingDatabaseImportTests {
    /// A trading system's own database as README.md ("Importing") describes it, with its real quirks.
    func makeTradingDB(_ dir: URL) throws -> String {
        let path = dir.appendingPathComponent("trading.db").path
        let db = try DatabaseQueue(path: path)
        try db.write { db in
            try db.execute(sql: """
                CREATE TABLE signals (signal_id TEXT, symbol TEXT, strategy TEXT, signal_type TEXT, confidence REAL,
                    price REAL, target_price REAL, stop_loss REAL, generated_at TEXT, expires_at TEXT, status TEXT, metadata TEXT);
                INSERT INTO signals VALUES ('a1', 'MARICO', 'momentum', 'BUY', 0.0, NULL, 560, 500,
                    '2024-03-04T20:15:00Z', '2024-03-10', 'active', '{"entry_price": 520.5, "confidence_score": 0.72, "rsi": 61}');
                INSERT INTO signals VALUES ('a2', 'UPL', 'breakout', 'HOLD', 0.5, 600, NULL, NULL, '2024-03-05 10:00:00', NULL, 'active', '{}');
                INSERT INTO signals VALUES ('a3', 'OIL', 'breakdown', 'SELL', 0.61, 400, 380, 410, '2024-03-05 10:00:00', NULL, 'active', NULL);
                """)
        }
        return path
    }

    @Test func importsWithFallbacksSkipsHoldAndNeverWritesTheSource() throws {
        let dir = TestSupport.scratch()
        let source = try makeTradingDB(dir)
        let before = try Data(contentsOf: URL(fileURLWithPath: source))
        let app = try TestSupport.app(dir)
        let importer = TradingDatabaseImporter(store: app.store, timezone: "Asia/Kolkata")
        let report = try importer.run(path: source, skipInvalid: false)
        #expect(report.written == 2 && report.skipped["HOLD rows"] == 1)
        let s = Dictionary(uniqueKeysWithValues: try app.store.signals().map { ($0.id, $0) })
        let a1 = try #require(s["a1"])
        #expect(a1.entryPrice == 520.5 && a1.confidence == 0.72)
        // 20:15 UTC is 01:45 the next day in India.
        #expect(a1.entryDate.iso == "2024-03-05")
        #expect(a1.createdAt == "2024-03-04T20:15:00Z")
        #expect(a1.metadata["rsi"] == "61" && a1.metadata["status"] == "active" && a1.metadata["entry_price"] == nil)
        #expect(s["a3"]?.type == .sell && s["a3"]?.entryDate.iso == "2024-03-05")
        // Idempotent, and the source file is byte-identical.
        #expect(try importer.run(path: source, skipInvalid: false).written == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: source)) == before)
    }

    @Test func invalidRowsAreNamedBySignalId() throws {
        let dir = TestSupport.scratch()
        let source = try makeTradingDB(dir)
        let db = try DatabaseQueue(path: source)
        try db.write { try $0.execute(sql: "INSERT INTO signals VALUES ('bad1', 'OIL', 'x', 'BUY', 0.5, 400, 390, NULL, '2024-03-05', NULL, NULL, NULL)") }
        let app = try TestSupport.app(dir)
        let importer = TradingDatabaseImporter(store: app.store, timezone: "Asia/Kolkata")
        let error = try #require(throws: InvalidInput.self) { try importer.run(path: source, skipInvalid: false) }
        #expect(error.description.contains("\(source):bad1: BUY target_price 390.0 must be above entry_price 400.0"))
        #expect(try app.store.rowCounts()["signals"] == 0)
        let rejected = dir.appendingPathComponent("rejected.csv").path
        let report = try importer.run(path: source, skipInvalid: true, rejectedFile: rejected)
        #expect(report.written == 2 && report.rejected == 1)
        #expect(try String(contentsOfFile: rejected, encoding: .utf8).contains("bad1,"))
    }
}
