import Testing
@testable import TradingDomain

/// The proof of point-in-time features on the real bars: garbage after the feature date
/// changes no feature by a single bit; a change on the feature date moves at least one.
@Suite struct FeatureLookAheadTests {
    /// Two artificial sectors so sector features have peers (the bundled symbols have one each).
    static let infos: [String: SymbolInfo] = {
        let caps = ["large", "mid", "small"]
        var out: [String: SymbolInfo] = [:]
        for (i, s) in TestData.stockSymbols.enumerated() {
            out[s] = SymbolInfo(symbol: s, sector: i % 2 == 0 ? "Alpha" : "Beta", marketCapCategory: caps[i % 3])
        }
        return out
    }()

    /// Quarterly results events for half of the symbols; the rest use the calendar.
    static let events: [SymbolEvent] = TestData.stockSymbols.prefix(5).flatMap { s in
        (2016...2026).flatMap { y in [1, 4, 7, 10].map { m in SymbolEvent(symbol: s, day: Day(year: y, month: m, day: 25)!, kind: "results") } }
    }

    /// A weekly external series per symbol.
    static func externals(for data: [String: BarSeries]) -> [ExternalValue] {
        TestData.stockSymbols.flatMap { s in
            data[s]!.bars.enumerated().filter { $0.offset % 5 == 0 }.map {
                ExternalValue(symbol: s, day: $0.element.day, name: "sentiment", value: Double($0.offset % 17) / 17)
            }
        }
    }

    static let codes = Dictionary(uniqueKeysWithValues: BuiltInStrategy.allCases.enumerated().map { ($1.rawValue, $0) })

    static func engine(_ data: [String: BarSeries], externals: [ExternalValue]) -> FeatureEngine {
        FeatureEngine(barsBySymbol: data, symbols: infos, events: events, externals: externals, strategyCodes: codes)
    }

    /// Every bar after `day` of every series: prices x 10, volume 0; 40 extra garbage bars.
    static func garbage(after day: Day, _ data: [String: BarSeries]) -> [String: BarSeries] {
        data.mapValues { series in
            var s = series
            for i in s.bars.indices where s.bars[i].day > day {
                let b = s.bars[i]
                s.bars[i] = Bar(day: b.day, open: b.open * 10, high: b.high * 10, low: b.low * 10, close: b.close * 10, volume: 0)
            }
            let last = s.bars.last!.day
            s.bars += (1...40).map { Bar(day: last.adding(days: $0), open: 7, high: 70, low: 0.7, close: 7, volume: 0) }
            return s
        }
    }

    /// For a spread of cut-off dates F (each the feature date of a real backfilled signal), every
    /// bar of every series after F becomes garbage and the external values after F change; then
    /// every signal whose feature date is on or before F, including the ones exactly on F, must
    /// keep its row bit for bit. One engine per cut-off keeps the debug run short.
    @Test func noFeatureMovesWhenEverythingAfterTheFeatureDateChanges() throws {
        let data = TestData.all
        let externals = Self.externals(for: data)
        let base = Self.engine(data, externals: externals)
        let signals = BuiltInStrategy.backfill(barsBySymbol: data)
        let rows = base.rows(for: signals)
        let featureDates = signals.map { base.featureDate(of: $0) }
        // Cut-offs: the feature dates of 10 signals spread over the history, symbols and strategies.
        let picks = stride(from: signals.count / 20, to: signals.count, by: signals.count / 10).map { $0 }
        #expect(picks.count >= 10)
        var checkedOnCut = 0, checkedBefore = 0
        for p in picks {
            let s = signals[p]
            let f = try #require(featureDates[p])
            let laterExternals = externals.map { v in
                v.day > f ? ExternalValue(symbol: v.symbol, day: v.day, name: v.name, value: v.value * 1000 + 3) : v
            } + [ExternalValue(symbol: s.symbol, day: f.adding(days: 1), name: "sentiment", value: -99)]
            let after = Self.engine(Self.garbage(after: f, data), externals: laterExternals)
            for (i, other) in signals.enumerated() {
                guard let fd = featureDates[i], fd <= f else { continue }
                let row = after.row(for: other)
                if !sameBits(rows[i], row) {
                    let diff = zip(base.schema.columns, zip(rows[i], row)).filter { $0.1.0.bitPattern != $0.1.1.bitPattern }
                    Issue.record("\(other.id) (cut \(f)): \(diff)")
                }
                if fd == f { checkedOnCut += 1 } else { checkedBefore += 1 }
            }

            // One bar ON the feature date (the symbol's close and volume) does move features.
            var touched = data
            let pos = touched[s.symbol]!.lastIndex(onOrBefore: f)!
            #expect(touched[s.symbol]!.bars[pos].day == f)
            touched[s.symbol]!.bars[pos].close *= 1.05
            touched[s.symbol]!.bars[pos].high = max(touched[s.symbol]!.bars[pos].high, touched[s.symbol]!.bars[pos].close)
            touched[s.symbol]!.bars[pos].volume += 12345
            let changed = Self.engine(touched, externals: externals).row(for: s)
            let moved = zip(rows[p], changed).filter { $0.0.bitPattern != $0.1.bitPattern }.count
            #expect(moved >= 1, "\(s.id): no feature moved")
        }
        #expect(checkedOnCut >= 10)
        #expect(checkedBefore > 1000)
    }

    @Test func featuresAreDefinedOnRealData() {
        let data = TestData.all
        let base = Self.engine(data, externals: Self.externals(for: data))
        let signals = BuiltInStrategy.backfill(barsBySymbol: data).filter { $0.entryDate > TestData.day("2018-01-01") }
        let rows = base.rows(for: signals)
        let columns = base.schema.columns
        // The batch (with its sector cache) and the single-row path give the same bits.
        for (s, row) in zip(signals, rows).enumerated().filter({ $0.offset % 7 == 0 }).map(\.element) {
            #expect(sameBits(row, base.row(for: s)), "\(s.id)")
        }
        #expect(columns.count == 31)
        // After two years of history every feature has values; binary flags are 0/1 only.
        for (j, name) in columns.enumerated() {
            let values = rows.map { $0[j] }
            #expect(values.contains { !$0.isNaN }, "\(name) never defined")
        }
        for name in ["bull_market", "bear_market", "high_confidence", "positive_momentum", "low_volatility_market",
                     "high_volume", "rsi_oversold", "rsi_overbought", "is_earnings_season"] {
            let j = base.schema.index(of: name)!
            let values = Set(rows.map { $0[j] }.filter { !$0.isNaN })
            #expect(values == [0, 1], "\(name): \(values)")
        }
    }
}
