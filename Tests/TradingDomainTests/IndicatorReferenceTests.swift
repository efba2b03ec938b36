import Foundation
import Testing
@testable import TradingDomain

/// Indicator values against `Fixtures/reference_MARICO.csv`, computed independently with pandas
/// by `Fixtures/make_reference.py`; agreement to 1e-9 relative.
@Suite struct IndicatorReferenceTests {
    struct Reference {
        var position: Int
        var date: Day
        var values: [String: Double]
    }

    static func load() throws -> [Reference] {
        let text = try String(contentsOf: TestData.fixtures.appendingPathComponent("reference_MARICO.csv"), encoding: .utf8)
        let lines = text.split(separator: "\n")
        let header = lines[0].split(separator: ",").map(String.init)
        return lines.dropFirst().map { line in
            let f = line.split(separator: ",").map(String.init)
            var values: [String: Double] = [:]
            for (name, v) in zip(header.dropFirst(2), f.dropFirst(2)) { values[name] = v == "nan" ? .nan : Double(v)! }
            return Reference(position: Int(f[0])!, date: Day(iso: f[1])!, values: values)
        }
    }

    static func close(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
        return abs(a - b) <= 1e-9 * max(abs(b), 1e-300)
    }

    @Test func indicatorArraysMatchPandas() throws {
        let refs = try Self.load()
        #expect(refs.count == 20)
        let series = TestData.all["MARICO"]!
        let closes = series.bars.map(\.close), volumes = series.bars.map(\.volume)
        let computed: [String: [Double]] = [
            "sma20": Indicators.sma(closes, period: 20),
            "ema12": Indicators.ema(closes, period: 12),
            "rsi14": Indicators.rsi(closes, period: 14),
            "macd_hist_over_close": Indicators.macdHistogramOverClose(closes),
            "logret_std20": Indicators.logReturnStd(closes, period: 20),
            "volume_ratio": Indicators.volumeRatio(volumes, period: 20),
            "momentum20": Indicators.momentum(closes, lag: 20),
        ]
        var compared = 0
        for r in refs {
            #expect(series.bars[r.position].day == r.date)
            for (name, values) in computed {
                let expected = r.values[name]!, got = values[r.position]
                #expect(Self.close(got, expected), "\(name) at \(r.date): \(got) vs \(expected)")
                if !expected.isNaN { compared += 1 }
            }
        }
        #expect(compared > 100)
    }

    /// The same values through the engine: a signal entering the bar after each reference date
    /// has that date as its feature date.
    @Test func featureRowsMatchPandas() throws {
        let refs = try Self.load()
        let series = TestData.all["MARICO"]!
        let engine = FeatureEngine(barsBySymbol: TestData.all)
        let col = { (name: String) in engine.schema.index(of: name)! }
        var correlations = 0
        for r in refs where r.position + 1 < series.bars.count {
            let entry = series.bars[r.position + 1]
            let s = Signal(id: "r", symbol: "MARICO", strategy: "x", entryDate: entry.day, entryPrice: entry.open)
            #expect(engine.featureDate(of: s) == r.date)
            let row = engine.row(for: s)
            #expect(Self.close(row[col("rsi")], r.values["rsi14"]!))
            #expect(Self.close(row[col("macd")], r.values["macd_hist_over_close"]!))
            #expect(Self.close(row[col("volume_ratio")], r.values["volume_ratio"]!))
            #expect(Self.close(row[col("price_momentum_20d")], r.values["momentum20"]!))
            #expect(Self.close(row[col("volatility")], r.values["logret_std20"]!))
            #expect(Self.close(row[col("correlation_with_index")], r.values["corr60_index"]!),
                    "corr at \(r.date): \(row[col("correlation_with_index")]) vs \(r.values["corr60_index"]!)")
            #expect(Self.close(entry.open / row[col("entry_price_normalized")], r.values["sma20"]!))
            if !r.values["corr60_index"]!.isNaN { correlations += 1 }
        }
        #expect(correlations >= 10)
    }
}
