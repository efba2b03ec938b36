/// Every per-bar indicator of one symbol, computed once in forward passes over its sorted bars
/// and read by bar position; the feature row of a signal is lookups at its feature-date position.
struct SymbolIndicators: Sendable {
    let symbol: String
    let days: [Day]
    let close: [Double]
    let sma20: [Double]
    let sma50: [Double]
    let sma200: [Double]
    let rsi14: [Double]
    let macd: [Double]
    let volumeRatio: [Double]
    let momentum20: [Double]
    let volatility20: [Double]
    /// Correlation of the last 60 simple daily returns with the index's on common dates
    /// (each series' own return: close / its previous bar's close - 1). Empty for an index
    /// or when no index is known.
    let correlation60: [Double]
    /// Index only: 1 when `volatility20` is below its median over the last 250 bars
    /// (at least 20 values), 0 otherwise, NaN when either is NaN. Empty for a stock.
    let lowVolatility: [Double]

    /// - Parameter entries: when given, `correlation60` is computed only at the feature-date
    ///   positions of signals entering on these days (the last bar before each), NaN elsewhere:
    ///   the window sum is the one cost per bar that is not a running total.
    init(series: BarSeries, index: SymbolIndicators?, correlationBefore entries: [Day]? = nil) {
        symbol = series.symbol
        days = series.bars.map(\.day)
        close = series.bars.map(\.close)
        let volume = series.bars.map(\.volume)
        sma20 = Indicators.sma(close, period: 20)
        sma50 = Indicators.sma(close, period: 50)
        sma200 = Indicators.sma(close, period: 200)
        rsi14 = Indicators.rsi(close, period: 14)
        macd = Indicators.macdHistogramOverClose(close)
        volumeRatio = Indicators.volumeRatio(volume, period: 20)
        momentum20 = Indicators.momentum(close, lag: 20)
        volatility20 = Indicators.logReturnStd(close, period: 20)
        if series.isIndex {
            let median = Indicators.rollingMedian(volatility20, window: 250, minCount: 20)
            lowVolatility = zip(volatility20, median).map { v, m in
                v.isNaN || m.isNaN ? .nan : (v < m ? 1 : 0)
            }
            correlation60 = []
        } else {
            lowVolatility = []
            let (d, c) = (days, close)
            var needed: [Bool]?
            if let entries {
                var flags = [Bool](repeating: false, count: d.count)
                for e in entries { if let p = Self.position(in: d, onOrBefore: e.adding(days: -1)) { flags[p] = true } }
                needed = flags
            }
            correlation60 = index.map { SymbolIndicators.correlation(days: d, close: c, index: $0, needed: needed) } ?? []
        }
    }

    /// Position of the last bar on or before `day`.
    func position(onOrBefore day: Day) -> Int? { Self.position(in: days, onOrBefore: day) }

    /// Position of the last of sorted `days` on or before `day`.
    static func position(in days: [Day], onOrBefore day: Day) -> Int? {
        var lo = 0, hi = days.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if days[mid] <= day { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? nil : lo - 1
    }

    /// Position of the last bar strictly before `day`.
    func position(before day: Day) -> Int? { position(onOrBefore: day.adding(days: -1)) }

    static let correlationWindow = 60

    private static func correlation(days: [Day], close: [Double], index: SymbolIndicators, needed: [Bool]?) -> [Double] {
        var out = [Double](repeating: .nan, count: days.count)
        var xs: [Double] = [], ys: [Double] = []
        xs.reserveCapacity(days.count)
        ys.reserveCapacity(days.count)
        var k = 0
        let w = correlationWindow
        for j in days.indices {
            while k < index.days.count, index.days[k] < days[j] { k += 1 }
            if j >= 1, k >= 1, k < index.days.count, index.days[k] == days[j] {
                let x = close[j] / close[j - 1] - 1, y = index.close[k] / index.close[k - 1] - 1
                if x.isFinite, y.isFinite {
                    xs.append(x)
                    ys.append(y)
                }
            }
            if xs.count >= w, needed?[j] ?? true {
                out[j] = Indicators.correlation(xs[(xs.count - w)...], ys[(ys.count - w)...])
            }
        }
        return out
    }
}
