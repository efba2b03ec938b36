/// Computes the point-in-time feature rows (README.md, "Features") for signals.
///
/// Built once from all bars: indicators are precomputed per symbol in forward passes (O(bars)),
/// then a signal's row is binary searches and lookups at its feature date (O(log bars); sector
/// totals are cached per (sector, date) by `rows(for:)`). Choices the README's table leaves open:
/// - the feature date is the symbol's last bar strictly before `entry_date`; when the symbol
///   has no such bar, symbol features are NaN and index, sector and external lookups use
///   `entry_date - 1`;
/// - `month`, `quarter`, `is_earnings_season` and `results_proximity` are of `entry_date`;
///   `results` events are a calendar announced in advance, so a future event is "known";
/// - `is_earnings_season` uses the calendar only for a symbol with no `results` event at all;
///   it is 1 when an event lies within 15 calendar days either side of `entry_date`;
/// - `results_proximity` counts days from `entry_date` to the first event on or after it;
/// - RSI is `100 x avgGain / (avgGain + avgLoss)`: 100 without losses, NaN when flat;
/// - MACD is NaN for the first 33 bars (the 26- and 9-bar EMAs warm up), see `Indicators`;
/// - `correlation_with_index` pairs each series' own simple daily return (close / its previous
///   bar's close - 1) on the last 60 dates where both have a bar and a previous bar;
/// - `sector_performance` is (sum over every sector member - the symbol's own momentum) /
///   (count - 1), members taken in sorted order, so it is the same bits for every caller;
///   "without 20 bars of history" means no close 20 bars before the member's last bar;
/// - market-cap categories match case-insensitively; a flag of a NaN is NaN.
public struct FeatureEngine: Sendable {
    public let schema: FeatureSchema
    public let config: FeatureConfig
    let indicators: [String: SymbolIndicators]
    let index: SymbolIndicators?
    let infos: [String: SymbolInfo]
    /// Sector name to its non-index symbols that have bars, sorted.
    let sectorMembers: [String: [String]]
    /// Symbol to its sorted `results` event dates.
    let resultsDays: [String: [Day]]
    /// Symbol to external name to (sorted days, values); the last value of a duplicated day wins.
    let externals: [String: [String: (days: [Day], values: [Double])]]
    let strategyCodes: [String: Int]

    /// - Parameters:
    ///   - barsBySymbol: every stored series, stocks and the index, keyed by symbol.
    ///   - strategyCodes: the stable integer of each strategy name (kept by the store).
    ///   - externalNames: the external columns; nil takes every name in `externals`. Pass a
    ///     model's names to build rows of its schema.
    public init(
        barsBySymbol: [String: BarSeries], symbols: [String: SymbolInfo] = [:],
        events: [SymbolEvent] = [], externals: [ExternalValue] = [], strategyCodes: [String: Int] = [:],
        externalNames: [String]? = nil, config: FeatureConfig = FeatureConfig()
    ) {
        self.init(
            index: barsBySymbol[config.indexSymbol],
            eachSeries: { body in for symbol in barsBySymbol.keys.sorted() { body(barsBySymbol[symbol]!) } },
            symbols: symbols, events: events, externals: externals, strategyCodes: strategyCodes,
            externalNames: externalNames, config: config
        )
    }

    /// Builds the engine from series handed over one at a time, so a caller streaming them from
    /// the store never holds every bar at once (only the indicators are kept).
    /// - Parameters:
    ///   - index: the market index's series (`config.indexSymbol`), if stored.
    ///   - eachSeries: calls its argument once per stored series (the index may come again).
    public init(
        index indexSeries: BarSeries?, eachSeries: ((BarSeries) -> Void) throws -> Void, symbols: [String: SymbolInfo] = [:],
        events: [SymbolEvent] = [], externals: [ExternalValue] = [], strategyCodes: [String: Int] = [:],
        externalNames: [String]? = nil, config: FeatureConfig = FeatureConfig()
    ) rethrows {
        self.config = config
        self.schema = FeatureSchema(externalNames: externalNames ?? externals.map(\.name))
        let index = indexSeries.map { SymbolIndicators(series: $0, index: nil) }
        self.index = index
        var indicators: [String: SymbolIndicators] = [:]
        if let index { indicators[config.indexSymbol] = index }
        try eachSeries { series in
            guard series.symbol != config.indexSymbol else { return }
            indicators[series.symbol] = SymbolIndicators(series: series, index: index)
        }
        self.indicators = indicators
        self.infos = symbols
        var members: [String: [String]] = [:]
        for symbol in indicators.keys where !symbol.hasPrefix("^") {
            if let sector = symbols[symbol]?.sector, !sector.isEmpty { members[sector, default: []].append(symbol) }
        }
        self.sectorMembers = members.mapValues { $0.sorted() }
        var results: [String: [Day]] = [:]
        for e in events where e.kind == config.resultsEventKind { results[e.symbol, default: []].append(e.day) }
        self.resultsDays = results.mapValues { $0.sorted() }
        var grouped: [String: [String: [(Day, Double)]]] = [:]
        for v in externals { grouped[v.symbol, default: [:]][v.name, default: []].append((v.day, v.value)) }
        self.externals = grouped.mapValues { byName in
            byName.mapValues { pairs in
                // Stable sort by day, then keep the last value given for a day.
                let sorted = pairs.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }
                var days: [Day] = [], values: [Double] = []
                for (_, p) in sorted {
                    if days.last == p.0 { values[values.count - 1] = p.1 } else { days.append(p.0); values.append(p.1) }
                }
                return (days, values)
            }
        }
        self.strategyCodes = strategyCodes
    }

    /// One row per signal, in `schema.columns` order; NaN marks a missing value.
    ///
    /// Sector totals are cached per (sector, feature date) for the call, so the cost is
    /// O(signals x log bars + distinct (sector, date) pairs x sector size), never signals x
    /// sector size. Rows are bit-identical to `row(for:)`.
    public func rows(for signals: [Signal]) -> [[Double]] {
        var cache: [SectorDay: (Double, Int)] = [:]
        return signals.map { s in
            row(for: s) { sector, day in
                let key = SectorDay(sector: sector, day: day)
                if let hit = cache[key] { return hit }
                let totals = sectorTotals(sector, day)
                cache[key] = totals
                return totals
            }
        }
    }

    struct SectorDay: Hashable {
        var sector: String
        var day: Day
    }

    /// Sum and count of `price_momentum_20d` of every member of `sector`, each at its last bar on
    /// or before `day`; members without 20 bars of history there are left out. Summed in the
    /// sorted member order so every caller gets the same bits.
    func sectorTotals(_ sector: String, _ day: Day) -> (Double, Int) {
        var sum = 0.0, n = 0
        for member in sectorMembers[sector] ?? [] {
            guard let p = indicators[member], let i = p.position(onOrBefore: day) else { continue }
            let m = p.momentum20[i]
            if !m.isNaN { sum += m; n += 1 }
        }
        return (sum, n)
    }

    /// The feature date of a signal: its symbol's last bar strictly before `entry_date`.
    public func featureDate(of signal: Signal) -> Day? {
        guard let s = indicators[signal.symbol], let f = s.position(before: signal.entryDate) else { return nil }
        return s.days[f]
    }

    /// The row of one signal, in `schema.columns` order.
    public func row(for signal: Signal) -> [Double] { row(for: signal, sectorTotals: sectorTotals) }

    func row(for signal: Signal, sectorTotals: (String, Day) -> (Double, Int)) -> [Double] {
        row(for: signal, sym: indicators[signal.symbol], hasSector: { sectorMembers[$0] != nil }, sectorTotals: sectorTotals)
    }

    /// The row of `signal` from its symbol's indicators `sym`; `hasSector` tells whether a
    /// sector has members (else its sector features are NaN).
    func row(
        for signal: Signal, sym: SymbolIndicators?, hasSector: (String) -> Bool, sectorTotals: (String, Day) -> (Double, Int)
    ) -> [Double] {
        let nan = Double.nan
        var r = [Double](repeating: nan, count: schema.columns.count)
        func flag(_ v: Double, _ holds: (Double) -> Bool) -> Double { v.isNaN ? nan : (holds(v) ? 1 : 0) }
        func ratio(_ a: Double, _ b: Double) -> Double { b == 0 || b.isNaN || a.isNaN ? nan : a / b }

        let f = sym?.position(before: signal.entryDate)
        let featureDay = f.flatMap { p in sym.map { $0.days[p] } } ?? signal.entryDate.adding(days: -1)
        // The indicator at the feature-date position (arrays, not key paths: this runs per column).
        func at(_ arr: [Double]?) -> Double {
            guard let arr, let f else { return nan }
            return f < arr.count ? arr[f] : nan
        }

        let confidence = signal.confidence ?? nan
        let rsi = at(sym?.rsi14), momentum = at(sym?.momentum20), volatility = at(sym?.volatility20)
        let volumeRatio = at(sym?.volumeRatio)
        r[0] = confidence
        r[1] = strategyCodes[signal.strategy].map(Double.init) ?? nan
        r[2] = ratio(signal.entryPrice, at(sym?.sma20))

        var marketVolatility = nan
        if let index, let i = index.position(onOrBefore: featureDay) {
            marketVolatility = index.volatility20[i]
            r[4] = index.momentum20[i]
            let c = index.close[i], s50 = index.sma50[i], s200 = index.sma200[i]
            if !s50.isNaN, !s200.isNaN {
                r[5] = c > s200 && s50 > s200 ? 1 : 0
                r[6] = c < s200 && s50 < s200 ? 1 : 0
            }
            r[20] = index.lowVolatility[i]
        }
        r[3] = marketVolatility
        r[7] = rsi
        r[8] = at(sym?.macd)
        r[9] = volumeRatio
        r[10] = momentum
        r[11] = volatility
        let month = signal.entryDate.month
        r[12] = Double(month)
        r[13] = Double((month - 1) / 3 + 1)

        let results = resultsDays[signal.symbol] ?? []
        if results.isEmpty {
            r[14] = config.resultsSeason.contains(signal.entryDate) ? 1 : 0
        } else {
            let first = FeatureEngine.firstIndex(in: results, onOrAfter: signal.entryDate.adding(days: -15))
            r[14] = first < results.count && results[first] <= signal.entryDate.adding(days: 15) ? 1 : 0
        }
        r[15] = confidence * momentum
        r[16] = volatility * momentum
        r[17] = rsi / 100 * confidence
        r[18] = flag(confidence) { $0 >= 0.7 }
        r[19] = flag(momentum) { $0 > 0 }
        r[21] = flag(volumeRatio) { $0 > 1.5 }
        r[22] = flag(rsi) { $0 < 30 }
        r[23] = flag(rsi) { $0 > 70 }
        r[24] = Double(signal.entryDate - signal.createdDay)

        var sector = nan
        if let name = infos[signal.symbol]?.sector, hasSector(name) {
            // All members' sum minus this symbol's own contribution (its bar at the feature date).
            var (sum, n) = sectorTotals(name, featureDay)
            if !momentum.isNaN, !signal.symbol.hasPrefix("^") {  // then it is a member with that bar
                sum -= momentum
                n -= 1
            }
            if n > 0 { sector = sum / Double(n) }
        }
        r[25] = sector
        switch infos[signal.symbol]?.marketCapCategory?.lowercased() {
        case "large": r[26] = 2
        case "mid": r[26] = 1
        case "small": r[26] = 0
        default: break
        }
        r[27] = at(sym?.correlation60)
        r[28] = momentum - sector
        let next = FeatureEngine.firstIndex(in: results, onOrAfter: signal.entryDate)
        if next < results.count { r[29] = Double(min(results[next] - signal.entryDate, 90)) / 90 }

        if schema.columns.count > FeatureSchema.baseColumns.count {
            let bySymbol = externals[signal.symbol]
            for (k, name) in schema.externalNames.enumerated() {
                guard let series = bySymbol?[name] else { continue }
                let after = FeatureEngine.firstIndex(in: series.days, onOrAfter: featureDay.adding(days: 1))
                if after > 0 { r[FeatureSchema.baseColumns.count + k] = series.values[after - 1] }
            }
        }
        return r
    }

    /// First position in sorted `days` whose day is on or after `day` (`days.count` if none).
    static func firstIndex(in days: [Day], onOrAfter day: Day) -> Int {
        var lo = 0, hi = days.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if days[mid] < day { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
