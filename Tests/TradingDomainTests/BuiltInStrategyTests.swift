import Testing
@testable import TradingDomain

@Suite struct BuiltInStrategyTests {
    @Test func rawValuesAreTheCLINames() {
        #expect(BuiltInStrategy.allCases.map(\.rawValue) == ["momentum", "mean_reversion", "breakout", "breakdown"])
        #expect(BuiltInStrategy.breakdown.signalType == .sell)
        #expect(BuiltInStrategy.momentum.signalType == .buy)
    }

    @Test func backfillIsDeterministicAndIdsAreUnique() {
        let a = BuiltInStrategy.backfill(barsBySymbol: TestData.all)
        let b = BuiltInStrategy.backfill(barsBySymbol: TestData.all)
        #expect(a == b)
        #expect(Set(a.map(\.id)).count == a.count)
        #expect(!a.contains { $0.symbol.hasPrefix("^") })
    }

    @Test(arguments: BuiltInStrategy.allCases)
    func signalShape(_ strategy: BuiltInStrategy) throws {
        let series = try TestData.loadSeries("MARICO")
        let signals = strategy.signals(for: series)
        #expect(!signals.isEmpty)
        let config = LabelConfig()
        for s in signals {
            let t = try #require(series.lastIndex(before: s.entryDate))
            let signalBar = series.bars[t], entryBar = series.bars[t + 1]
            #expect(s.id == "\(strategy.rawValue)-MARICO-\(signalBar.day.iso)")
            #expect(s.strategy == strategy.rawValue)
            #expect(s.type == strategy.signalType)
            #expect(s.entryDate == entryBar.day)
            #expect(s.entryPrice == entryBar.open)
            #expect(s.createdAt == signalBar.day.iso)
            #expect(s.targetPrice == config.defaultTarget(entryPrice: entryBar.open, type: s.type))
            #expect(s.stopLoss == config.defaultStop(entryPrice: entryBar.open, type: s.type))
            let c = try #require(s.confidence)
            #expect(c >= 0 && c <= 1)
        }
    }

    /// Each strategy fires on exactly the bars where its rule holds (checked with plain loops).
    @Test(arguments: ["BHEL", "RVNL", "MARICO"])
    func firesExactlyWhereTheRuleHolds(_ symbol: String) throws {
        let series = try TestData.loadSeries(symbol)
        let bars = series.bars, close = bars.map(\.close)
        let rsi = Indicators.rsi(close)
        func sma20(_ t: Int) -> Double? { t >= 19 ? close[(t - 19)...t].reduce(0, +) / 20 : nil }
        func prior(_ t: Int, _ f: (Bar) -> Double, _ pick: ([Double]) -> Double?) -> Double? {
            t >= 55 ? pick(bars[(t - 55)..<t].map(f)) : nil
        }
        var expected: [BuiltInStrategy: [Day]] = [:]
        for t in 1..<(bars.count - 1) {
            if let a = sma20(t), let b = sma20(t - 1), t >= 20, close[t] > a, close[t - 1] <= b, close[t] / close[t - 20] - 1 > 0 {
                expected[.momentum, default: []].append(bars[t].day)
            }
            if rsi[t - 1] < 30, rsi[t] >= 30 { expected[.meanReversion, default: []].append(bars[t].day) }
            if let h = prior(t, \.high, { $0.max() }), close[t] > h, !(prior(t - 1, \.high, { $0.max() }).map { close[t - 1] > $0 } ?? false) {
                expected[.breakout, default: []].append(bars[t].day)
            }
            if let l = prior(t, \.low, { $0.min() }), close[t] < l, !(prior(t - 1, \.low, { $0.min() }).map { close[t - 1] < $0 } ?? false) {
                expected[.breakdown, default: []].append(bars[t].day)
            }
        }
        for strategy in BuiltInStrategy.allCases {
            let fired = strategy.signals(for: series).map { Day(iso: $0.createdAt)! }
            #expect(fired == expected[strategy, default: []], "\(strategy) on \(symbol)")
        }
    }

    /// Garbage after bar `cut` (prices x 10, volume 0, extra bars) and on bar `cut` except its
    /// open leaves every signal whose entry bar is on or before `cut` unchanged, bit for bit: a
    /// signal reads bars up to its signal bar t and only the open of bar t+1.
    @Test func signalsUseNoBarAfterTheEntryBar() throws {
        let series = try TestData.loadSeries("YESBANK")
        for cut in [300, 1100, 1777, 2400] {
            var garbage = series
            for i in (cut + 1)..<garbage.bars.count {
                let b = garbage.bars[i]
                garbage.bars[i] = Bar(day: b.day, open: b.open * 10, high: b.high * 10, low: b.low * 10, close: b.close * 10, volume: 0)
            }
            // The entry bar of the last kept signals: only its open (the entry price) may be read.
            let e = garbage.bars[cut]
            garbage.bars[cut] = Bar(day: e.day, open: e.open, high: e.high * 10, low: e.low / 10, close: e.close * 7, volume: 0)
            let last = garbage.bars.last!.day
            garbage.bars += (1...30).map { Bar(day: last.adding(days: $0), open: 1, high: 1000, low: 0.5, close: 999, volume: 0) }
            let cutDay = series.bars[cut].day
            for strategy in BuiltInStrategy.allCases {
                let before = strategy.signals(for: series).filter { $0.entryDate <= cutDay }
                let after = strategy.signals(for: garbage).filter { $0.entryDate <= cutDay }
                #expect(before.map(\.id) == after.map(\.id))
                #expect(before.map { $0.confidence!.bitPattern } == after.map { $0.confidence!.bitPattern })
                #expect(before == after)
            }
        }
    }

    /// For every signal on two symbols: garble its entry bar except the open (close / 10, high
    /// x 10, low / 10, volume 0) and every later bar; the same signal must still come out.
    @Test(arguments: ["YESBANK", "INDHOTEL"])
    func everySignalSurvivesGarbageFromItsEntryBar(_ symbol: String) throws {
        let series = try TestData.loadSeries(symbol)
        for strategy in BuiltInStrategy.allCases {
            let signals = strategy.signals(for: series)
            for s in signals {
                let entry = try #require(series.firstIndex(onOrAfter: s.entryDate))
                var garbage = series
                for i in entry..<garbage.bars.count {
                    let b = garbage.bars[i]
                    garbage.bars[i] = Bar(day: b.day, open: i == entry ? b.open : b.open * 3, high: b.high * 10,
                                          low: b.low / 10, close: b.close / 10, volume: 0)
                }
                let again = strategy.signals(for: garbage).first { $0.id == s.id }
                #expect(again == s, "\(s.id)")
            }
        }
    }
}
