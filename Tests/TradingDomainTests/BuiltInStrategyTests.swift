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

    @Test func rulesHoldOnTheSignalBar() throws {
        let series = try TestData.loadSeries("BHEL")
        let close = series.bars.map(\.close)
        let sma = Indicators.sma(close, period: 20), rsi = Indicators.rsi(close)
        for s in BuiltInStrategy.momentum.signals(for: series) {
            let t = series.lastIndex(before: s.entryDate)!
            #expect(close[t] > sma[t] && close[t - 1] <= sma[t - 1] && close[t] / close[t - 20] - 1 > 0)
        }
        for s in BuiltInStrategy.meanReversion.signals(for: series) {
            let t = series.lastIndex(before: s.entryDate)!
            #expect(rsi[t - 1] < 30 && rsi[t] >= 30)
        }
        for s in BuiltInStrategy.breakout.signals(for: series) {
            let t = series.lastIndex(before: s.entryDate)!
            let high = series.bars[(t - 55)..<t].map(\.high).max()!
            #expect(close[t] > high)
        }
        for s in BuiltInStrategy.breakdown.signals(for: series) {
            let t = series.lastIndex(before: s.entryDate)!
            let low = series.bars[(t - 55)..<t].map(\.low).min()!
            #expect(close[t] < low)
        }
    }

    /// Garbage after bar `cut` (prices x 10, volume 0, extra bars) leaves every signal whose
    /// entry bar is on or before `cut` unchanged, bit for bit.
    @Test func signalsUseNoBarAfterTheEntryBar() throws {
        let series = try TestData.loadSeries("YESBANK")
        for cut in [300, 1100, 1777, 2400] {
            var garbage = series
            for i in (cut + 1)..<garbage.bars.count {
                let b = garbage.bars[i]
                garbage.bars[i] = Bar(day: b.day, open: b.open * 10, high: b.high * 10, low: b.low * 10, close: b.close * 10, volume: 0)
            }
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
}
