/// One daily OHLCV bar of a symbol.
public struct Bar: Sendable, Equatable, Hashable {
    public var day: Day
    public var open: Double
    public var high: Double
    public var low: Double
    public var close: Double
    public var volume: Double

    public init(day: Day, open: Double, high: Double, low: Double, close: Double, volume: Double) {
        self.day = day
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
    }
}

/// A symbol's bars sorted by date, unique per date. Symbols starting with `^` are market indices.
public struct BarSeries: Sendable, Equatable {
    public var symbol: String
    public var bars: [Bar]

    public init(symbol: String, bars: [Bar]) {
        self.symbol = symbol
        self.bars = bars.sorted { $0.day < $1.day }
    }

    public var isIndex: Bool { symbol.hasPrefix("^") }

    /// Index of the last bar dated on or before `day`, or nil.
    public func lastIndex(onOrBefore day: Day) -> Int? {
        var lo = 0, hi = bars.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if bars[mid].day <= day { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? nil : lo - 1
    }

    /// Index of the last bar dated strictly before `day`, or nil.
    public func lastIndex(before day: Day) -> Int? {
        lastIndex(onOrBefore: day.adding(days: -1))
    }

    /// Index of the first bar dated on or after `day`, or nil.
    public func firstIndex(onOrAfter day: Day) -> Int? {
        let i = (lastIndex(before: day) ?? -1) + 1
        return i < bars.count ? i : nil
    }
}
