import Testing
@testable import TradingDomain

/// Backfills every strategy over the bundled NSE bars and checks the labeler against a second,
/// deliberately plain implementation of the labeling rule (README.md, "Outcome labels") (a straight loop over every bar).
@Suite struct RealDataLabelTests {
    struct PlainLabel: Equatable {
        var status: String
        var label: Int?
        var exitDate: Day?
        var exitPrice: Double?
        var returnPct: Double?
    }

    /// The labeling rule written as plainly as possible: no binary search, no shared helpers.
    static func plainLabel(_ s: Signal, bars: [Bar], indexLast: Day?) -> PlainLabel {
        let buy = s.type == .buy
        let target = s.targetPrice ?? (buy ? s.entryPrice * 1.10 : s.entryPrice * 0.90)
        let stop = s.stopLoss ?? (buy ? s.entryPrice * 0.95 : s.entryPrice * 1.05)
        let end = s.entryDate.number + 30
        var first = true
        var lastClose: Double?
        var lastDay: Day?
        func ret(_ p: Double) -> Double { (buy ? p / s.entryPrice - 1 : 1 - p / s.entryPrice) * 100 }
        for b in bars {
            if b.day.number < s.entryDate.number || b.day.number > end { continue }
            var hitStop = false, hitTarget = false
            if buy {
                hitStop = b.low <= stop
                hitTarget = b.high >= target
            } else {
                hitStop = b.high >= stop
                hitTarget = b.low <= target
            }
            if hitStop {
                var p = stop
                if !first && ((buy && b.open < stop) || (!buy && b.open > stop)) { p = b.open }
                return PlainLabel(status: "labeled", label: 0, exitDate: b.day, exitPrice: p, returnPct: ret(p))
            }
            if hitTarget {
                var p = target
                if !first && ((buy && b.open > target) || (!buy && b.open < target)) { p = b.open }
                return PlainLabel(status: "labeled", label: 1, exitDate: b.day, exitPrice: p, returnPct: ret(p))
            }
            first = false
            lastClose = b.close
            lastDay = b.day
        }
        var symbolLast: Int32 = .min
        for b in bars where b.day.number > symbolLast { symbolLast = b.day.number }
        if symbolLast < end {
            if let indexLast, indexLast.number > end + 10 { return PlainLabel(status: "expired") }
            return PlainLabel(status: "pending")
        }
        guard let close = lastClose else { return PlainLabel(status: "expired") }
        let r = ret(close)
        return PlainLabel(status: "labeled", label: r > 2.0 ? 1 : 0, exitDate: lastDay, exitPrice: close, returnPct: r)
    }

    @Test func labelerAgreesWithPlainLoopOnEveryBackfilledSignal() {
        let data = TestData.all
        let signals = BuiltInStrategy.backfill(barsBySymbol: data)
        #expect(signals.count > 500)
        for strategy in BuiltInStrategy.allCases {
            #expect(signals.contains { $0.strategy == strategy.rawValue }, "\(strategy) fired")
        }
        let outcomes = TripleBarrier.label(signals, barsBySymbol: data)
        let indexLast = data["^NSEI"]!.bars.last!.day
        var statuses: [OutcomeStatus: Int] = [:]
        var reasons: [ExitReason: Int] = [:]
        var mismatches = 0
        for (s, o) in zip(signals, outcomes) {
            statuses[o.status, default: 0] += 1
            if let r = o.exitReason { reasons[r, default: 0] += 1 }
            let plain = Self.plainLabel(s, bars: data[s.symbol]!.bars, indexLast: indexLast)
            #expect(o.signalId == s.id)
            let ok = o.status.rawValue == plain.status && o.label == plain.label && o.exitDate == plain.exitDate
                && o.exitPrice == plain.exitPrice
                && (o.returnPct == nil) == (plain.returnPct == nil)
                && abs((o.returnPct ?? 0) - (plain.returnPct ?? 0)) <= 1e-9
            if !ok {
                mismatches += 1
                if mismatches <= 5 { Issue.record("\(s.id): \(o) vs \(plain)") }
            }
            if o.status == .labeled {
                #expect(o.daysHeld == o.exitDate! - s.entryDate)
                #expect((0...30).contains(o.daysHeld!))
            }
        }
        #expect(mismatches == 0)
        // The real data exercises every exit kind, and the most recent signals are pending.
        #expect(reasons[.target, default: 0] > 0 && reasons[.stop, default: 0] > 0 && reasons[.time, default: 0] > 0)
        #expect(statuses[.pending, default: 0] > 0)
        #expect(statuses[.labeled, default: 0] > 500)
    }
}
