import Foundation
import Testing
import TradingDomain
@testable import Store

/// The per-symbol bar read (C API, dates parsed from their bytes) gives what GRDB's row
/// decoding and `Day(iso:)` give.
@Suite struct BarReadTests {
    @Test func storedDatesParseAsDayIsoDoes() {
        let texts = [
            "2024-02-29", "2023-02-29", "1999-12-31", "0001-01-01", "9999-12-31", "2024-13-01", "2024-00-10", "2024-01-32",
            "2024-1-01", "2024/01/01", "20240101", "", "2024-01-01T09:15:00Z", "2024-01-01 09:15", "2024-01-01X",
            "2024-01-0a", "x024-01-01", "2024-01-01 ", "٢٠٢٤-01-01",
        ]
        for text in texts {
            #expect(SignalStore.isoDay(text) == Day(iso: text), "\(text)")
            var copy = text
            copy.withUTF8 { #expect(SignalStore.isoDay($0) == Day(iso: text), "\(text)") }
        }
    }

    @Test func oneSymbolsSeriesIsTheStoredBars() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bars-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try SignalStore(path: dir.appendingPathComponent("s.sqlite").path)
        let start = Day(iso: "2024-01-01")!
        var rows: [BarInput.Row] = []
        for (k, symbol) in ["B", "A", "^I", "AA"].enumerated() {
            for i in 0..<(50 + k * 7) where i % 6 != 3 {
                let c = 100 + Double(i) * 0.37 + Double(k)
                rows.append(BarInput.Row(symbol: symbol, bar: Bar(day: start.adding(days: i * 2 - k), open: c * 0.99, high: c * 1.02, low: c * 0.97, close: c, volume: Double(i * 1000 + k))))
            }
        }
        _ = try store.upsertBars(rows.reversed())
        let all = try store.barSeries()
        #expect(try store.barSymbols() == ["A", "AA", "B", "^I"])
        for symbol in all.keys { #expect(try store.barSeries(of: symbol) == all[symbol], "\(symbol)") }
        #expect(try store.barSeries(of: "NONE") == nil)
        // From a date: exactly the bars dated on or after it (labels read no earlier bar).
        for symbol in all.keys {
            let bars = all[symbol]!.bars
            for from in [bars[0].day, bars[17].day, bars[17].day.adding(days: 1), bars.last!.day, bars.last!.day.adding(days: 1)] {
                let suffix = bars.filter { $0.day >= from }
                #expect(try store.barSeries(of: symbol, from: from)?.bars ?? [] == suffix, "\(symbol) from \(from.iso)")
            }
        }
    }

    /// A delivery reads only the stored bars in the dates it brings: a bar equal to the stored
    /// one counts unchanged, a corrected one is written, a new one inserted, whatever lies outside.
    @Test func anUpsertComparesOnlyTheDatesItBrings() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bars-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try SignalStore(path: dir.appendingPathComponent("s.sqlite").path)
        let start = Day(iso: "2024-01-01")!
        func bar(_ i: Int, _ close: Double) -> BarInput.Row {
            BarInput.Row(symbol: "A", bar: Bar(day: start.adding(days: i), open: close, high: close + 1, low: close - 1, close: close, volume: 10))
        }
        #expect(try store.upsertBars((0..<30).map { bar($0, 100 + Double($0)) }).written == 30)
        let again = try store.upsertBars([bar(10, 110), bar(11, 999), bar(40, 140)])
        #expect(again.unchanged == 1)
        #expect(again.written == 2)
        let closes = try store.barSeries(of: "A")!.bars.map(\.close)
        #expect(closes.count == 31)
        #expect(closes[11] == 999)
        #expect(closes[12] == 112)
    }
}
