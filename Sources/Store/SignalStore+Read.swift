import Foundation
import GRDB
import TradingDomain

/// Reads of the market data and signals, shaped for the domain code.
extension SignalStore {
    /// Every symbol's bars (or only those of `symbols`), sorted by date.
    public func barSeries(symbols: Set<String>? = nil) throws(StoreError) -> [String: BarSeries] {
        try read("reading bars") { db in
            var bySymbol: [String: [Bar]] = [:]
            var sql = "SELECT symbol, date, open, high, low, close, volume FROM price_bars"
            var arguments = StatementArguments()
            if let symbols, symbols.count <= 500 {
                sql += " WHERE symbol IN (\(databaseQuestionMarks(count: symbols.count)))"
                arguments = StatementArguments(symbols.sorted())
            }
            let rows = try Row.fetchCursor(db, sql: sql + " ORDER BY symbol, date", arguments: arguments)
            while let row = try rows.next() {
                let symbol: String = row[0]
                let date: String = row[1]
                guard let day = Day(iso: date) else { throw StoreError(.integrity, "price_bars has an invalid date '\(date)' for \(symbol)") }
                bySymbol[symbol, default: []].append(Bar(day: day, open: row[2], high: row[3], low: row[4], close: row[5], volume: row[6]))
            }
            return Dictionary(uniqueKeysWithValues: bySymbol.map { ($0.key, BarSeries(symbol: $0.key, bars: $0.value)) })
        }
    }

    /// All signals ordered by entry date then id.
    /// Hands every symbol's bars (sorted by date) to `body`, one series at a time, so the
    /// caller never holds every bar at once.
    public func forEachBarSeries(_ body: (BarSeries) throws -> Void) throws(StoreError) {
        try read("reading bars") { db in
            let rows = try Row.fetchCursor(db, sql: "SELECT symbol, date, open, high, low, close, volume FROM price_bars ORDER BY symbol, date")
            var symbol: String?
            var bars: [Bar] = []
            while let row = try rows.next() {
                let s: String = row[0]
                if s != symbol {
                    if let symbol { try body(BarSeries(symbol: symbol, bars: bars)) }
                    symbol = s
                    bars.removeAll(keepingCapacity: true)
                }
                let date: String = row[1]
                guard let day = Day(iso: date) else { throw StoreError(.integrity, "price_bars has an invalid date '\(date)' for \(s)") }
                bars.append(Bar(day: day, open: row[2], high: row[3], low: row[4], close: row[5], volume: row[6]))
            }
            if let symbol { try body(BarSeries(symbol: symbol, bars: bars)) }
        }
    }

    public func signals() throws(StoreError) -> [Signal] {
        try read("reading signals") { db in try Self.signals(db) }
    }

    public func signalCount() throws(StoreError) -> Int {
        try read("counting signals") { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM signals") ?? 0 }
    }

    public func symbolInfos() throws(StoreError) -> [String: SymbolInfo] {
        try read("reading symbols") { db in
            var out: [String: SymbolInfo] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT symbol, name, sector, market_cap_category FROM symbols") {
                let s = SymbolInfo(symbol: row[0], name: row[1], sector: row[2], marketCapCategory: row[3])
                out[s.symbol] = s
            }
            return out
        }
    }

    public func events() throws(StoreError) -> [SymbolEvent] {
        try read("reading events") { db in
            try Row.fetchAll(db, sql: "SELECT symbol, date, kind FROM events ORDER BY symbol, date").compactMap { row in
                Day(iso: row[1] as String).map { SymbolEvent(symbol: row[0], day: $0, kind: row[2]) }
            }
        }
    }

    public func externalValues() throws(StoreError) -> [ExternalValue] {
        try read("reading external features") { db in
            try Row.fetchAll(db, sql: "SELECT symbol, date, name, value FROM external_features ORDER BY symbol, date").compactMap { row in
                Day(iso: row[1] as String).map { ExternalValue(symbol: row[0], day: $0, name: row[2], value: row[3]) }
            }
        }
    }

    public func strategyCodes() throws(StoreError) -> [String: Int] {
        try read("reading strategy codes") { db in
            var out: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT strategy, code FROM strategy_codes") { out[row[0]] = row[1] }
            return out
        }
    }

    /// The tables every status report counts, in display order.
    public static let tables = [
        "symbols", "price_bars", "signals", "outcomes", "features", "predictions", "model_versions",
        "promotions", "evaluations", "decisions", "job_runs", "events", "external_features", "strategy_codes",
    ]

    public func rowCounts() throws(StoreError) -> [String: Int] {
        try read("counting rows") { db in
            var out: [String: Int] = [:]
            for t in Self.tables { out[t] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(t)") ?? 0 }
            return out
        }
    }

    /// A digest of every row of every table: equal digests mean nothing was written.
    public func contentDigest() throws(StoreError) -> String {
        try read("digesting the store") { db in
            var hasher = FNV1a()
            for t in Self.tables {
                hasher.add(t)
                let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM \(t) ORDER BY 1, 2")
                while let row = try cursor.next() { hasher.add(row.description) }
            }
            return hasher.hex
        }
    }
}

/// A small stable 64-bit FNV-1a hash for digests that must not change between runs.
struct FNV1a {
    var value: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add(_ text: String) {
        for b in text.utf8 { value = (value ^ UInt64(b)) &* 0x100_0000_01b3 }
        value = (value ^ 0x1f) &* 0x100_0000_01b3
    }
    var hex: String { String(value, radix: 16) }
}

extension SignalStore {
    /// The date of `symbol`'s last bar, or nil.
    public func lastBarDate(_ symbol: String) throws(StoreError) -> String? {
        try read("reading the last bar date") { try String.fetchOne($0, sql: "SELECT MAX(date) FROM price_bars WHERE symbol = ?", arguments: [symbol]) }
    }

    /// The day of `symbol`'s last bar, or nil when it has none; a stored date that is not one
    /// is an integrity error, as in ``barSeries(of:from:)``.
    public func lastBarDay(_ symbol: String) throws(StoreError) -> Day? {
        guard let text = try lastBarDate(symbol) else { return nil }
        guard let day = Day(iso: text) else { throw StoreError(.integrity, "price_bars has an invalid date '\(text)' for \(symbol)") }
        return day
    }

    /// Labeled outcomes changed after labeling change `sequence`, in label order (change
    /// sequence, exit date, id): the stream the online model learns from.
    public func labeledOutcomes(afterChange sequence: Int) throws(StoreError) -> [(signalId: String, label: Int, changeSeq: Int)] {
        try read("reading new labels") { db in
            try Row.fetchAll(db, sql: """
                SELECT signal_id, outcome, change_seq FROM outcomes WHERE status = 'labeled' AND change_seq > ?
                ORDER BY change_seq, exit_date, signal_id
                """, arguments: [sequence]).map { ($0[0], $0[1], $0[2]) }
        }
    }

    /// Every probability stored for `version`, by signal id.
    public func predictions(version: Int) throws(StoreError) -> [String: Double] {
        try read("reading predictions") { db in
            var out: [String: Double] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT signal_id, probability FROM predictions WHERE model_version = ?", arguments: [version]) {
                out[row[0]] = row[1]
            }
            return out
        }
    }

    /// Labeled outcomes new or changed after labeling change `sequence` (see `lastLabelChange`).
    public func labeledCount(sinceChange sequence: Int) throws(StoreError) -> Int {
        try read("counting new labels") { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outcomes WHERE status = 'labeled' AND change_seq > ?", arguments: [sequence]) ?? 0
        }
    }
}
