/// Feature rows computed symbol by symbol, so memory holds one symbol's bars and indicators
/// at a time (plus one sector's momenta while its totals are summed), never every bar.
extension FeatureEngine {
    /// One computed row: the signal, its feature date and its values in `schema.columns` order.
    public typealias StreamedRow = (signal: Signal, featureDate: Day?, values: [Double])

    /// Computes the rows of `signals` from series read one symbol at a time, bit-identical to
    /// `rows(for:)` of an engine built from every series. Build `self` with the index only
    /// (`eachSeries` yielding nothing): other symbols' series come from `series`, called once
    /// per symbol a signal is on, and once more per member of a sector those signals' symbols
    /// belong to (a member's momentum is summed at each signal's feature date, then freed).
    /// Rows go to `emit` in chunks of `chunk` (the last one may be shorter, or empty when
    /// there is no signal), symbol by symbol in sorted order, each symbol's in `signals` order.
    public func streamRows(
        for signals: [Signal], series: (String) throws -> BarSeries?, chunk: Int,
        emit: ([StreamedRow], _ last: Bool) throws -> Void
    ) throws {
        // Sector members, as an engine built from every series takes them: non-index symbols
        // with a sector, sorted. A member without bars contributes nothing to a sum, so the
        // totals equal those over the members that have bars, and a sector none of whose
        // members has bars gives NaN either way (no member counted).
        var members: [String: [String]] = [:]
        for (symbol, info) in infos where !symbol.hasPrefix("^") {
            if let sector = info.sector, !sector.isEmpty { members[sector, default: []].append(symbol) }
        }
        members = members.mapValues { $0.sorted() }
        var bySymbol: [String: [Int]] = [:]
        for (i, s) in signals.enumerated() { bySymbol[s.symbol, default: []].append(i) }

        let totals = try sectorTotals(of: signals, bySymbol: bySymbol, members: members, series: series)
        var rows: [StreamedRow] = []
        rows.reserveCapacity(min(signals.count, max(1, chunk)))
        for symbol in bySymbol.keys.sorted() {
            let sym: SymbolIndicators?
            if symbol == config.indexSymbol {
                sym = index
            } else {
                let entries = bySymbol[symbol]!.map { signals[$0].entryDate }
                sym = try series(symbol).flatMap {
                    $0.bars.isEmpty ? nil : SymbolIndicators(series: $0, index: index, correlationBefore: entries)
                }
            }
            for i in bySymbol[symbol]! {
                let s = signals[i]
                let values = row(for: s, sym: sym, hasSector: { members[$0] != nil }) { sector, day in
                    totals[SectorDay(sector: sector, day: day)] ?? (0, 0)
                }
                let featureDate = sym.flatMap { p in p.position(before: s.entryDate).map { p.days[$0] } }
                rows.append((s, featureDate, values))
                if rows.count >= max(1, chunk) {
                    try emit(rows, false)
                    rows.removeAll(keepingCapacity: true)
                }
            }
        }
        try emit(rows, true)
    }

    /// The sector totals every row of `signals` asks for, keyed by (sector, feature date): each
    /// sector's members are read (sorted), their momenta summed at the dates its signals need,
    /// and freed before the next sector.
    private func sectorTotals(
        of signals: [Signal], bySymbol: [String: [Int]], members: [String: [String]], series: (String) throws -> BarSeries?
    ) throws -> [SectorDay: (Double, Int)] {
        var signalsBySector: [String: [String]] = [:]
        for symbol in bySymbol.keys {
            if let sector = infos[symbol]?.sector, members[sector] != nil { signalsBySector[sector, default: []].append(symbol) }
        }
        var totals: [SectorDay: (Double, Int)] = [:]
        for sector in signalsBySector.keys.sorted() {
            let names = members[sector]!
            var read: [String: Momenta] = [:]
            func momenta(_ symbol: String) throws -> Momenta? {
                if let hit = read[symbol] { return hit }
                let m: Momenta?
                if symbol == config.indexSymbol {
                    m = index.map { Momenta(days: $0.days, momentum20: $0.momentum20) }
                } else {
                    m = try series(symbol).flatMap { s in
                        s.bars.isEmpty ? nil : Momenta(days: s.bars.map(\.day), momentum20: Indicators.momentum(s.bars.map(\.close), lag: 20))
                    }
                }
                read[symbol] = m ?? Momenta(days: [], momentum20: [])
                return m
            }
            for name in names { _ = try momenta(name) }
            for symbol in signalsBySector[sector]!.sorted() {
                let own = try momenta(symbol)
                for i in bySymbol[symbol]! {
                    let entry = signals[i].entryDate
                    let day = own.flatMap { o in SymbolIndicators.position(in: o.days, onOrBefore: entry.adding(days: -1)).map { o.days[$0] } }
                        ?? entry.adding(days: -1)
                    let key = SectorDay(sector: sector, day: day)
                    guard totals[key] == nil else { continue }
                    // Summed in the sorted member order, as `sectorTotals(_:_:)` does.
                    var sum = 0.0, n = 0
                    for member in names {
                        guard let p = read[member], let k = SymbolIndicators.position(in: p.days, onOrBefore: day) else { continue }
                        let m = p.momentum20[k]
                        if !m.isNaN { sum += m; n += 1 }
                    }
                    totals[key] = (sum, n)
                }
            }
        }
        return totals
    }

    /// A sector member's bar dates and 20-bar momentum: all its sector total needs.
    private struct Momenta {
        var days: [Day]
        var momentum20: [Double]
    }
}
