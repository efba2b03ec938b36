import Foundation
import Testing
@testable import UseCases
import Store
import TradingDomain

@Suite struct RealDataImportTests {
    @Test func bundledBarsImportWithTheFilesRowCountsAndDateRanges() throws {
        let app = try TestSupport.app()
        let report = try app.importer.run(.bars, paths: [TestSupport.ohlcv], skipInvalid: false)
        #expect(report.files.count == 11)

        // Expected figures read straight from the files.
        var expected: [String: (Int, String, String)] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: TestSupport.ohlcv) where name.hasSuffix(".csv") {
            let lines = try String(contentsOfFile: TestSupport.ohlcv + "/" + name, encoding: .utf8)
                .split(separator: "\n").dropFirst()
            expected[String(name.dropLast(4))] = (lines.count, String(lines.first!.prefix(10)), String(lines.last!.prefix(10)))
        }
        #expect(expected.count == 11)
        let status = try app.store.status()
        #expect(status.symbols.count == 11)
        for s in status.symbols {
            let e = try #require(expected[s.symbol])
            #expect(s.bars == e.0, "\(s.symbol)")
            #expect(s.first == e.1 && s.last == e.2, "\(s.symbol)")
        }
        #expect(status.rows["price_bars"] == expected.values.reduce(0) { $0 + $1.0 })
        #expect(report.written == status.rows["price_bars"])
        // The index is flagged as one.
        let isIndex = try app.store.read("") { try Bool.fetchOne($0, sql: "SELECT is_index FROM symbols WHERE symbol = '^NSEI'") }
        #expect(isIndex == true)
    }

    @Test func reimportIsIdempotent() throws {
        let app = try TestSupport.app()
        _ = try app.importer.run(.bars, paths: [TestSupport.ohlcv], skipInvalid: false)
        _ = try app.importer.run(.symbols, paths: [TestSupport.symbolsCSV], skipInvalid: false)
        let before = try app.store.contentDigest()
        let again = try app.importer.run(.bars, paths: [TestSupport.ohlcv], skipInvalid: false)
        let symbols = try app.importer.run(.symbols, paths: [TestSupport.symbolsCSV], skipInvalid: false)
        #expect(again.written == 0 && again.unchanged == 26367)
        #expect(symbols.written == 0)
        #expect(try app.store.contentDigest() == before)
        // symbols.csv's industry became the sector.
        #expect(try app.store.symbolInfos()["MARICO"]?.sector == "Fast Moving Consumer Goods")
    }

    @Test func yahooHeaderIsAccepted() throws {
        let dir = TestSupport.scratch()
        let app = try TestSupport.app(dir)
        let path = TestSupport.write("""
            Date,Open,High,Low,Close,Adj Close,Volume
            2024-01-02,100,105,99,104,101.2,12000
            2024-01-03,104,106,103,105,102.1,9000

            """, to: dir, name: "TCS.csv")
        let report = try app.importer.run(.bars, paths: [path], skipInvalid: false)
        #expect(report.written == 2)
        let bars = try app.store.barSeries()["TCS"]?.bars
        #expect(bars?.map(\.close) == [104, 105]) // Adj Close ignored
    }

    @Test func signalsKeepUnknownColumnsAndIgnoreLabeledExportColumns() throws {
        let dir = TestSupport.scratch()
        let app = try TestSupport.app(dir)
        let path = TestSupport.write("""
            signal_id,symbol,strategy,signal_type,entry_date,entry_price,target_price,stop_loss,confidence,created_at,outcome,exit_price,desk
            s1,MARICO,momentum,BUY,2024-01-02,500,550,475,0.7,2024-01-01T15:30:00+05:30,1,550,alpha
            s2,UPL,breakdown,SELL,2024-01-03,600,,,,,0,,beta

            """, to: dir, name: "signals.csv")
        _ = try app.importer.run(.signals, paths: [path], skipInvalid: false)
        let signals = try app.store.signals()
        #expect(signals.map(\.id) == ["s1", "s2"])
        #expect(signals[0].metadata == ["desk": "alpha"])
        #expect(signals[0].createdAt == "2024-01-01T15:30:00+05:30")
        #expect(signals[1].type == .sell && signals[1].targetPrice == nil && signals[1].confidence == nil)
        #expect(signals[1].createdAt == "2024-01-03")
        #expect(try app.store.strategyCodes() == ["breakdown": 0, "momentum": 1])
    }

    @Test func jsonLinesSignalsImport() throws {
        let dir = TestSupport.scratch()
        let app = try TestSupport.app(dir)
        let path = TestSupport.write("""
            {"signal_id": "j1", "symbol": "OIL", "strategy": "x", "entry_date": "2024-02-01", "entry_price": 400, "confidence": 0.4, "note": "hi"}
            {"signal_id": "j2", "symbol": "OIL", "strategy": "x", "signal_type": "SELL", "entry_date": "2024-02-02", "entry_price": 410, "stop_loss": 420}

            """, to: dir, name: "signals.jsonl")
        let report = try app.importer.run(.signals, paths: [path], skipInvalid: false)
        #expect(report.written == 2)
        let s = try app.store.signals()
        #expect(s[0].metadata["note"] == "hi" && s[0].confidence == 0.4)
        #expect(s[1].stopLoss == 420)
    }
}

/// One case of bad input: the file, what the error must say, and where.
struct BadInput: Sendable, CustomTestStringConvertible {
    var name: String
    var kind: ImportKind
    var fileName: String = "MARICO.csv"
    var content: [UInt8]
    var line: Int
    var reason: String
    var testDescription: String { name }

    init(_ name: String, _ kind: ImportKind, _ text: String, line: Int, reason: String, fileName: String? = nil) {
        self.name = name
        self.kind = kind
        self.content = Array(text.utf8)
        self.line = line
        self.reason = reason
        if let fileName { self.fileName = fileName } else if kind != .bars { self.fileName = "\(kind).csv" }
    }

    init(bytes: [UInt8], _ name: String, line: Int, reason: String) {
        self.name = name
        self.kind = .bars
        self.content = bytes
        self.line = line
        self.reason = reason
    }
}

let barHeader = "date,open,high,low,close,volume\n2024-01-01,10,11,9,10.5,100\n"
let signalHeader = "signal_id,symbol,strategy,signal_type,entry_date,entry_price,target_price,stop_loss,confidence\nok1,MARICO,m,BUY,2024-01-02,100,110,95,0.5\n"

let badInputs: [BadInput] = [
    BadInput("unparsable date", .bars, barHeader + "2024-13-01,10,11,9,10.5,100\n", line: 3, reason: "date '2024-13-01' is not an ISO date"),
    BadInput("duplicate date", .bars, barHeader + "2024-01-01,10,11,9,10.5,100\n", line: 3, reason: "duplicate date 2024-01-01"),
    BadInput("high below max(open, close)", .bars, barHeader + "2024-01-02,10,10.2,9,10.5,100\n", line: 3, reason: "high 10.2 is below max(open, close)"),
    BadInput("low above min(open, close)", .bars, barHeader + "2024-01-02,10,11,10.1,10.5,100\n", line: 3, reason: "low 10.1 is above min(open, close)"),
    BadInput("zero price", .bars, barHeader + "2024-01-02,0,11,9,10.5,100\n", line: 3, reason: "open 0.0 must be > 0"),
    BadInput("negative price", .bars, barHeader + "2024-01-02,10,11,9,-1,100\n", line: 3, reason: "close -1.0 must be > 0"),
    BadInput("NaN price", .bars, barHeader + "2024-01-02,10,nan,9,10.5,100\n", line: 3, reason: "high 'nan' is not a finite number"),
    BadInput("infinite price", .bars, barHeader + "2024-01-02,10,11,-inf,10.5,100\n", line: 3, reason: "low '-inf' is not a finite number"),
    BadInput("missing required column", .bars, "date,open,high,low,close\n2024-01-01,10,11,9,10.5\n", line: 1, reason: "missing required column(s) volume"),
    BadInput("empty file", .bars, "", line: 1, reason: "the file is empty"),
    BadInput("header only", .bars, "date,open,high,low,close,volume\n", line: 1, reason: "header but no data rows"),
    BadInput(bytes: Array(barHeader.utf8) + Array("2024-01-02,10,11,9,10.5,1".utf8) + [0xFF, 0xFE] + Array("00\n".utf8), "non-UTF-8 bytes", line: 3, reason: "not valid UTF-8"),
    BadInput("unknown signal_type", .signals, signalHeader + "s2,MARICO,m,HOLD,2024-01-02,100,,,\n", line: 3, reason: "signal_type 'HOLD' must be BUY or SELL"),
    BadInput("BUY target below entry", .signals, signalHeader + "s2,MARICO,m,BUY,2024-01-02,100,90,,\n", line: 3, reason: "BUY target_price 90.0 must be above entry_price 100.0"),
    BadInput("SELL stop below entry", .signals, signalHeader + "s2,MARICO,m,SELL,2024-01-02,100,,95,\n", line: 3, reason: "SELL stop_loss 95.0 must be above entry_price 100.0"),
    BadInput("confidence outside 0..1", .signals, signalHeader + "s2,MARICO,m,BUY,2024-01-02,100,,,1.5\n", line: 3, reason: "confidence 1.5 must be between 0 and 1"),
    BadInput("duplicate signal_id", .signals, signalHeader + "ok1,MARICO,m,BUY,2024-01-03,100,,,\n", line: 3, reason: "duplicate signal_id 'ok1' (first at line 2)"),
    BadInput("missing entry_price column", .signals, "signal_id,symbol,strategy,entry_date\na,B,c,2024-01-01\n", line: 1, reason: "missing required column(s) entry_price"),
    BadInput("bad market cap", .symbols, "symbol,market_cap_category\nMARICO,huge\n", line: 2, reason: "market_cap_category 'huge' must be large, mid or small"),
    BadInput("event date", .events, "symbol,date,kind\nMARICO,2024-02-30,results\n", line: 2, reason: "date '2024-02-30' is not an ISO date"),
    BadInput("external value", .external, "symbol,date,name,value\nMARICO,2024-02-01,sentiment,high\n", line: 2, reason: "value 'high' is not a number"),
]

@Suite struct BadInputTests {
    /// Each class of bad input is refused whole: exit status 3 via `InvalidInput`, a
    /// `FILE:LINE: reason` message, and not one byte of the store changed.
    @Test(arguments: badInputs)
    func refusedWholeAndStoreUnchanged(_ bad: BadInput) throws {
        let dir = TestSupport.scratch()
        let app = try TestSupport.app(dir)
        _ = try app.importer.run(.bars, paths: [TestSupport.ohlcv + "/MARICO.csv"], skipInvalid: false)
        let countsBefore = try app.store.rowCounts()
        let digestBefore = try app.store.contentDigest()

        let path = dir.appendingPathComponent(bad.fileName).path
        try Data(bad.content).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: InvalidInput.self) {
            try app.importer.run(bad.kind, paths: [path], skipInvalid: false)
        }
        let message = error.description
        #expect(message.contains("\(path):\(bad.line): "), "\(message)")
        #expect(message.contains(bad.reason), "\(message)")
        #expect(try app.store.rowCounts() == countsBefore)
        #expect(try app.store.contentDigest() == digestBefore)
    }

    @Test func skipInvalidWritesExactlyTheBadRows() throws {
        let dir = TestSupport.scratch()
        let app = try TestSupport.app(dir)
        let path = TestSupport.write("""
            date,open,high,low,close,volume
            2024-01-01,10,11,9,10.5,100
            2024-01-02,10,10.2,9,10.5,100
            2024-01-03,10,11,9,10.5,100
            2024-01-04,10,11,9,10.5,-5
            2024-01-03,10,11,9,10.5,100

            """, to: dir, name: "UPL.csv")
        let report = try app.importer.run(.bars, paths: [path], skipInvalid: true)
        #expect(report.written == 2 && report.rejected == 3)
        let rejected = try String(contentsOfFile: path + ".rejected.csv", encoding: .utf8)
        let lines = rejected.split(separator: "\n").map(String.init)
        #expect(lines == [
            "date,open,high,low,close,volume,line,reason",
            "2024-01-02,10,10.2,9,10.5,100,3,\"high 10.2 is below max(open, close) 10.5\"",
            "2024-01-04,10,11,9,10.5,-5,5,volume -5.0 must be >= 0",
            "2024-01-03,10,11,9,10.5,100,6,duplicate date 2024-01-03 for UPL (first at line 4)",
        ])
        #expect(try app.store.barSeries()["UPL"]?.bars.map(\.day.iso) == ["2024-01-01", "2024-01-03"])
        // Re-import adds nothing.
        let digest = try app.store.contentDigest()
        let again = try app.importer.run(.bars, paths: [path], skipInvalid: true)
        #expect(again.written == 0 && again.unchanged == 2)
        #expect(try app.store.contentDigest() == digest)
    }

    @Test func oneBadFileInAFolderRefusesTheWholeFolder() throws {
        let dir = TestSupport.scratch()
        let data = dir.appendingPathComponent("bars")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: TestSupport.ohlcv + "/OIL.csv", toPath: data.appendingPathComponent("OIL.csv").path)
        _ = TestSupport.write(barHeader + "2024-01-02,10,11,9,0,100\n", to: data, name: "ZZZ.csv")
        let app = try TestSupport.app(dir)
        #expect(throws: InvalidInput.self) { try app.importer.run(.bars, paths: [data.path], skipInvalid: false) }
        #expect(try app.store.rowCounts()["price_bars"] == 0)
    }
}
