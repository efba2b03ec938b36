#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
import Darwin
#endif

/// The strategies `backfill` replays over stored bars so a fresh install has history (README.md, "Commands": backfill).
///
/// A strategy fires on bar t's close using only bars 0...t; the signal enters at bar t+1's
/// open on its date (so the last bar never fires), `created_at` is bar t's date, target and
/// stop are the `LabelConfig` defaults, and `signal_id` is `"<strategy>-<symbol>-<bar t date>"`
/// so re-running adds nothing twice.
///
/// Rules (crossings fire once per crossing, not on every bar of a trend):
/// - `momentum` (BUY): close[t-1] <= SMA20[t-1] and close[t] > SMA20[t] and 20-bar momentum > 0;
/// - `mean_reversion` (BUY): RSI14[t-1] < 30 <= RSI14[t];
/// - `breakout` (BUY): close[t] > the highest high of the 55 bars before t, and close[t-1] was
///   not above the highest high of the 55 bars before t-1 (a fresh breakout);
/// - `breakdown` (SELL): the mirror with the lowest low.
///
/// Confidence heuristic: `1 / (1 + exp(-z))`, in (0.5, 1) for a positive strength z, 0.5 when z
/// cannot be computed (no volatility yet or zero volatility). z is the move in units of the
/// symbol's 20-bar log-return std `sigma`: momentum `m20 / (sigma x sqrt(20))`; mean_reversion
/// `(RSI[t] - RSI[t-1]) / 10`; breakout `(close / high55 - 1) / sigma`; breakdown
/// `(1 - close / low55) / sigma`. Stronger, less noisy moves get higher confidence.
public enum BuiltInStrategy: String, Sendable, Codable, CaseIterable {
    case momentum
    case meanReversion = "mean_reversion"
    case breakout
    case breakdown

    /// BUY for all but `breakdown`.
    public var signalType: SignalType { self == .breakdown ? .sell : .buy }

    /// The signals this strategy emits over one symbol's bars, in date order. Index series
    /// (symbols starting with `^`) are not traded and give none.
    public func signals(for series: BarSeries, config: LabelConfig = LabelConfig()) -> [Signal] {
        let bars = series.bars
        guard !series.isIndex, bars.count >= 2 else { return [] }
        let close = bars.map(\.close)
        let sigma = Indicators.logReturnStd(close, period: 20)
        func confidence(_ z: Double) -> Double { z.isFinite ? 1 / (1 + exp(-z)) : 0.5 }

        var fired: [(t: Int, confidence: Double)] = []
        switch self {
        case .momentum:
            let sma = Indicators.sma(close, period: 20), mom = Indicators.momentum(close, lag: 20)
            for t in 1..<(bars.count - 1) where !sma[t - 1].isNaN
                && close[t - 1] <= sma[t - 1] && close[t] > sma[t] && mom[t] > 0 {
                fired.append((t, confidence(mom[t] / (sigma[t] * Double(20).squareRoot()))))
            }
        case .meanReversion:
            let rsi = Indicators.rsi(close, period: 14)
            for t in 1..<(bars.count - 1) where rsi[t - 1] < 30 && rsi[t] >= 30 {
                fired.append((t, confidence((rsi[t] - rsi[t - 1]) / 10)))
            }
        case .breakout:
            let high = Indicators.priorHigh(bars.map(\.high), period: 55)
            for t in 1..<(bars.count - 1) where close[t] > high[t] && !(close[t - 1] > high[t - 1]) {
                fired.append((t, confidence((close[t] / high[t] - 1) / sigma[t])))
            }
        case .breakdown:
            let low = Indicators.priorLow(bars.map(\.low), period: 55)
            for t in 1..<(bars.count - 1) where close[t] < low[t] && !(close[t - 1] < low[t - 1]) {
                fired.append((t, confidence((1 - close[t] / low[t]) / sigma[t])))
            }
        }
        return fired.map { t, conf in
            let entryBar = bars[t + 1]
            let entry = entryBar.open
            return Signal(
                id: "\(rawValue)-\(series.symbol)-\(bars[t].day.iso)", symbol: series.symbol,
                strategy: rawValue, type: signalType, entryDate: entryBar.day, entryPrice: entry,
                targetPrice: config.defaultTarget(entryPrice: entry, type: signalType),
                stopLoss: config.defaultStop(entryPrice: entry, type: signalType),
                confidence: conf, createdAt: bars[t].day.iso
            )
        }
    }

    /// Replays `strategies` over every non-index series; sorted by (entry date, symbol, id).
    public static func backfill(
        _ strategies: [BuiltInStrategy] = BuiltInStrategy.allCases, barsBySymbol: [String: BarSeries],
        config: LabelConfig = LabelConfig()
    ) -> [Signal] {
        var out: [Signal] = []
        for series in barsBySymbol.values {
            for strategy in strategies { out += strategy.signals(for: series, config: config) }
        }
        return out.sorted { ($0.entryDate, $0.symbol, $0.id) < ($1.entryDate, $1.symbol, $1.id) }
    }
}
