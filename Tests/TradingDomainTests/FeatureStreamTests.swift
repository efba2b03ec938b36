import Foundation
import Testing
@testable import TradingDomain

/// Rows computed symbol by symbol (`streamRows`) are the bits of the engine built from every
/// series at once, on the real bundled bars.
@Suite struct FeatureStreamTests {
    /// Sectors shared by several real stocks (the bundled file gives each its own), a sector
    /// member without bars, the index in a sector, events and external values.
    static let infos: [String: SymbolInfo] = {
        var out: [String: SymbolInfo] = [:]
        for (i, s) in TestData.stockSymbols.enumerated() {
            out[s] = SymbolInfo(symbol: s, sector: i < 6 ? "A" : (i < 9 ? "B" : ""), marketCapCategory: ["large", "mid", "small"][i % 3])
        }
        out["NOBARS"] = SymbolInfo(symbol: "NOBARS", sector: "A")
        out["^NSEI"] = SymbolInfo(symbol: "^NSEI", sector: "B")
        return out
    }()

    static func signals() -> [Signal] {
        var out = BuiltInStrategy.backfill(barsBySymbol: TestData.all)
        let index = TestData.all["^NSEI"]!.bars
        for (k, bar) in index.enumerated() where k % 97 == 5 {
            out.append(Signal(id: "idx-\(k)", symbol: "^NSEI", strategy: "manual", entryDate: bar.day, entryPrice: bar.close, confidence: 0.5))
            out.append(Signal(id: "nobars-\(k)", symbol: "NOBARS", strategy: "manual", type: .sell, entryDate: bar.day, entryPrice: 10))
        }
        // Before any bar of its symbol (RVNL starts in 2019): no feature date.
        out.append(Signal(id: "early", symbol: "RVNL", strategy: "momentum", entryDate: TestData.day("2017-03-01"), entryPrice: 20))
        return out.sorted { ($0.entryDate, $0.id) < ($1.entryDate, $1.id) }
    }

    @Test func streamedRowsAreTheBitsOfTheWholeEngine() throws {
        let data = TestData.all
        let events = TestData.stockSymbols.enumerated().flatMap { i, s in
            stride(from: 0, to: 40, by: 1).map { q in SymbolEvent(symbol: s, day: TestData.day("2016-05-10").adding(days: q * 91 + i), kind: "results") }
        }
        let externals = ["UPL", "BHEL", "^NSEI"].flatMap { s in
            data[s]!.bars.enumerated().compactMap { k, b in k % 5 == 0 ? ExternalValue(symbol: s, day: b.day, name: "ext", value: Double(k)) : nil }
        }
        let codes = ["momentum": 0, "mean_reversion": 1, "breakout": 2, "breakdown": 3, "manual": 4]
        let whole = FeatureEngine(barsBySymbol: data, symbols: Self.infos, events: events, externals: externals, strategyCodes: codes)
        let signals = Self.signals()
        let expected = whole.rows(for: signals)
        let streaming = FeatureEngine(
            index: data["^NSEI"], eachSeries: { _ in }, symbols: Self.infos, events: events, externals: externals, strategyCodes: codes
        )
        var reads: [String: Int] = [:]
        var got: [String: (Day?, [UInt64])] = [:]
        var chunks = 0, sawLast = false
        try streaming.streamRows(for: signals, series: { reads[$0, default: 0] += 1; return data[$0] }, chunk: 211) { rows, last in
            #expect(!sawLast)
            sawLast = last
            #expect(rows.count == 211 || last)
            chunks += 1
            for r in rows { got[r.signal.id] = (r.featureDate, r.values.map(\.bitPattern)) }
        }
        #expect(sawLast && chunks == signals.count / 211 + 1)
        #expect(got.count == signals.count)
        var sectorValues = 0
        let sectorColumn = whole.schema.index(of: "sector_performance")!
        for (s, row) in zip(signals, expected) {
            let (date, bits) = try #require(got[s.id])
            #expect(bits == row.map(\.bitPattern), "\(s.id)")
            #expect(date == whole.featureDate(of: s), "\(s.id)")
            if !row[sectorColumn].isNaN { sectorValues += 1 }
        }
        #expect(sectorValues > signals.count / 2) // the sector totals are exercised
        // A series is read once for its signals and once for its sector's totals, never more.
        #expect(reads.values.allSatisfy { $0 <= 2 } && reads["^NSEI"] == nil)
    }

    @Test func noSignalEmitsOneEmptyLastChunk() throws {
        let engine = FeatureEngine(index: TestData.all["^NSEI"], eachSeries: { _ in })
        var calls: [(Int, Bool)] = []
        try engine.streamRows(for: [], series: { _ in Issue.record("no series is read"); return nil }, chunk: 10) { calls.append(($0.count, $1)) }
        #expect(calls.count == 1 && calls[0] == (0, true))
    }
}
