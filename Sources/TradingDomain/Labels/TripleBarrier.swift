/// The triple-barrier labeler (README.md, "Outcome labels"): target, stop and time barriers over a calendar window.
///
/// A pure function of (signal, the symbol's bars, the index's last bar date, config): relabeling
/// after a bar correction is the caller running it again. Choices the README's rule leaves open:
/// - a bar that touches both barriers is a failure that exits at the stop (`hitStop` true,
///   `hitTarget` false), even when it opened beyond the target;
/// - a gap is a bar other than the entry bar that *opened strictly beyond* the barrier; it exits
///   at that open (worse than the stop, better than the target);
/// - a complete window (the symbol has a bar on or after `entry_date + horizon`) that holds no
///   bar at all (a suspension spanning the whole horizon) has no exit price: it is `expired`.
public enum TripleBarrier {
    /// Labels one signal from its symbol's bars.
    ///
    /// - Parameters:
    ///   - bars: the symbol's bars; nil or empty when none are stored yet.
    ///   - indexLastDay: the date of the market index's last bar, used only to tell a suspended
    ///     or delisted symbol (expired) from bars that have not arrived yet (pending).
    public static func label(
        _ signal: Signal, bars: BarSeries?, indexLastDay: Day?, config: LabelConfig = LabelConfig()
    ) -> Outcome {
        let entry = signal.entryPrice
        let isBuy = signal.type == .buy
        let target = config.target(for: signal)
        let stop = config.stop(for: signal)
        let windowEnd = signal.entryDate.adding(days: config.horizonDays)
        let all = bars?.bars ?? []

        func directional(_ exit: Double) -> Double { isBuy ? exit / entry - 1 : 1 - exit / entry }
        func exit(_ status: Int, _ bar: Bar, _ price: Double, _ reason: ExitReason) -> Outcome {
            Outcome(
                signalId: signal.id, status: .labeled, label: status, exitDate: bar.day, exitPrice: price,
                exitReason: reason, returnPct: directional(price) * 100, daysHeld: bar.day - signal.entryDate,
                hitTarget: reason == .target, hitStop: reason == .stop
            )
        }

        var lastInWindow: Bar?
        if let series = bars, let start = series.firstIndex(onOrAfter: signal.entryDate) {
            var i = start
            while i < all.count, all[i].day <= windowEnd {
                let bar = all[i]
                let touchesStop = isBuy ? bar.low <= stop : bar.high >= stop
                let touchesTarget = isBuy ? bar.high >= target : bar.low <= target
                if touchesStop {
                    let gapped = i != start && (isBuy ? bar.open < stop : bar.open > stop)
                    return exit(0, bar, gapped ? bar.open : stop, .stop)
                }
                if touchesTarget {
                    let gapped = i != start && (isBuy ? bar.open > target : bar.open < target)
                    return exit(1, bar, gapped ? bar.open : target, .target)
                }
                lastInWindow = bar
                i += 1
            }
        }

        guard let symbolLast = all.last?.day, symbolLast >= windowEnd else {
            // The window is not complete: pending, unless the market went on without the symbol.
            if let indexLast = indexLastDay, indexLast - windowEnd > config.expiryGraceDays {
                return Outcome(signalId: signal.id, status: .expired)
            }
            return Outcome(signalId: signal.id, status: .pending)
        }
        guard let last = lastInWindow else {
            return Outcome(signalId: signal.id, status: .expired)
        }
        let success = directional(last.close) > config.successThreshold
        return exit(success ? 1 : 0, last, last.close, .time)
    }

    /// Labels many signals, looking up each one's bars by symbol.
    ///
    /// `indexLastDay` defaults to the last bar of `barsBySymbol[indexSymbol]`.
    public static func label(
        _ signals: [Signal], barsBySymbol: [String: BarSeries], indexSymbol: String = "^NSEI",
        indexLastDay: Day? = nil, config: LabelConfig = LabelConfig()
    ) -> [Outcome] {
        let indexLast = indexLastDay ?? barsBySymbol[indexSymbol]?.bars.last?.day
        return signals.map { label($0, bars: barsBySymbol[$0.symbol], indexLastDay: indexLast, config: config) }
    }
}
