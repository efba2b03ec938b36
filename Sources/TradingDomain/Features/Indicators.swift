#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
import Darwin
#endif

/// Technical indicators as whole arrays, one value per bar position, by the conventions of README.md's "Features" table
///
/// Every function is one forward pass: the value at position `i` depends only on inputs at
/// positions `0...i`, which is what makes features point in time. Positions without enough
/// history, or with a zero denominator, are NaN.
public enum Indicators {
    /// Simple moving average of the last `period` values including position `i`.
    public static func sma(_ x: [Double], period: Int) -> [Double] {
        var out = [Double](repeating: .nan, count: x.count)
        guard period > 0 else { return out }
        var sum = 0.0
        for i in x.indices {
            sum += x[i]
            if i >= period { sum -= x[i - period] }
            if i >= period - 1 { out[i] = sum / Double(period) }
        }
        return out
    }

    /// Exponential moving average with alpha 2/(period+1), seeded with the first value.
    public static func ema(_ x: [Double], period: Int) -> [Double] {
        var out = [Double](repeating: .nan, count: x.count)
        guard let first = x.first else { return out }
        let alpha = 2.0 / Double(period + 1)
        var e = first
        out[0] = e
        for i in 1..<x.count {
            e = alpha * x[i] + (1 - alpha) * e
            out[i] = e
        }
        return out
    }

    /// RSI with Wilder smoothing: the first averages are the plain means of the first `period`
    /// gains and losses, then `avg = ((period-1) x previous + current) / period`.
    ///
    /// Computed as `100 x avgGain / (avgGain + avgLoss)` (equal to `100 - 100/(1+RS)`), so a
    /// window without losses is 100 and a flat window (both averages 0) is NaN.
    public static func rsi(_ close: [Double], period: Int = 14) -> [Double] {
        var out = [Double](repeating: .nan, count: close.count)
        guard period > 0, close.count > period else { return out }
        var gainSum = 0.0, lossSum = 0.0
        for i in 1...period {
            let d = close[i] - close[i - 1]
            if d > 0 { gainSum += d } else { lossSum -= d }
        }
        var avgGain = gainSum / Double(period), avgLoss = lossSum / Double(period)
        func value() -> Double {
            let total = avgGain + avgLoss
            return total == 0 ? .nan : 100 * avgGain / total
        }
        out[period] = value()
        let p = Double(period)
        var i = period + 1
        while i < close.count {
            let d = close[i] - close[i - 1]
            let gain = d > 0 ? d : 0, loss = d < 0 ? -d : 0
            avgGain = ((p - 1) * avgGain + gain) / p
            avgLoss = ((p - 1) * avgLoss + loss) / p
            out[i] = value()
            i += 1
        }
        return out
    }

    /// The MACD histogram (EMA12 - EMA26 - EMA9 of that line) divided by the close.
    ///
    /// Every EMA is seeded with its first input; positions before `slow + signal - 1` bars
    /// (34 with the defaults) are NaN so the seed has had time to wash out.
    public static func macdHistogramOverClose(
        _ close: [Double], fast: Int = 12, slow: Int = 26, signal: Int = 9
    ) -> [Double] {
        let f = ema(close, period: fast), s = ema(close, period: slow)
        let line = zip(f, s).map { $0 - $1 }
        let sig = ema(line, period: signal)
        let warmUp = slow + signal - 1
        var out = [Double](repeating: .nan, count: close.count)
        for i in close.indices where i >= warmUp - 1 && close[i] != 0 {
            out[i] = (line[i] - sig[i]) / close[i]
        }
        return out
    }

    /// `x[i] / x[i - lag] - 1`: momentum over `lag` of the series' own positions.
    public static func momentum(_ x: [Double], lag: Int = 20) -> [Double] {
        var out = [Double](repeating: .nan, count: x.count)
        for i in x.indices where i >= lag && x[i - lag] != 0 { out[i] = x[i] / x[i - lag] - 1 }
        return out
    }

    /// Sample standard deviation (n - 1) of the last `period` daily log returns up to `i`.
    public static func logReturnStd(_ close: [Double], period: Int = 20) -> [Double] {
        var out = [Double](repeating: .nan, count: close.count)
        guard period > 1, close.count > period else { return out }
        var r = [Double](repeating: .nan, count: close.count)
        for i in 1..<close.count { r[i] = (close[i] / close[i - 1]).logNatural }
        for i in period..<close.count { out[i] = sampleStd(r[(i - period + 1)...i]) }
        return out
    }

    /// `volume[i]` divided by the mean of the `period` volumes before it (not including it).
    public static func volumeRatio(_ volume: [Double], period: Int = 20) -> [Double] {
        var out = [Double](repeating: .nan, count: volume.count)
        guard period > 0 else { return out }
        var sum = 0.0
        for i in volume.indices {
            if i >= period {
                let mean = sum / Double(period)
                if mean != 0 { out[i] = volume[i] / mean }
                sum -= volume[i - period]
            }
            sum += volume[i]
        }
        return out
    }

    /// Highest value of the `period` positions before `i` (not including it).
    public static func priorHigh(_ x: [Double], period: Int) -> [Double] {
        windowExtreme(x, period: period, greater: true)
    }

    /// Lowest value of the `period` positions before `i` (not including it).
    public static func priorLow(_ x: [Double], period: Int) -> [Double] {
        windowExtreme(x, period: period, greater: false)
    }

    /// Median over the last `window` positions up to `i` of the non-NaN values, NaN when fewer
    /// than `minCount` of them. One pass with a sorted window: O(n x window) moves at worst.
    public static func rollingMedian(_ x: [Double], window: Int, minCount: Int) -> [Double] {
        var out = [Double](repeating: .nan, count: x.count)
        var sorted: [Double] = []
        sorted.reserveCapacity(window)
        func insertionPoint(_ v: Double) -> Int {
            var lo = 0, hi = sorted.count
            while lo < hi { let m = (lo + hi) / 2; if sorted[m] < v { lo = m + 1 } else { hi = m } }
            return lo
        }
        for i in x.indices {
            if !x[i].isNaN { sorted.insert(x[i], at: insertionPoint(x[i])) }
            if i >= window, !x[i - window].isNaN {
                let old = x[i - window]
                sorted.remove(at: insertionPoint(old))
            }
            let n = sorted.count
            if n >= max(minCount, 1) {
                out[i] = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
            }
        }
        return out
    }

    /// Sample standard deviation (n - 1), two-pass; NaN for fewer than 2 values or any NaN.
    public static func sampleStd(_ x: ArraySlice<Double>) -> Double {
        guard x.count > 1 else { return .nan }
        var sum = 0.0
        for v in x { sum += v }
        let mean = sum / Double(x.count)
        var ss = 0.0
        for v in x { ss += (v - mean) * (v - mean) }
        return (ss / Double(x.count - 1)).squareRoot()
    }

    /// Pearson correlation of two equal-length samples, two-pass; NaN when either is constant.
    public static func correlation(_ x: ArraySlice<Double>, _ y: ArraySlice<Double>) -> Double {
        let n = x.count
        guard n > 1, n == y.count else { return .nan }
        var sx = 0.0, sy = 0.0
        for v in x { sx += v }
        for v in y { sy += v }
        let mx = sx / Double(n), my = sy / Double(n)
        var cxy = 0.0, cxx = 0.0, cyy = 0.0
        for (a, b) in zip(x, y) {
            let dx = a - mx, dy = b - my
            cxy += dx * dy
            cxx += dx * dx
            cyy += dy * dy
        }
        let den = (cxx * cyy).squareRoot()
        return den == 0 ? .nan : cxy / den
    }

    private static func windowExtreme(_ x: [Double], period: Int, greater: Bool) -> [Double] {
        // Monotonic deque of positions: O(n).
        var out = [Double](repeating: .nan, count: x.count)
        guard period > 0 else { return out }
        var deque = [Int](repeating: 0, count: x.count)
        var head = 0, tail = 0
        for i in x.indices {
            // The window for position i is i-period ..< i; the deque holds positions < i.
            while head < tail, deque[head] < i - period { head += 1 }
            if i >= period, head < tail { out[i] = x[deque[head]] }
            while head < tail, greater ? x[deque[tail - 1]] <= x[i] : x[deque[tail - 1]] >= x[i] { tail -= 1 }
            deque[tail] = i
            tail += 1
        }
        return out
    }
}

extension Double {
    /// Natural logarithm (the C library's `log`).
    var logNatural: Double { log(self) }
}
