import Foundation
import GRDB
import Testing
@testable import Store
import TradingDomain
@testable import UseCases

/// The bars import's fast path (bytes parsed in place, values bound through SQLite's C API)
/// against the path it replaced, on the real bundled files.
@Suite struct ImportPathTests {
    /// What a store holds for bars, as SQLite's own text of every value, so a difference in a
    /// double's last bit or in a storage class shows.
    static func dump(_ store: SignalStore) throws -> [[String]] {
        try store.read("") { db in
            try Row.fetchAll(db, sql: """
                SELECT 'bar', symbol, date, quote(open), quote(high), quote(low), quote(close), quote(volume),
                    typeof(open) || typeof(volume) FROM price_bars
                UNION ALL SELECT 'dirty', consumer, symbol, from_date, seq, '', '', '', '' FROM dirty_bars
                UNION ALL SELECT 'symbol', symbol, is_index, quote(name), '', '', '', '', '' FROM symbols
                UNION ALL SELECT 'seq', value, '', '', '', '', '', '', '' FROM dirty_seq
                ORDER BY 1, 2, 3, 4
                """).map { row in (0..<row.count).map { String(describing: row[$0] as DatabaseValue) } }
        }
    }

    @Test func bundledFilesStoreExactlyWhatTheTablePathStored() throws {
        let fast = try TestSupport.app()
        let report = try fast.importer.run(.bars, paths: [TestSupport.ohlcv], skipInvalid: false)

        // The former path: CSVTable, the row validator, GRDB's argument arrays, file by file.
        let slow = try TestSupport.app()
        for path in try Importer.expand([TestSupport.ohlcv], kind: .bars) {
            let table = try CSVTable.parse(try Data(contentsOf: URL(fileURLWithPath: path)), file: path)
            let v = BarInput.validate(table, file: path, defaultSymbol: BarInput.symbol(fromFileName: path))
            #expect(v.errors.isEmpty)
            try slow.store.write("") { db in
                let statement = try db.makeStatement(sql: SignalStore.barUpsertSQL)
                var changedFrom: [String: Day] = [:]
                for row in v.items {
                    let b = row.bar
                    try statement.execute(arguments: [row.symbol, b.day.iso, b.open, b.high, b.low, b.close, b.volume])
                    if db.changesCount > 0 { changedFrom[row.symbol] = min(changedFrom[row.symbol] ?? b.day, b.day) }
                }
                for (symbol, day) in changedFrom { try SignalStore.markBarsDirty(symbol: symbol, from: day, db) }
                for name in Set(v.items.map(\.symbol)) {
                    try db.execute(sql: "INSERT INTO symbols (symbol, is_index, updated_at) VALUES (?, ?, 'x') ON CONFLICT (symbol) DO NOTHING",
                                   arguments: [name, name.hasPrefix("^") ? 1 : 0])
                }
            }
        }
        let expected = try Self.dump(slow.store)
        #expect(expected.count > 26_367)
        #expect(report.written == 26_367)
        #expect(try Self.dump(fast.store) == expected)

        // Changed values are written, and marked, as before too.
        let dir = TestSupport.scratch()
        let text = try String(contentsOfFile: TestSupport.ohlcv + "/MARICO.csv", encoding: .utf8)
        var lines = text.split(separator: "\n").map(String.init)
        lines[100] += "0" // the volume × 10
        let changed = TestSupport.write(lines.joined(separator: "\n") + "\n", to: dir, name: "MARICO.csv")
        let seq = { try fast.store.read("") { try Int.fetchOne($0, sql: "SELECT value FROM dirty_seq") } }
        let seqBefore = try seq()
        let again = try fast.importer.run(.bars, paths: [changed], skipInvalid: false)
        #expect(again.rows == lines.count - 1)
        #expect(again.written == 1 && again.unchanged == lines.count - 2)
        // The changed symbol is marked once per consumer of changed bars.
        #expect(try seq()! - seqBefore! == DirtyConsumer.allCases.count)
    }

    /// Files are read on a second thread, but the errors come in file order as before: every
    /// refused file's rows, and a file that cannot be parsed stops the import at that file.
    @Test func errorsOfManyFilesComeInFileOrderAndNothingIsWritten() throws {
        let dir = TestSupport.scratch()
        let data = dir.appendingPathComponent("bars")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let good = try String(contentsOfFile: TestSupport.ohlcv + "/OIL.csv", encoding: .utf8)
        for i in 0..<12 {
            let name = String(format: "S%02d.csv", i)
            // S03, S07 and S10 each have one bad row, at lines 5, 9 and 12.
            var lines = good.split(separator: "\n").map(String.init)
            if [3, 7, 10].contains(i) { lines[i + 1] = String(lines[i + 1].prefix(10)) + ",10,11,9,0,100" }
            _ = TestSupport.write(lines.joined(separator: "\n") + "\n", to: data, name: name)
        }
        let app = try TestSupport.app(dir)
        let error = try #require(throws: InvalidInput.self) { try app.importer.run(.bars, paths: [data.path], skipInvalid: false) }
        #expect(error.errors.map { "\(($0.file as NSString).lastPathComponent):\($0.line)" } == ["S03.csv:5", "S07.csv:9", "S10.csv:12"])
        #expect(error.errors.allSatisfy { $0.reason == "close 0.0 must be > 0" })
        #expect(try app.store.rowCounts()["price_bars"] == 0)

        // An unparsable file (an unclosed quote) is the one error, even with refused files before it.
        _ = TestSupport.write("date,open,high,low,close,volume\n2024-01-01,\"10,11,9,10.5,100\n", to: data, name: "S08.csv")
        let stop = try #require(throws: InvalidInput.self) { try app.importer.run(.bars, paths: [data.path], skipInvalid: false) }
        #expect(stop.errors.map(\.description) == ["\(data.path)/S08.csv:2: a quoted field is never closed"])
        #expect(try app.store.rowCounts()["price_bars"] == 0)
    }
}
