import Foundation
import GRDB
import TradingDomain

/// A signal as stored in a replay source, with the columns an import does not take from a
/// `Signal`: its original `source` and its `metadata` JSON text, copied verbatim.
public struct SourcedSignal: Sendable, Equatable {
    public var signal: Signal
    /// The `signals.source` value (`import`, `backfill`, `trading_db`, ...).
    public var source: String
    /// The `signals.metadata` text as stored.
    public var metadataJSON: String
    /// The day the signal is known from, see `ReplaySource.knownDay(createdAt:entryDate:)`.
    public var knownDay: Day { ReplaySource.knownDay(createdAt: signal.createdAt, entryDate: signal.entryDate) }
}

/// Rows of a replay source dated one day (a delivery) or before a day (a seeding chunk).
public struct ReplayBatch: Sendable {
    public var bars: [BarInput.Row] = []
    public var signals: [SourcedSignal] = []
    public var events: [SymbolEvent] = []
    public var externals: [ExternalValue] = []

    public init() {}

    public var isEmpty: Bool { bars.isEmpty && signals.isEmpty && events.isEmpty && externals.isEmpty }
    public var count: Int { bars.count + signals.count + events.count + externals.count }
}

/// A store file opened strictly read-only, the source of `improvementd replay`: it answers what
/// was known on a day, and never writes, migrates or checkpoints the file.
///
/// Dating rule (docs/SCHEMA.md, "Replay stores"): a bar, event or external value is known on its
/// `date`; a signal on its `knownDay`, the later of its creation day and its entry date.
public final class ReplaySource: Sendable {
    public let path: String
    /// The read-only connection (a write through it fails with SQLITE_READONLY).
    let queue: DatabaseQueue
    /// The migrations the source has applied, all known to this build.
    public let migrations: [String]
    /// Symbols having rows in `price_bars`, `events`, `external_features`: a day's rows are read
    /// by key (symbol, date) instead of scanning the tables.
    let barSymbols: [String], eventSymbols: [String], externalSymbols: [String]
    /// Signals known after their entry date (created later than they entered), by known day;
    /// every other signal is known on its entry date, read through the `signals_entry` index.
    let lateSignals: [Day: [String]]
    /// The source's strategy codes, copied with the signals so the scratch store's codes (a
    /// feature) are the source's whatever the delivery order.
    public let strategyCodes: [String: Int]

    /// Opens `path` read-only; refuses a missing file, a file that is not an improvementd store,
    /// and a store holding migrations this build does not know (written by a newer build).
    public init(path: String) throws(StoreError) {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw StoreError(.notFound, "the replay source \(path) does not exist")
        }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA query_only = 1") }
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
        } catch {
            throw StoreError(.open, "the replay source \(path) cannot be opened read-only or is not an improvementd store: \(error)")
        }
        let known = Migrations.migrator.migrations
        let opened: (applied: [String], bars: [String], events: [String], externals: [String], late: [Day: [String]], codes: [String: Int])
        do {
            opened = try queue.read { db in
                let tables: Set<String>
                do {
                    tables = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
                } catch {
                    throw StoreError(.open, "the replay source \(path) is not an improvementd store: \(error)")
                }
                guard tables.contains("grdb_migrations") else {
                    throw StoreError(.open, "the replay source \(path) is not an improvementd store (it has no grdb_migrations table)")
                }
                let applied = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
                let unknown = applied.filter { !known.contains($0) }
                guard unknown.isEmpty else {
                    throw StoreError(.open, "the replay source \(path) has a schema this build does not know (migrations \(unknown.joined(separator: ", ")); this build knows \(known.joined(separator: ", ")))")
                }
                let needed = ["symbols", "price_bars", "signals", "events", "external_features", "strategy_codes"]
                guard let first = known.first, applied.contains(first), needed.allSatisfy(tables.contains) else {
                    throw StoreError(.open, "the replay source \(path) is not an improvementd store (migration \(known.first ?? "") or its tables are missing)")
                }
                var late: [Day: [String]] = [:]
                let rows = try Row.fetchCursor(db, sql: "SELECT signal_id, created_at, entry_date FROM signals")
                while let row = try rows.next() {
                    let entryText: String = row[2]
                    guard let entry = Day(iso: entryText) else { throw StoreError(.integrity, "signals has an invalid entry_date '\(entryText)' in \(path)") }
                    let day = Self.knownDay(createdAt: row[1], entryDate: entry)
                    if day > entry { late[day, default: []].append(row[0]) }
                }
                var codes: [String: Int] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT strategy, code FROM strategy_codes") { codes[row[0]] = row[1] }
                return (
                    applied,
                    try String.fetchAll(db, sql: "SELECT DISTINCT symbol FROM price_bars ORDER BY symbol"),
                    try String.fetchAll(db, sql: "SELECT DISTINCT symbol FROM events ORDER BY symbol"),
                    try String.fetchAll(db, sql: "SELECT DISTINCT symbol FROM external_features ORDER BY symbol"),
                    late, codes
                )
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.open, "the replay source \(path) is not an improvementd store: \(error)")
        }
        migrations = opened.applied
        barSymbols = opened.bars
        eventSymbols = opened.events
        externalSymbols = opened.externals
        lateSignals = opened.late
        strategyCodes = opened.codes
    }

    /// The day a signal is known from in a replay: the later of its creation day (the date part
    /// of `created_at`, the entry date when unparsable, as `Signal.createdDay`) and its entry date.
    ///
    /// A signal created before its entry (a backfilled one is created on the close before it
    /// enters) is not delivered early: its stored entry price is the entry day's open, a price
    /// not known before that day. Features use bars before the entry date only, so they are the
    /// same either way. A signal created after its entry (imported late) is known from creation.
    public static func knownDay(createdAt: String, entryDate: Day) -> Day {
        max(Day(iso: createdAt) ?? entryDate, entryDate)
    }

    /// Runs `body` on a read snapshot of the source, mapping SQLite errors to `StoreError`.
    public func read<T>(_ what: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try queue.read(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.read, "\(what) from the replay source \(path) failed: \(error)")
        }
    }

    /// The dates of `indexSymbol`'s bars from `from` through `to` (both inclusive), ascending:
    /// the simulated trading days.
    public func tradingDays(index indexSymbol: String, from: Day, to: Day) throws(StoreError) -> [Day] {
        try read("reading the trading days of \(indexSymbol)") { db in
            try String.fetchAll(db, sql: "SELECT date FROM price_bars WHERE symbol = ? AND date >= ? AND date <= ? ORDER BY date",
                                arguments: [indexSymbol, from.iso, to.iso]).map { text in
                guard let day = Day(iso: text) else { throw StoreError(.integrity, "price_bars has an invalid date '\(text)' for \(indexSymbol) in \(path)") }
                return day
            }
        }
    }

    /// Every symbol (static reference data: all of them are copied by seeding).
    public func symbols() throws(StoreError) -> [SymbolInfo] {
        try read("reading symbols") { db in try Self.symbols(db) }
    }

    static func symbols(_ db: Database) throws -> [SymbolInfo] {
        try Row.fetchAll(db, sql: "SELECT symbol, name, sector, market_cap_category FROM symbols ORDER BY symbol").map {
            SymbolInfo(symbol: $0[0], name: $0[1], sector: $0[2], marketCapCategory: $0[3])
        }
    }

    /// Everything dated `day`: bars, signals known on `day`, events and external values.
    public func rows(on day: Day) throws(StoreError) -> ReplayBatch {
        try rows(from: day, through: day)
    }

    /// Everything dated from `first` through `last` (both inclusive; signals: known then). A
    /// replay delivers the days after the previous trading day through the current one, so rows
    /// dated on a holiday or a weekend arrive with the next trading day's close.
    public func rows(from first: Day, through last: Day) throws(StoreError) -> ReplayBatch {
        try read("reading the rows from \(first.iso) through \(last.iso)") { db in try rows(from: first, through: last, db) }
    }

    func rows(from first: Day, through last: Day, _ db: Database) throws -> ReplayBatch {
        var batch = ReplayBatch()
        guard first <= last else { return batch }
        let (a, b) = (first.iso, last.iso)
        func inRange(_ symbols: [String]) -> (String, StatementArguments) {
            ("symbol IN (\(databaseQuestionMarks(count: symbols.count))) AND date >= ? AND date <= ?", StatementArguments(symbols) + [a, b])
        }
        if !barSymbols.isEmpty {
            let (condition, arguments) = inRange(barSymbols)
            batch.bars = try fetchBars(db, where: condition, arguments: arguments)
        }
        if !eventSymbols.isEmpty {
            let (condition, arguments) = inRange(eventSymbols)
            batch.events = try fetchEvents(db, where: condition, arguments: arguments)
        }
        if !externalSymbols.isEmpty {
            let (condition, arguments) = inRange(externalSymbols)
            batch.externals = try fetchExternals(db, where: condition, arguments: arguments)
        }
        // Known in the range: entering in it and created by then, or created late in it.
        var late: [String] = []
        var day = first
        while day <= last {
            late += lateSignals[day] ?? []
            day = day.adding(days: 1)
        }
        var condition = "(entry_date >= ? AND entry_date <= ?)"
        var arguments: StatementArguments = [a, b]
        if !late.isEmpty {
            condition += " OR signal_id IN (\(databaseQuestionMarks(count: late.count)))"
            arguments += StatementArguments(late)
        }
        batch.signals = try fetchSignals(db, where: condition, arguments: arguments).filter { first <= $0.knownDay && $0.knownDay <= last }
        return batch
    }

    /// Everything dated before `day` (signals: known before it), handed to `body` in chunks of
    /// at most `chunkSize` rows of one table, read by cursors on one snapshot: the source is never
    /// held in memory. Order: bars, signals, events, external values.
    public func forEachChunk(before day: Day, chunkSize: Int = 20_000, _ body: (ReplayBatch) throws -> Void) throws(StoreError) {
        try read("reading the rows before \(day.iso)") { db in try forEachChunk(before: day, chunkSize: chunkSize, db, body) }
    }

    func forEachChunk(before day: Day, chunkSize: Int, _ db: Database, _ body: (ReplayBatch) throws -> Void) throws {
        let size = max(1, chunkSize)
        let d = day.iso
        var batch = ReplayBatch()
        func flush(force: Bool = false) throws {
            if batch.count >= size || (force && !batch.isEmpty) {
                try body(batch)
                batch = ReplayBatch()
            }
        }
        let bars = try Row.fetchCursor(db, sql: "SELECT symbol, date, open, high, low, close, volume FROM price_bars WHERE date < ? ORDER BY symbol, date", arguments: [d])
        while let row = try bars.next() {
            batch.bars.append(try Self.bar(row, path))
            try flush()
        }
        try flush(force: true)
        // entry_date < day is necessary (known day >= entry date); the creation day decides the rest.
        let signals = try Row.fetchCursor(db, sql: "\(Self.signalColumns) WHERE entry_date < ? ORDER BY entry_date, signal_id", arguments: [d])
        while let row = try signals.next() {
            let signal = try Self.signal(row, path)
            if signal.knownDay < day { batch.signals.append(signal) }
            try flush()
        }
        try flush(force: true)
        let events = try Row.fetchCursor(db, sql: "SELECT symbol, date, kind FROM events WHERE date < ? ORDER BY symbol, date, kind", arguments: [d])
        while let row = try events.next() {
            batch.events.append(try Self.event(row, path))
            try flush()
        }
        try flush(force: true)
        let externals = try Row.fetchCursor(db, sql: "SELECT symbol, date, name, value FROM external_features WHERE date < ? ORDER BY symbol, date, name", arguments: [d])
        while let row = try externals.next() {
            batch.externals.append(try Self.external(row, path))
            try flush()
        }
        try flush(force: true)
    }

    // MARK: - Rows

    private func fetchBars(_ db: Database, where condition: String, arguments: StatementArguments) throws -> [BarInput.Row] {
        try Row.fetchAll(db, sql: "SELECT symbol, date, open, high, low, close, volume FROM price_bars WHERE \(condition) ORDER BY symbol, date", arguments: arguments)
            .map { try Self.bar($0, path) }
    }

    private func fetchSignals(_ db: Database, where condition: String, arguments: StatementArguments) throws -> [SourcedSignal] {
        try Row.fetchAll(db, sql: "\(Self.signalColumns) WHERE \(condition) ORDER BY entry_date, signal_id", arguments: arguments)
            .map { try Self.signal($0, path) }
    }

    private func fetchEvents(_ db: Database, where condition: String, arguments: StatementArguments) throws -> [SymbolEvent] {
        try Row.fetchAll(db, sql: "SELECT symbol, date, kind FROM events WHERE \(condition) ORDER BY symbol, date, kind", arguments: arguments)
            .map { try Self.event($0, path) }
    }

    private func fetchExternals(_ db: Database, where condition: String, arguments: StatementArguments) throws -> [ExternalValue] {
        try Row.fetchAll(db, sql: "SELECT symbol, date, name, value FROM external_features WHERE \(condition) ORDER BY symbol, date, name", arguments: arguments)
            .map { try Self.external($0, path) }
    }

    private static func day(_ text: String, _ table: String, _ path: String) throws -> Day {
        guard let day = Day(iso: text) else { throw StoreError(.integrity, "\(table) has an invalid date '\(text)' in \(path)") }
        return day
    }

    private static func bar(_ row: Row, _ path: String) throws -> BarInput.Row {
        BarInput.Row(symbol: row[0], bar: Bar(day: try day(row[1], "price_bars", path), open: row[2], high: row[3], low: row[4], close: row[5], volume: row[6]))
    }

    private static func event(_ row: Row, _ path: String) throws -> SymbolEvent {
        SymbolEvent(symbol: row[0], day: try day(row[1], "events", path), kind: row[2])
    }

    private static func external(_ row: Row, _ path: String) throws -> ExternalValue {
        ExternalValue(symbol: row[0], day: try day(row[1], "external_features", path), name: row[2], value: row[3])
    }

    static let signalColumns = """
        SELECT signal_id, symbol, strategy, signal_type, entry_date, entry_price, target_price,
            stop_loss, confidence, created_at, metadata, source FROM signals
        """

    private static func signal(_ row: Row, _ path: String) throws -> SourcedSignal {
        let typeText: String = row[3]
        guard let type = SignalType(rawValue: typeText) else { throw StoreError(.integrity, "signals has an invalid signal_type '\(typeText)' in \(path)") }
        let metadataJSON: String = row[10]
        let object = (try? JSONSerialization.jsonObject(with: Data(metadataJSON.utf8)) as? [String: Any]) ?? [:]
        let signal = Signal(
            id: row[0], symbol: row[1], strategy: row[2], type: type, entryDate: try day(row[4], "signals", path),
            entryPrice: row[5], targetPrice: row[6], stopLoss: row[7], confidence: row[8], createdAt: row[9],
            metadata: object.mapValues { "\($0)" }
        )
        return SourcedSignal(signal: signal, source: row[11], metadataJSON: metadataJSON)
    }
}
