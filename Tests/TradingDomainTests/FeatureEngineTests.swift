import Foundation
import Testing
@testable import TradingDomain

/// Feature conventions (README.md, "Features") on small hand-built series with hand-computed values.
@Suite struct FeatureEngineTests {
    static let start = TestData.day("2020-01-01")

    /// `n` consecutive daily bars with closes from `price(i)`; open = close, high/low +-1 %.
    static func series(_ symbol: String, _ n: Int, from first: Day = start, volume: (Int) -> Double = { Double(1000 + $0 % 7) },
                       price: (Int) -> Double) -> BarSeries {
        BarSeries(symbol: symbol, bars: (0..<n).map { i in
            let c = price(i)
            return Bar(day: first.adding(days: i), open: c, high: c * 1.01, low: c * 0.99, close: c, volume: volume(i))
        })
    }

    static func wave(_ i: Int) -> Double { 100 + 10 * sin(Double(i) / 7) + Double(i) * 0.05 }

    static let data: [String: BarSeries] = [
        "^NSEI": series("^NSEI", 400) { 1000 + 50 * sin(Double($0) / 23) + Double($0) },
        "AAA": series("AAA", 300) { wave($0) },
        "BBB": series("BBB", 300) { 50 + Double($0) * 0.1 },
        "CCC": series("CCC", 300) { 80 - Double($0) * 0.05 },
        "DDD": series("DDD", 15) { 20 + Double($0) },          // too short for momentum
        "EEE": series("EEE", 300) { 30 + Double($0 % 9) },     // another sector
    ]

    static let infos: [String: SymbolInfo] = [
        "AAA": SymbolInfo(symbol: "AAA", sector: "S", marketCapCategory: "large"),
        "BBB": SymbolInfo(symbol: "BBB", sector: "S", marketCapCategory: "Mid"),
        "CCC": SymbolInfo(symbol: "CCC", sector: "S", marketCapCategory: "small"),
        "DDD": SymbolInfo(symbol: "DDD", sector: "S"),
        "EEE": SymbolInfo(symbol: "EEE", sector: "T", marketCapCategory: "huge"),
    ]

    static func engine(events: [SymbolEvent] = [], externals: [ExternalValue] = [], externalNames: [String]? = nil) -> FeatureEngine {
        FeatureEngine(barsBySymbol: data, symbols: infos, events: events, externals: externals,
                      strategyCodes: ["momentum": 3], externalNames: externalNames)
    }

    func value(_ e: FeatureEngine, _ s: Signal, _ name: String) -> Double { e.row(for: s)[e.schema.index(of: name)!] }

    func signal(_ symbol: String = "AAA", entryOffset: Int, confidence: Double? = 0.8, created: String? = nil,
                strategy: String = "momentum") -> Signal {
        let d = Self.start.adding(days: entryOffset)
        return Signal(id: "t", symbol: symbol, strategy: strategy, entryDate: d, entryPrice: 101,
                      confidence: confidence, createdAt: created)
    }

    @Test func schemaOrderVersionAndHash() {
        let s = FeatureSchema(externalNames: ["zeta", "alpha", "zeta"])
        #expect(s.columns.count == 32)
        #expect(Array(s.columns.prefix(3)) == ["confidence", "strategy_encoded", "entry_price_normalized"])
        #expect(s.columns[29] == "results_proximity")
        #expect(Array(s.columns.suffix(2)) == ["external:alpha", "external:zeta"])
        #expect(s.externalNames == ["alpha", "zeta"])
        #expect(s.version == FeatureSchema.currentVersion)
        #expect(s.hash.count == 16)
        #expect(s.hash == FeatureSchema(externalNames: ["alpha", "zeta"]).hash)
        #expect(s.hash != FeatureSchema(externalNames: ["alpha"]).hash)
        #expect(s.hash != FeatureSchema(externalNames: ["alpha", "zeta"], version: 2).hash)
        // Pinned: the FNV-1a 64 of "1|" + the 30 base names is part of the stored-model contract.
        #expect(FeatureSchema().hash == FeatureSchema.fnv1a64Hex("1|" + FeatureSchema.baseColumns.joined(separator: ",")))
        // Literal values (computed independently in Python): a change here means stored models
        // no longer match, so bump `FeatureSchema.currentVersion` deliberately.
        #expect(FeatureSchema().hash == "d7e5bd5531245d37")
        #expect(FeatureSchema(externalNames: ["sentiment"]).hash == "2f902bd08d04b5c9")
        #expect(FeatureSchema.fnv1a64Hex("") == "cbf29ce484222325")
        #expect(FeatureSchema.fnv1a64Hex("a") == "af63dc4c8601ec8c")
    }

    @Test func missingHistoryIsNaNNeverZero() {
        let e = Self.engine()
        // Entry on day 10: 10 bars of history.
        let row = e.row(for: signal(entryOffset: 10))
        for name in ["entry_price_normalized", "market_volatility", "market_momentum", "bull_market", "bear_market",
                     "rsi", "macd", "volume_ratio", "price_momentum_20d", "volatility", "confidence_x_momentum",
                     "volatility_x_momentum", "rsi_x_confidence", "positive_momentum", "low_volatility_market",
                     "high_volume", "rsi_oversold", "rsi_overbought", "correlation_with_index",
                     "relative_strength_vs_sector", "sector_performance"] {
            #expect(row[e.schema.index(of: name)!].isNaN, "\(name)")
        }
        // No bar before entry at all: symbol features NaN, the signal's own fields still there.
        let none = e.row(for: signal(entryOffset: 0))
        #expect(none[e.schema.index(of: "rsi")!].isNaN)
        #expect(none[e.schema.index(of: "confidence")!] == 0.8)
        #expect(e.featureDate(of: signal(entryOffset: 0)) == nil)
        // Unknown symbol.
        #expect(e.row(for: signal("ZZZ", entryOffset: 100))[e.schema.index(of: "volatility")!].isNaN)
    }

    @Test func signalFieldsAndFlags() {
        let e = Self.engine()
        let s = signal(entryOffset: 250, confidence: 0.7, created: "2020-09-01T10:00:00")
        #expect(value(e, s, "confidence") == 0.7)
        #expect(value(e, s, "strategy_encoded") == 3)
        #expect(value(e, s, "high_confidence") == 1)
        #expect(value(e, signal(entryOffset: 250, confidence: 0.69), "high_confidence") == 0)
        #expect(value(e, signal(entryOffset: 250, strategy: "unknown"), "strategy_encoded").isNaN)
        // 2020-01-01 + 250 days = 2020-09-07.
        #expect(s.entryDate.iso == "2020-09-07")
        #expect(value(e, s, "month") == 9)
        #expect(value(e, s, "quarter") == 3)
        #expect(value(e, s, "days_since_signal") == 6)
        // Without confidence: it, its flag and its products are NaN.
        let n = signal(entryOffset: 250, confidence: nil)
        for name in ["confidence", "high_confidence", "confidence_x_momentum", "rsi_x_confidence"] {
            #expect(value(e, n, name).isNaN, "\(name)")
        }
        let row = e.row(for: s)
        let c = { (name: String) in row[e.schema.index(of: name)!] }
        #expect(c("confidence_x_momentum") == 0.7 * c("price_momentum_20d"))
        #expect(c("volatility_x_momentum") == c("volatility") * c("price_momentum_20d"))
        #expect(c("rsi_x_confidence") == c("rsi") / 100 * 0.7)
        #expect(c("positive_momentum") == (c("price_momentum_20d") > 0 ? 1 : 0))
        #expect(c("rsi_oversold") == (c("rsi") < 30 ? 1 : 0))
        #expect(c("rsi_overbought") == (c("rsi") > 70 ? 1 : 0))
        #expect(c("high_volume") == (c("volume_ratio") > 1.5 ? 1 : 0))
    }

    @Test func handComputedSymbolFeatures() {
        let e = Self.engine()
        let s = signal(entryOffset: 250)
        let f = 249  // feature-date position of AAA
        let closes = (0...f).map { Self.wave($0) }
        let sma20 = closes[(f - 19)...f].reduce(0, +) / 20
        #expect(abs(value(e, s, "entry_price_normalized") - 101 / sma20) < 1e-12)
        #expect(abs(value(e, s, "price_momentum_20d") - (closes[f] / closes[f - 20] - 1)) < 1e-12)
        let logs = (f - 19...f).map { log(closes[$0] / closes[$0 - 1]) }
        let mean = logs.reduce(0, +) / 20
        let std = (logs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 19).squareRoot()
        #expect(abs(value(e, s, "volatility") - std) < 1e-12)
        let vols = (f - 20..<f).map { Double(1000 + $0 % 7) }
        #expect(abs(value(e, s, "volume_ratio") - Double(1000 + f % 7) / (vols.reduce(0, +) / 20)) < 1e-12)
    }

    @Test func marketFeaturesUseTheIndexOnOrBeforeTheFeatureDate() {
        let e = Self.engine()
        let s = signal(entryOffset: 260)
        let index = Self.data["^NSEI"]!.bars.map(\.close)
        let i = 259
        #expect(abs(value(e, s, "market_momentum") - (index[i] / index[i - 20] - 1)) < 1e-12)
        let sma200 = index[(i - 199)...i].reduce(0, +) / 200, sma50 = index[(i - 49)...i].reduce(0, +) / 50
        let bull: Double = index[i] > sma200 && sma50 > sma200 ? 1 : 0
        let bear: Double = index[i] < sma200 && sma50 < sma200 ? 1 : 0
        #expect(value(e, s, "bull_market") == bull)
        #expect(value(e, s, "bear_market") == bear)
        #expect(value(e, signal(entryOffset: 150), "bull_market").isNaN)  // fewer than 200 index bars
        // low_volatility_market against a by-hand median of the last 250 market volatilities.
        let mv = Indicators.logReturnStd(index, period: 20)
        let window = mv[max(0, i - 249)...i].filter { !$0.isNaN }.sorted()
        let median = window.count % 2 == 1 ? window[window.count / 2] : (window[window.count / 2 - 1] + window[window.count / 2]) / 2
        #expect(value(e, s, "market_volatility") == mv[i])
        #expect(value(e, s, "low_volatility_market") == (mv[i] < median ? 1 : 0))
        // 20 index bars give the first volatility, 20 volatilities the first median (position 39).
        #expect(value(e, signal(entryOffset: 39), "low_volatility_market").isNaN)
        #expect(!value(e, signal(entryOffset: 40), "low_volatility_market").isNaN)
    }

    @Test func sectorAndMarketCap() {
        let e = Self.engine()
        let s = signal(entryOffset: 250)
        let f = 249
        func mom(_ sym: String) -> Double { let c = Self.data[sym]!.bars.map(\.close); return c[f] / c[f - 20] - 1 }
        // Peers of AAA in sector S: BBB, CCC (DDD has no 20 bars of history; EEE is another sector).
        let expected = (mom("BBB") + mom("CCC")) / 2
        #expect(abs(value(e, s, "sector_performance") - expected) < 1e-15)
        #expect(abs(value(e, s, "relative_strength_vs_sector") - (mom("AAA") - expected)) < 1e-15)
        #expect(value(e, signal("EEE", entryOffset: 250), "sector_performance").isNaN)  // alone in T
        #expect(value(e, s, "market_cap_category") == 2)
        #expect(value(e, signal("BBB", entryOffset: 250), "market_cap_category") == 1)
        #expect(value(e, signal("CCC", entryOffset: 250), "market_cap_category") == 0)
        #expect(value(e, signal("DDD", entryOffset: 12), "market_cap_category").isNaN)
        #expect(value(e, signal("EEE", entryOffset: 250), "market_cap_category").isNaN)
        // BBB's peers: AAA and CCC (DDD left out: fewer than 20 bars before its last bar).
        let short = value(e, signal("BBB", entryOffset: 250), "sector_performance")
        #expect(abs(short - (mom("AAA") + mom("CCC")) / 2) < 1e-15)
    }

    @Test func earningsSeasonAndResultsProximity() {
        let results = [SymbolEvent(symbol: "AAA", day: TestData.day("2020-06-20"), kind: "results"),
                       SymbolEvent(symbol: "AAA", day: TestData.day("2020-03-01"), kind: "dividend")]
        let e = Self.engine(events: results)
        func at(_ iso: String, _ sym: String = "AAA") -> Signal {
            Signal(id: "t", symbol: sym, strategy: "m", entryDate: TestData.day(iso), entryPrice: 100)
        }
        #expect(value(e, at("2020-06-05"), "is_earnings_season") == 1)   // 15 days before
        #expect(value(e, at("2020-06-04"), "is_earnings_season") == 0)
        #expect(value(e, at("2020-07-05"), "is_earnings_season") == 1)   // 15 days after
        #expect(value(e, at("2020-07-06"), "is_earnings_season") == 0)
        #expect(value(e, at("2020-04-20"), "is_earnings_season") == 0)   // in the calendar, but AAA has events
        #expect(value(e, at("2020-04-20", "BBB"), "is_earnings_season") == 1)  // calendar: 10 Apr-15 May
        #expect(value(e, at("2020-04-09", "BBB"), "is_earnings_season") == 0)
        #expect(value(e, at("2020-05-15", "BBB"), "is_earnings_season") == 1)
        #expect(value(e, at("2020-05-16", "BBB"), "is_earnings_season") == 0)
        #expect(value(e, at("2020-06-10"), "results_proximity") == 10.0 / 90)
        #expect(value(e, at("2020-06-20"), "results_proximity") == 0)
        #expect(value(e, at("2020-01-01"), "results_proximity") == 1)   // capped at 90 days
        #expect(value(e, at("2020-06-21"), "results_proximity").isNaN)  // none ahead
        #expect(value(e, at("2020-06-10", "BBB"), "results_proximity").isNaN)
        #expect(ResultsSeasonCalendar.nse.contains(TestData.day("2021-11-15")))
        #expect(!ResultsSeasonCalendar.nse.contains(TestData.day("2021-11-16")))
        #expect(ResultsSeasonCalendar(seasons: [.init(startMonth: 12, startDay: 20, endMonth: 1, endDay: 5)])
            .contains(TestData.day("2021-01-03")))
    }

    @Test func externalsAsOfTheFeatureDate() {
        let d = { (o: Int) in Self.start.adding(days: o) }
        let values = [
            ExternalValue(symbol: "AAA", day: d(100), name: "sent", value: 1),
            ExternalValue(symbol: "AAA", day: d(149), name: "sent", value: 2),
            ExternalValue(symbol: "AAA", day: d(149), name: "sent", value: 2.5),  // a later value for the day wins
            ExternalValue(symbol: "AAA", day: d(150), name: "sent", value: 3),    // the entry date: too late
            ExternalValue(symbol: "BBB", day: d(10), name: "analyst", value: 7),
        ]
        let e = Self.engine(externals: values)
        #expect(e.schema.externalNames == ["analyst", "sent"])
        let s = signal(entryOffset: 150)
        #expect(value(e, s, "external:sent") == 2.5)
        #expect(value(e, s, "external:analyst").isNaN)
        #expect(value(e, signal(entryOffset: 100), "external:sent").isNaN)
        #expect(value(e, signal(entryOffset: 101), "external:sent") == 1)
        // A model's schema pins the columns, whatever the data holds.
        let pinned = Self.engine(externals: values, externalNames: ["sent", "missing"])
        #expect(pinned.schema.columns.suffix(2) == ["external:missing", "external:sent"])
        #expect(pinned.row(for: s).count == 32)
        #expect(FeatureConfig().indexSymbol == "^NSEI")
    }

    @Test func rsiEdgeCasesAndMacdWarmUp() {
        let up = Indicators.rsi((0..<30).map { Double($0) + 1 })
        #expect(up[13].isNaN)
        #expect(up[14] == 100)
        let flat = Indicators.rsi([Double](repeating: 5, count: 30))
        #expect(flat[20].isNaN)
        let macd = Indicators.macdHistogramOverClose((0..<40).map { 100 + Double($0 % 5) })
        #expect(macd[32].isNaN)
        #expect(!macd[33].isNaN)
        #expect(Indicators.volumeRatio([Double](repeating: 0, count: 25))[22].isNaN)  // zero denominator
        let h = Indicators.priorHigh([1, 5, 2, 3, 4, 1], period: 3)
        #expect(h[0].isNaN && h[2].isNaN)
        #expect(Array(h[3...]) == [5, 5, 4])
        let l = Indicators.priorLow([1, 5, 2, 3, 4, 1], period: 3)
        #expect(Array(l[3...]) == [1, 2, 2])
        let med = Indicators.rollingMedian([.nan, 3, 1, 2, 10, 4], window: 3, minCount: 2)
        #expect(med[1].isNaN)
        #expect(med[2] == 2)           // {3, 1}
        #expect(med[3] == 2)           // {3, 1, 2}
        #expect(med[5] == 4)           // {2, 10, 4}
    }
}
