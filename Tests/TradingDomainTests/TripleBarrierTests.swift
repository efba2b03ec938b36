import Testing
import Foundation
@testable import TradingDomain

/// The labeling rule of README.md ("Outcome labels"), case by case on hand-built bars. Entry 100 on 2024-01-01; BUY target 110 / stop 95,
/// SELL target 90 / stop 105.
@Suite struct TripleBarrierTests {
    let entryDay = TestData.day("2024-01-01")
    let config = LabelConfig()

    func d(_ offset: Int) -> Day { entryDay.adding(days: offset) }

    /// A quiet bar (never near a barrier) on day `offset`.
    func quiet(_ offset: Int, close: Double = 100) -> Bar { TestData.bar(d(offset), 100, 101, 99, close) }

    func buy(target: Double? = 110, stop: Double? = 95) -> Signal {
        Signal(id: "b", symbol: "X", strategy: "s", type: .buy, entryDate: entryDay, entryPrice: 100,
               targetPrice: target, stopLoss: stop)
    }

    func sell(target: Double? = 90, stop: Double? = 105) -> Signal {
        Signal(id: "s", symbol: "X", strategy: "s", type: .sell, entryDate: entryDay, entryPrice: 100,
               targetPrice: target, stopLoss: stop)
    }

    /// Quiet bars on days 0...40 with `special` replacing the bar of its day.
    func series(_ special: [Int: Bar] = [:], through last: Int = 40) -> BarSeries {
        BarSeries(symbol: "X", bars: (0...last).map { special[$0] ?? quiet($0) })
    }

    func label(_ s: Signal, _ bars: BarSeries?, indexLast: Day? = nil) -> Outcome {
        TripleBarrier.label(s, bars: bars, indexLastDay: indexLast, config: config)
    }

    @Test func targetFirst() {
        let o = label(buy(), series([3: TestData.bar(d(3), 105, 111, 104, 110)]))
        #expect(o.status == .labeled)
        #expect(o.label == 1)
        #expect(o.exitReason == .target)
        #expect(o.exitPrice == 110)
        #expect(o.exitDate == d(3))
        #expect(o.daysHeld == 3)
        #expect(abs(o.returnPct! - 10) < 1e-9)
        #expect(o.hitTarget && !o.hitStop)
    }

    @Test func targetBeforeLaterStopIsSuccess() {
        // The guide's "any bar hit the stop" shortcut would call this a failure.
        let o = label(buy(), series([
            3: TestData.bar(d(3), 105, 111, 104, 110), 20: TestData.bar(d(20), 100, 100, 90, 91),
        ]))
        #expect(o.label == 1)
        #expect(o.exitDate == d(3))
    }

    @Test func stopFirst() {
        let o = label(buy(), series([
            2: TestData.bar(d(2), 97, 98, 94, 96), 5: TestData.bar(d(5), 105, 111, 104, 110),
        ]))
        #expect(o.label == 0)
        #expect(o.exitReason == .stop)
        #expect(o.exitPrice == 95)
        #expect(o.exitDate == d(2))
        #expect(abs(o.returnPct! - -5) < 1e-9)
        #expect(o.hitStop && !o.hitTarget)
    }

    @Test func bothOnOneBarIsFailure() {
        let o = label(buy(), series([4: TestData.bar(d(4), 100, 112, 94, 100)]))
        #expect(o.label == 0)
        #expect(o.exitReason == .stop)
        #expect(o.exitPrice == 95)
        #expect(o.exitDate == d(4))
    }

    @Test func gapThroughTargetExitsAtOpen() {
        let o = label(buy(), series([6: TestData.bar(d(6), 113, 115, 112, 114)]))
        #expect(o.label == 1)
        #expect(o.exitPrice == 113)
        #expect(abs(o.returnPct! - 13) < 1e-9)
    }

    @Test func gapThroughStopExitsAtOpen() {
        let o = label(buy(), series([6: TestData.bar(d(6), 92, 93, 91, 92.5)]))
        #expect(o.label == 0)
        #expect(o.exitPrice == 92)
        #expect(abs(o.returnPct! - -8) < 1e-9)
    }

    @Test func entryBarCountsButIsNeverAGap() {
        // The entry bar itself reaches the target: labeled on the entry date at the barrier price,
        // not at its open, even though it opened above the target.
        let up = label(buy(), series([0: TestData.bar(d(0), 112, 113, 111, 112)]))
        #expect(up.label == 1)
        #expect(up.exitDate == d(0))
        #expect(up.daysHeld == 0)
        #expect(up.exitPrice == 110)
        let down = label(buy(), series([0: TestData.bar(d(0), 93, 101, 92, 99)]))
        #expect(down.label == 0)
        #expect(down.exitPrice == 95)
        #expect(down.exitDate == d(0))
    }

    @Test func sellMirrors() {
        let target = label(sell(), series([3: TestData.bar(d(3), 95, 96, 89, 90)]))
        #expect(target.label == 1)
        #expect(target.exitPrice == 90)
        #expect(abs(target.returnPct! - 10) < 1e-9)
        #expect(target.hitTarget)

        let stop = label(sell(), series([3: TestData.bar(d(3), 103, 106, 102, 104), 5: TestData.bar(d(5), 95, 96, 89, 90)]))
        #expect(stop.label == 0)
        #expect(stop.exitPrice == 105)
        #expect(abs(stop.returnPct! - -5) < 1e-9)
        #expect(stop.hitStop)

        let both = label(sell(), series([3: TestData.bar(d(3), 100, 106, 89, 100)]))
        #expect(both.label == 0)
        #expect(both.exitPrice == 105)

        let gapTarget = label(sell(), series([3: TestData.bar(d(3), 88, 89, 87, 88)]))
        #expect(gapTarget.label == 1)
        #expect(gapTarget.exitPrice == 88)
        #expect(abs(gapTarget.returnPct! - 12) < 1e-9)

        let gapStop = label(sell(), series([3: TestData.bar(d(3), 107, 108, 106, 107)]))
        #expect(gapStop.label == 0)
        #expect(gapStop.exitPrice == 107)
        #expect(abs(gapStop.returnPct! - -7) < 1e-9)

        let entryBar = label(sell(), series([0: TestData.bar(d(0), 88, 101, 87, 89)]))
        #expect(entryBar.label == 1)
        #expect(entryBar.exitPrice == 90)
    }

    @Test func timeExitAboveAndBelowThreshold() {
        let win = label(buy(), series([30: quiet(30, close: 102.1)]))
        #expect(win.status == .labeled)
        #expect(win.exitReason == .time)
        #expect(win.label == 1)
        #expect(win.exitPrice == 102.1)
        #expect(win.exitDate == d(30))
        #expect(win.daysHeld == 30)
        #expect(abs(win.returnPct! - 2.1) < 1e-9)
        #expect(!win.hitTarget && !win.hitStop)

        let lose = label(buy(), series([30: quiet(30, close: 101.9)]))
        #expect(lose.exitReason == .time)
        #expect(lose.label == 0)
        #expect(abs(lose.returnPct! - 1.9) < 1e-9)

        let sellWin = label(sell(), series([30: quiet(30, close: 97.9)]))
        #expect(sellWin.label == 1)
        #expect(abs(sellWin.returnPct! - 2.1) < 1e-9)
        let sellLose = label(sell(), series([30: quiet(30, close: 98.1)]))
        #expect(sellLose.label == 0)
    }

    @Test func windowEndIsInclusiveAndLaterBarsIgnored() {
        let atEnd = label(buy(), series([30: TestData.bar(d(30), 105, 111, 104, 110)]))
        #expect(atEnd.exitReason == .target)
        #expect(atEnd.exitDate == d(30))
        let after = label(buy(), series([31: TestData.bar(d(31), 96, 97, 90, 91), 29: quiet(29, close: 103)]))
        #expect(after.exitReason == .time)
        #expect(after.exitDate == d(30))
        #expect(after.label == 0)
    }

    @Test func timeExitUsesLastWindowBarWhenHorizonDayIsAHoliday() {
        // No bar on days 28...30; the symbol trades again on day 31.
        let bars = (0...40).filter { !(28...30).contains($0) }.map { $0 == 27 ? quiet(27, close: 103) : quiet($0) }
        let o = label(buy(), BarSeries(symbol: "X", bars: bars))
        #expect(o.exitReason == .time)
        #expect(o.exitDate == d(27))
        #expect(o.label == 1)
    }

    @Test func pendingThenLabeledWhenBarsArrive() {
        let partial = series(through: 10)
        let p = label(buy(), partial, indexLast: d(12))
        #expect(p.status == .pending)
        #expect(p.label == nil)
        #expect(p.exitDate == nil)

        var more = partial
        more.bars += (11...35).map { $0 == 30 ? quiet(30, close: 102.5) : quiet($0) }
        let l = label(buy(), more, indexLast: d(35))
        #expect(l.status == .labeled)
        #expect(l.label == 1)
        #expect(l.exitDate == d(30))

        // The last bar exactly on entry + horizon completes the window.
        let exact = label(buy(), series(through: 30), indexLast: d(30))
        #expect(exact.status == .labeled)
    }

    @Test func barrierTouchedBeforeWindowEndLabelsAtOnce() {
        let o = label(buy(), series([2: TestData.bar(d(2), 105, 111, 104, 110)], through: 4), indexLast: d(4))
        #expect(o.status == .labeled)
        #expect(o.label == 1)
    }

    @Test func expiredWhenIndexMovesOnWithoutTheSymbol() {
        let halted = series(through: 10)
        #expect(label(buy(), halted, indexLast: d(30 + 10)).status == .pending)
        #expect(label(buy(), halted, indexLast: d(30 + 11)).status == .expired)
        #expect(label(buy(), halted, indexLast: nil).status == .pending)
        #expect(label(buy(), nil, indexLast: d(50)).status == .expired)
        #expect(label(buy(), BarSeries(symbol: "X", bars: []), indexLast: d(35)).status == .pending)
        // A grace period from the config.
        var short = config
        short.expiryGraceDays = 2
        #expect(TripleBarrier.label(buy(), bars: halted, indexLastDay: d(33), config: short).status == .expired)
    }

    @Test func windowWithoutAnyBarIsExpired() {
        // Suspended over the whole horizon, trading again afterwards: no exit price exists.
        let bars = BarSeries(symbol: "X", bars: [quiet(-3), quiet(35), quiet(36)])
        #expect(label(buy(), bars, indexLast: d(36)).status == .expired)
    }

    @Test func correctedBarChangesTheLabel() {
        var bars = series([30: quiet(30, close: 103)])
        let before = label(buy(), bars)
        #expect(before.label == 1)
        #expect(before.exitReason == .time)
        bars.bars[12] = TestData.bar(d(12), 99, 100, 94.5, 96)
        let after = label(buy(), bars)
        #expect(after.label == 0)
        #expect(after.exitReason == .stop)
        #expect(after.exitDate == d(12))
    }

    @Test func defaultBarriersWhenMissing() {
        // BUY defaults: target 110, stop 95.
        let none = label(buy(target: nil, stop: nil), series([4: TestData.bar(d(4), 100, 109.5, 95.5, 100), 30: quiet(30, close: 101)]))
        #expect(none.exitReason == .time)
        let up = label(buy(target: nil, stop: nil), series([4: TestData.bar(d(4), 100, 110.5, 99, 110)]))
        #expect(up.exitReason == .target)
        #expect(abs(up.exitPrice! - 110) < 1e-9)
        let down = label(buy(target: nil, stop: nil), series([4: TestData.bar(d(4), 100, 101, 94.5, 96)]))
        #expect(down.exitReason == .stop)
        #expect(abs(down.exitPrice! - 95) < 1e-9)
        // SELL defaults: target 90, stop 105.
        let sUp = label(sell(target: nil, stop: nil), series([4: TestData.bar(d(4), 100, 105.5, 99, 105)]))
        #expect(sUp.exitReason == .stop)
        #expect(abs(sUp.exitPrice! - 105) < 1e-9)
        let sDown = label(sell(target: nil, stop: nil), series([4: TestData.bar(d(4), 100, 101, 89.5, 90)]))
        #expect(sDown.exitReason == .target)
        #expect(abs(sDown.exitPrice! - 90) < 1e-9)
        let sNone = label(sell(target: nil, stop: nil), series([4: TestData.bar(d(4), 100, 104.5, 90.5, 100)]))
        #expect(sNone.exitReason == .time)
    }

    @Test func configurableHorizonAndThreshold() {
        let cfg = LabelConfig(horizonDays: 10, successThreshold: 0.005)
        let o = TripleBarrier.label(buy(), bars: series([10: quiet(10, close: 100.6)]), indexLastDay: nil, config: cfg)
        #expect(o.exitDate == d(10))
        #expect(o.label == 1)
    }

    @Test func batchUsesIndexLastDay() {
        let bars: [String: BarSeries] = [
            "X": series(through: 10),
            "^NSEI": BarSeries(symbol: "^NSEI", bars: (0...60).map { quiet($0) }),
        ]
        let outcomes = TripleBarrier.label([buy(), sell()], barsBySymbol: bars)
        #expect(outcomes.map(\.status) == [.expired, .expired])
        #expect(outcomes.map(\.signalId) == ["b", "s"])
    }

    @Test func labelConfigDecodesDefaults() throws {
        let json = #"{"horizon_days": 20}"#
        let snake = JSONDecoder()
        snake.keyDecodingStrategy = .convertFromSnakeCase
        let cfg = try snake.decode(LabelConfig.self, from: Data(json.utf8))
        #expect(try JSONDecoder().decode(LabelConfig.self, from: Data(#"{"horizonDays": 20}"#.utf8)) == cfg)
        #expect(cfg.horizonDays == 20)
        #expect(cfg.successThreshold == 0.02)
        #expect(cfg.defaultTargetPct == 0.10)
        #expect(cfg.defaultStopPct == 0.05)
        #expect(cfg.expiryGraceDays == 10)
        let round = try JSONDecoder().decode(LabelConfig.self, from: JSONEncoder().encode(cfg))
        #expect(round == cfg)
    }
}

@Suite struct LabelWindowTests {
    @Test func windowSpansHorizonInclusive() {
        let s = Signal(id: "w", symbol: "X", strategy: "s", entryDate: TestData.day("2024-01-01"), entryPrice: 10)
        let w = LabelConfig().window(for: s)
        #expect(w.lowerBound.iso == "2024-01-01")
        #expect(w.upperBound.iso == "2024-01-31")
    }
}
