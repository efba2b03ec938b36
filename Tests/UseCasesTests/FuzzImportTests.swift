import Foundation
import FuzzSupport
import GRDB
import Store
import Testing
import TradingDomain
@testable import UseCases

/// Seeded mutations of real files through the real importers into a store (docs/TESTING.md,
/// "Fuzzed imports"): no crash, no hang, every rejection names FILE:LINE (or PATH:signal_id) and
/// leaves the store's content digest unchanged.
// On the main actor: these tests block for tens of seconds, and on the cooperative pool (two
// threads here) they would stall every other suite's timers.
@MainActor @Suite struct FuzzImportTests {
    /// Whole-file errors, the only ones located at line 0 (Importer.swift).
    nonisolated static let wholeFileReasons = ["cannot read the file", "no such file", "the folder holds no", "appears in more than one file", "cannot write the rejected rows"]

    /// A small store holding slices of real bars and the real symbols, so a digest is cheap.
    nonisolated static func smallApp(_ dir: URL, _ m: inout Mutator) throws -> App {
        let app = try TestSupport.app(dir)
        let corpus = FuzzCorpus.shared
        for symbol in ["MARICO", "OIL"] {
            let text = try #require(corpus.bars.first { $0.symbol == symbol }?.lines)
            let path = dir.appendingPathComponent("\(symbol).csv").path
            try m.slice(text, lines: 200...200).write(to: URL(fileURLWithPath: path))
            _ = try app.importer.run(.bars, paths: [path], skipInvalid: false)
        }
        _ = try app.importer.run(.symbols, paths: [TestSupport.symbolsCSV], skipInvalid: false)
        return app
    }

    @Test func mutatedFilesThroughTheImporterLeaveTheStoreUnchangedWhenRefused() throws {
        let count = FuzzCorpus.inputs(share: 0.02)
        let seed = FuzzCorpus.seed(0xF11E)
        var m = Mutator(seed: seed)
        var dir = TestSupport.scratch()
        var app = try Self.smallApp(dir, &m)
        var importer = app.importer
        let corpus = FuzzCorpus.shared
        var digest = try app.store.contentDigest()
        var perKind: [String: (rejected: Int, accepted: Int)] = [:]
        var failures = 0
        let start = Date()
        for i in 0..<count {
            // A fresh small store every 100 inputs: accepted inputs add rows, and the digest
            // after each input reads them all.
            if i > 0 && i % 100 == 0 {
                dir = TestSupport.scratch()
                app = try Self.smallApp(dir, &m)
                importer = app.importer
                digest = try app.store.contentDigest()
            }
            let kind = m.random.pick(ImportKind.allCases)
            var name = "\(kind.rawValue).csv"
            var text: FuzzCorpus.Lines
            switch kind {
            case .bars:
                let bars = m.random.pick(corpus.bars)
                text = bars.lines
                name = m.random.chance(0.5) ? "\(bars.symbol).csv" : "MARICO.csv"
            case .signals:
                if m.random.chance(0.5) { text = corpus.signalsCSV } else { text = corpus.signalsJSONL; name = "signals.jsonl" }
            case .symbols: text = corpus.symbols
            case .events: text = corpus.events
            case .external: text = corpus.external
            }
            let input = m.slice(text, lines: kind == .symbols ? 3...12 : 20...100)
            let (data, mutations) = i % 10 == 0 ? (input, []) : m.mutate(input)
            let path = dir.appendingPathComponent("in-\(i % 50)").appendingPathComponent(name).path
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: path))
            let skipInvalid = m.random.chance(0.2)
            let box = Box<Result<ImportReport, any Error>>()
            // 10 s per import: a 200-line file imports in well under 100 ms in a debug build.
            let run = importer
            let finished = finishes(within: 10) { box.value = Result { try run.run(kind, paths: [path], skipInvalid: skipInvalid) } }
            guard finished, let result = box.value else {
                Issue.record("seed \(seed) input \(i) \(kind) (\(mutations)) hung for more than 10 s")
                return
            }
            var problems: [String] = []
            switch result {
            case .success:
                digest = try app.store.contentDigest()
                perKind[kind.rawValue, default: (0, 0)].accepted += 1
            case .failure(let error as InvalidInput):
                perKind[kind.rawValue, default: (0, 0)].rejected += 1
                for e in error.errors {
                    let wholeFile = e.line == 0 && Self.wholeFileReasons.contains { e.reason.hasPrefix($0) }
                    if e.file != path || !(e.line >= 1 || wholeFile) { problems.append("not FILE:LINE: \(e)") }
                }
                if error.errors.isEmpty { problems.append("a refusal without errors") }
                if try app.store.contentDigest() != digest { problems.append("the store changed") }
            case .failure(let error):
                problems.append("not an InvalidInput: \(error)")
                if try app.store.contentDigest() != digest { problems.append("the store changed") }
                digest = try app.store.contentDigest()
            }
            if !problems.isEmpty {
                failures += 1
                if failures <= 5 {
                    Issue.record("seed \(seed) input \(i) \(kind) skipInvalid \(skipInvalid) (\(mutations)): \(problems.prefix(3).joined(separator: "; "))\n\(String(decoding: data.prefix(400), as: UTF8.self))")
                }
            }
        }
        let seconds = Date().timeIntervalSince(start)
        let kinds = perKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.rejected)/\($0.value.accepted)" }.joined(separator: ", ")
        print("fuzz importer: \(count) inputs (seed \(seed)), rejected/accepted: \(kinds), \(String(format: "%.1f", seconds)) s")
        #expect(failures == 0)
        if count >= 100 { #expect(perKind.values.reduce(0) { $0 + $1.rejected } > count / 4) }
    }

    /// A trading system's database (as CLITests.swift's trading-database test makes it) holding
    /// the corpus's signals, in rollback-journal mode so the one file is the whole database.
    nonisolated static func tradingDB(_ path: String, rows: Int) throws {
        let db = try DatabaseQueue(path: path)
        try db.write { db in
            try db.execute(sql: """
                CREATE TABLE signals (signal_id TEXT, symbol TEXT, strategy TEXT, signal_type TEXT, confidence REAL,
                    price REAL, target_price REAL, stop_loss REAL, generated_at TEXT, expires_at TEXT, status TEXT, metadata TEXT);
                CREATE INDEX signals_generated ON signals(generated_at);
                """)
            for line in FuzzCorpus.shared.signalsCSV.body.prefix(rows) {
                let f = String(decoding: line, as: UTF8.self).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                try db.execute(sql: "INSERT INTO signals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 'active', ?)", arguments: [
                    f[0], f[1], f[2], f[3], Double(f[8]) == 0 ? 0.0 : Double(f[8]), f.count % 2 == 0 ? nil : Double(f[5]),
                    Double(f[6]), Double(f[7]), f[9], #"{"entry_price": \#(f[5]), "confidence_score": 0.5, "rsi": \#(f[10])}"#,
                ])
            }
        }
        try db.close()
    }

    @Test func corruptedTradingDatabasesAreRefusedLocatedAndWriteNothing() throws {
        let count = FuzzCorpus.inputs(share: 0.003)
        let seed = FuzzCorpus.seed(0xDB)
        var m = Mutator(seed: seed)
        let dir = TestSupport.scratch()
        let app = try Self.smallApp(dir, &m)
        let clean = dir.appendingPathComponent("trading.db").path
        try Self.tradingDB(clean, rows: 300)
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: clean)))
        let importer = TradingDatabaseImporter(store: app.store, timezone: "Asia/Kolkata")
        var digest = try app.store.contentDigest()
        var rejected = 0, accepted = 0, failures = 0
        let start = Date()
        for i in 0..<count {
            var bytes = original
            switch m.random.int(0...3) {
            case 0: // flips anywhere
                for _ in 0..<m.random.int(1...30) { bytes[m.random.int(0..<bytes.count)] ^= UInt8(1) << UInt8(m.random.int(0...7)) }
            case 1: // the header and the first pages: schema, page sizes, b-tree headers
                for _ in 0..<m.random.int(1...6) { bytes[m.random.int(0..<min(bytes.count, 4096 * 2))] = UInt8(m.random.int(0...255)) }
            case 2: // truncated
                bytes = Array(bytes.prefix(m.random.int(0..<bytes.count)))
            default: // a page's record area overwritten
                let page = 4096 * m.random.int(0..<max(1, bytes.count / 4096))
                let at = min(bytes.count - 1, page + m.random.int(8..<4096))
                for j in at..<min(bytes.count, at + m.random.int(1...64)) { bytes[j] = UInt8(m.random.int(0...255)) }
            }
            let path = dir.appendingPathComponent("corrupt-\(i % 20).db").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let skipInvalid = m.random.chance(0.3)
            let box = Box<Result<ImportReport, any Error>>()
            let finished = finishes(within: 10) { box.value = Result { try importer.run(path: path, skipInvalid: skipInvalid) } }
            guard finished, let result = box.value else {
                Issue.record("seed \(seed) database \(i) hung for more than 10 s")
                return
            }
            var problems: [String] = []
            switch result {
            case .success:
                accepted += 1
                digest = try app.store.contentDigest()
            case .failure(let error as InvalidInput):
                rejected += 1
                for e in error.errors where e.file != path || (e.location == nil && !(e.line == 0 && e.reason.hasPrefix("cannot read table signals"))) || e.location == "" {
                    problems.append("not PATH:signal_id: \(e)")
                }
                if try app.store.contentDigest() != digest { problems.append("the store changed") }
            case .failure(let error):
                problems.append("not an InvalidInput: \(error)")
            }
            if !problems.isEmpty {
                failures += 1
                if failures <= 5 { Issue.record("seed \(seed) database \(i) skipInvalid \(skipInvalid): \(problems.prefix(3).joined(separator: "; "))") }
            }
        }
        print("fuzz trading database: \(count) corrupted files (seed \(seed)), \(rejected) rejected, \(accepted) accepted, \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        #expect(failures == 0)
        #expect(rejected > 0)
    }

    /// Found by the fuzzing: a value of another storage class than its column's type (text in
    /// `price`, a blob id, an integer in an untyped column) trapped in GRDB's conversion and
    /// killed the process; it is now a rejection naming PATH:signal_id.
    @Test func valuesOfTheWrongStorageClassAreRejectedNotTrapped() throws {
        let dir = TestSupport.scratch()
        let path = dir.appendingPathComponent("trading.db").path
        let db = try DatabaseQueue(path: path)
        try db.write { db in
            try db.execute(sql: """
                CREATE TABLE signals (signal_id, symbol TEXT, strategy TEXT, signal_type TEXT, confidence REAL,
                    price REAL, target_price REAL, stop_loss REAL, generated_at TEXT, expires_at TEXT, status TEXT, metadata);
                INSERT INTO signals VALUES ('t1', 'OIL', 'x', 'BUY', 0.5, 'n/a', NULL, NULL, '2024-03-05', NULL, NULL, NULL);
                INSERT INTO signals VALUES ('t2', 'OIL', 'x', 'BUY', 0.5, 400, NULL, NULL, '2024-03-05', NULL, NULL, x'FFFE');
                INSERT INTO signals VALUES (42, 'OIL', 'x', 'BUY', 0.5, 400, 410, NULL, '2024-03-05', NULL, NULL, NULL);
                INSERT INTO signals VALUES ('t4', 'OIL', 'x', 'BUY', 0.5, '401.5', NULL, NULL, '2024-03-05', NULL, NULL, NULL);
                """)
        }
        try db.close()
        let app = try TestSupport.app(dir)
        let importer = TradingDatabaseImporter(store: app.store, timezone: "Asia/Kolkata")
        let error = try #require(throws: InvalidInput.self) { try importer.run(path: path, skipInvalid: false) }
        #expect(error.errors.map(\.description) == [
            "\(path):t1: price 'n/a' is not a number",
            "\(path):t2: metadata is a blob that is not UTF-8 text",
        ])
        #expect(try app.store.rowCounts()["signals"] == 0)
        let report = try importer.run(path: path, skipInvalid: true)
        #expect(report.written == 2 && report.rejected == 2)
        let ids = Set(try app.store.signals().map(\.id))
        #expect(ids == ["42", "t4"])
        #expect(try app.store.signals().first { $0.id == "t4" }?.entryPrice == 401.5)
    }
}
