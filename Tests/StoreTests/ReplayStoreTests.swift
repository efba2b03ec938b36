import Crypto
import Foundation
import GRDB
import Testing
@testable import Store
import TradingDomain

/// Source stores built from the bundled real bars (examples/data), for the replay tests.
enum ReplayFixture {
    /// The package root, found from this file's path.
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("package root not found above \(#filePath)")
    }()

    static func scratchDir() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("replay-test-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func day(_ iso: String) -> Day { Day(iso: iso)! }

    /// The trading system's extra signals: one entering on every 40th bar of YESBANK (created on
    /// entry), one created on the close before entry (a date-time), one imported 3 bars late.
    static let lateEvery = 40

    /// A source store: the bundled bars and symbols, the four built-in strategies backfilled,
    /// trading-system signals (some created after their entry), quarterly `results` events (some
    /// on weekends) and a weekly (Fridays) `turnover` external series for two symbols. With `garbageAfter`,
    /// everything dated after that day is replaced by other values: other prices (so other
    /// backfilled signals), other trading-system signals, other events and external values.
    static func buildSource(garbageAfter g: Day? = nil) throws -> String {
        let path = scratchDir().appendingPathComponent("source.sqlite").path
        let store = try SignalStore(path: path)
        func isGarbage(_ day: Day) -> Bool { g.map { day > $0 } ?? false }

        let symbolsURL = root.appendingPathComponent("examples/data/symbols.csv")
        let symbolsTable = try CSVTable.parse(try Data(contentsOf: symbolsURL), file: symbolsURL.path)
        _ = try store.upsertSymbols(ReferenceInput.symbols(symbolsTable, file: symbolsURL.path).items)

        let dir = root.appendingPathComponent("examples/data/ohlcv")
        var rows: [BarInput.Row] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() where name.hasSuffix(".csv") {
            let url = dir.appendingPathComponent(name)
            let table = try CSVTable.parse(try Data(contentsOf: url), file: url.path)
            let valid = BarInput.validate(table, file: url.path, defaultSymbol: BarInput.symbol(fromFileName: name))
            #expect(valid.rejected.isEmpty, "\(name)")
            rows += valid.items
        }
        if g != nil {
            rows = rows.map { row in
                guard isGarbage(row.bar.day) else { return row }
                // The same factor for all four prices keeps a valid bar.
                let f = 1.2 + Double((Int(row.bar.day.number) * 7 + row.symbol.utf8.count * 13) % 60) / 100
                let b = row.bar
                return BarInput.Row(symbol: row.symbol, bar: Bar(day: b.day, open: b.open * f, high: b.high * f, low: b.low * f, close: b.close * f, volume: b.volume * 3 + 1))
            }
        }
        _ = try store.upsertBars(rows)
        let series = try store.barSeries()
        _ = try store.upsertSignals(BuiltInStrategy.backfill(barsBySymbol: series), source: "backfill")

        var onEntry: [Signal] = [], late: [Signal] = []
        let yes = series["YESBANK"]!.bars
        for t in stride(from: 1, to: yes.count - 4, by: 1) where t % lateEvery == 0 || t % lateEvery == 5 || t % lateEvery == 10 {
            let kind = t % lateEvery
            let created = kind == 0 ? nil : kind == 5 ? "\(yes[t + 3].day.iso)T16:05:00" : "\(yes[t - 1].day.iso) 15:30:00"
            var s = Signal(
                id: "ts-YESBANK-\(yes[t].day.iso)", symbol: "YESBANK", strategy: "trading_system",
                type: t % 80 < 40 ? .buy : .sell, entryDate: yes[t].day, entryPrice: yes[t].open,
                confidence: 0.6, createdAt: created, metadata: ["desk": "cash", "note": "kind \(kind)"]
            )
            if isGarbage(knownDay(s)) {
                s.entryPrice *= 1.5
                s.confidence = 0.99
                s.metadata = ["desk": "garbage"]
            }
            if kind == 5 { late.append(s) } else { onEntry.append(s) }
        }
        if let g { onEntry.append(Signal(id: "garbage-only", symbol: "BHEL", strategy: "trading_system", entryDate: g.adding(days: 1), entryPrice: 1)) }
        _ = try store.upsertSignals(onEntry, source: "trading_db")
        _ = try store.upsertSignals(late, source: "import")

        var events: [SymbolEvent] = []
        let stocks = series.keys.filter { !$0.hasPrefix("^") }.sorted()
        for (i, symbol) in stocks.enumerated() {
            let bars = series[symbol]!.bars
            for year in bars.first!.day.year...bars.last!.day.year {
                for month in [1, 4, 7, 10] {
                    var day = Day(year: year, month: month, day: 12 + 2 * i)!
                    guard day >= bars.first!.day, day <= bars.last!.day else { continue }
                    if isGarbage(day) { day = day.adding(days: 3) }
                    events.append(SymbolEvent(symbol: symbol, day: day, kind: "results"))
                }
            }
        }
        if let g { events.append(SymbolEvent(symbol: "UPL", day: g.adding(days: 1), kind: "garbage")) }
        _ = try store.upsertEvents(events)

        var externals: [ExternalValue] = []
        for symbol in ["BHEL", "YESBANK"] {
            for b in series[symbol]!.bars where b.day.weekday == 5 {
                let v = b.close * b.volume / 1e7
                externals.append(ExternalValue(symbol: symbol, day: b.day, name: "turnover", value: isGarbage(b.day) ? v * 2 + 1 : v))
            }
        }
        _ = try store.upsertExternal(externals)
        // Fold the WAL into the main file, so a copy of the one file holds everything.
        try store.pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        return path
    }

    static let template: String = try! buildSource()

    /// A fresh copy of the source store (tests never share a file).
    static func sourceCopy() throws -> String {
        let path = scratchDir().appendingPathComponent("source.sqlite").path
        try FileManager.default.copyItem(atPath: template, toPath: path)
        return path
    }

    static func scratchStore() throws -> SignalStore {
        try SignalStore(path: scratchDir().appendingPathComponent("scratch.sqlite").path)
    }

    static func sha256(_ path: String) throws -> String {
        SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))).map { String(format: "%02x", $0) }.joined()
    }

    /// The content of each replayed table (wall-clock columns `imported_at`, `updated_at` left
    /// out), as a SHA-256 of its rows in key order.
    static let contentQueries: [String: String] = [
        "price_bars": "SELECT symbol, date, open, high, low, close, volume FROM price_bars ORDER BY symbol, date",
        "signals": "SELECT signal_id, symbol, strategy, signal_type, entry_date, entry_price, target_price, stop_loss, confidence, created_at, metadata, source FROM signals ORDER BY signal_id",
        "events": "SELECT symbol, date, kind FROM events ORDER BY symbol, date, kind",
        "external_features": "SELECT symbol, date, name, value FROM external_features ORDER BY symbol, date, name",
        "symbols": "SELECT symbol, name, sector, market_cap_category, is_index FROM symbols ORDER BY symbol",
        "strategy_codes": "SELECT strategy, code FROM strategy_codes ORDER BY strategy",
    ]

    static func digest(_ db: Database, tables: [String] = contentQueries.keys.sorted()) throws -> [String: String] {
        var out: [String: String] = [:]
        for table in tables {
            var hash = SHA256()
            var n = 0
            let rows = try Row.fetchCursor(db, sql: contentQueries[table]!)
            while let row = try rows.next() {
                hash.update(data: Data((row.databaseValues.map { "\($0)" }.joined(separator: "|") + "\n").utf8))
                n += 1
            }
            out[table] = "\(n) rows " + hash.finalize().map { String(format: "%02x", $0) }.joined()
        }
        return out
    }

    static func digest(_ store: SignalStore, tables: [String] = contentQueries.keys.sorted()) throws -> [String: String] {
        try store.read("digest") { try digest($0, tables: tables) }
    }

    /// The delivery ranges of a replay from `first` through `last`: at each trading day's close,
    /// the days after the previous trading day through it.
    static func deliveryRanges(_ source: ReplaySource, from first: Day, through last: Day) throws -> [ClosedRange<Day>] {
        var previous = first.adding(days: -1)
        return try source.tradingDays(index: "^NSEI", from: first, to: last).map { day in
            defer { previous = day }
            return previous.adding(days: 1)...day
        }
    }

    /// The documented rule (docs/SCHEMA.md, "Replay stores"), written out here again.
    static func knownDay(_ s: Signal) -> Day { max(s.createdDay, s.entryDate) }

    /// Every signal of a source with its known day, by the documented rule, computed here.
    static func knownDays(_ source: ReplaySource) throws -> [String: Day] {
        try source.read("") { db in
            var out: [String: Day] = [:]
            for s in try SignalStore.signals(db) { out[s.id] = knownDay(s) }
            return out
        }
    }
}


@Suite struct ReplayStoreTests {
    @Test func theSourceIsReadOnlyAndItsBytesNeverChange() throws {
        let path = try ReplayFixture.sourceCopy()
        let before = try ReplayFixture.sha256(path)
        let source = try ReplaySource(path: path)
        #expect(throws: (any Error).self) {
            try source.queue.write { try $0.execute(sql: "DELETE FROM price_bars") }
        }
        #expect(throws: (any Error).self) {
            try source.queue.inDatabase { try $0.execute(sql: "INSERT INTO settings (key, value) VALUES ('x', 'y')") }
        }
        let scratch = try ReplayFixture.scratchStore()
        let d0 = ReplayFixture.day("2022-03-01")
        try scratch.seed(from: source, before: d0)
        for range in try ReplayFixture.deliveryRanges(source, from: d0, through: ReplayFixture.day("2022-03-31")) {
            try scratch.deliver(range, from: source)
        }
        #expect(try scratch.read("") { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM price_bars") }! > 10_000)
        #expect(try ReplayFixture.sha256(path) == before)
    }

    @Test func seedingHoldsNothingFromTheDayOnAndADeliveryAddsExactlyThatDay() throws {
        let source = try ReplaySource(path: try ReplayFixture.sourceCopy())
        let known = try ReplayFixture.knownDays(source)
        // Days of 2022 on which, each, bars and signals are dated and also: a signal created
        // after its entry, results events, external values.
        let days = try source.tradingDays(index: "^NSEI", from: ReplayFixture.day("2022-01-01"), to: ReplayFixture.day("2022-12-31"))
        var checked: [Day] = []
        for want in [{ (b: ReplayBatch, day: Day) in b.signals.contains { $0.signal.entryDate < day } },
                     { (b: ReplayBatch, _: Day) in !b.events.isEmpty }, { (b: ReplayBatch, _: Day) in !b.externals.isEmpty }] {
            let found = try days.first { day in
                let b = try source.rows(on: day)
                return day > (checked.last ?? days[0]) && !b.bars.isEmpty && !b.signals.isEmpty && want(b, day)
            }
            checked.append(try #require(found))
        }
        let d = checked[0]

        let scratch = try ReplayFixture.scratchStore()
        let seeded = try scratch.seed(from: source, before: d)
        for (table, column) in [("price_bars", "date"), ("events", "date"), ("external_features", "date")] {
            let late = try scratch.read("") { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM \(table) WHERE \(column) >= ?", arguments: [d.iso]) }
            #expect(late == 0, "\(table)")
            let expected = try source.read("") { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM \(table) WHERE \(column) < ?", arguments: [d.iso]) }
            let got = try scratch.read("") { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM \(table)") }
            #expect(got == expected, "\(table)")
        }
        let seededSignals = try scratch.signals()
        #expect(seededSignals.allSatisfy { known[$0.id]! < d })
        #expect(Set(seededSignals.map(\.id)) == Set(known.filter { $0.value < d }.keys))
        #expect(seeded.bars.written > 0 && seeded.signals.written == seededSignals.count)

        func keys(_ store: SignalStore? = nil, _ sql: String, on day: Day? = nil) throws -> Set<String> {
            let read = { (db: Database) throws -> Set<String> in
                Set(try Row.fetchAll(db, sql: sql, arguments: day.map { [$0.iso] } ?? []).map { $0.databaseValues.map { "\($0)" }.joined(separator: "|") })
            }
            if let store { return try store.read("", read) }
            return try source.read("", read)
        }
        let barsSQL = "SELECT symbol, date, open, high, low, close, volume FROM price_bars"
        let eventsSQL = "SELECT symbol, date, kind FROM events"
        let externalSQL = "SELECT symbol, date, name, value FROM external_features"
        var delivered = DeliveryCount()
        for (i, day) in checked.enumerated() {
            if i > 0 { try scratch.deliver(checked[i - 1].adding(days: 1)...day.adding(days: -1), from: source) }
            let barsBefore = try keys(scratch, barsSQL), eventsBefore = try keys(scratch, eventsSQL), externalBefore = try keys(scratch, externalSQL)
            let signalsBefore = Set(try scratch.signals().map(\.id))
            delivered = try scratch.deliver(day, from: source)
            #expect(try keys(scratch, barsSQL).subtracting(barsBefore) == keys(nil, barsSQL + " WHERE date = ?", on: day))
            #expect(try keys(scratch, eventsSQL).subtracting(eventsBefore) == keys(nil, eventsSQL + " WHERE date = ?", on: day))
            #expect(try keys(scratch, externalSQL).subtracting(externalBefore) == keys(nil, externalSQL + " WHERE date = ?", on: day))
            let signalsAfter = Set(try scratch.signals().map(\.id))
            #expect(signalsAfter.subtracting(signalsBefore) == Set(known.filter { $0.value == day }.keys))
            #expect(signalsAfter.isSuperset(of: signalsBefore))
            #expect(delivered.bars.written == (try keys(nil, barsSQL + " WHERE date = ?", on: day)).count)
            #expect(delivered.signals.written == known.values.filter { $0 == day }.count)
            #expect(delivered.recomputesAllFeatures == (delivered.events.written + delivered.externals.written > 0))
            #expect(try scratch.read("") { try String.fetchOne($0, sql: "SELECT MAX(date) FROM price_bars") } == day.iso)
            #expect(try scratch.signals().allSatisfy { known[$0.id]! <= day })
        }
        #expect(delivered.externals.written > 0)
        let d2 = checked.last!
        // The signals keep their source column.
        let sources = try scratch.read("") { try String.fetchAll($0, sql: "SELECT DISTINCT source FROM signals ORDER BY source") }
        #expect(sources == ["backfill", "import", "trading_db"])
        // Delivering the same day again changes nothing.
        let again = try scratch.deliver(d2, from: source)
        #expect(again.bars.written == 0 && again.signals.written == 0 && again.events.written == 0 && again.externals.written == 0)
        #expect(again.bars.unchanged == delivered.bars.written)
    }

    @Test func dayByDayDeliveryEqualsOneSeedOfTheWholePeriod() throws {
        let source = try ReplaySource(path: try ReplayFixture.sourceCopy())
        let d0 = ReplayFixture.day("2021-10-01"), d1 = ReplayFixture.day("2022-01-31")
        let daily = try ReplayFixture.scratchStore()
        try daily.seed(from: source, before: d0)
        var previous = d0.adding(days: -1)
        for range in try ReplayFixture.deliveryRanges(source, from: d0, through: d1) {
            #expect(range.lowerBound == previous.adding(days: 1))
            previous = range.upperBound
            try daily.deliver(range, from: source)
        }
        // Through the last calendar day, so the ranges cover every day of the period.
        if previous < d1 { try daily.deliver(previous.adding(days: 1)...d1, from: source) }
        let once = try ReplayFixture.scratchStore()
        try once.seed(from: source, before: d1.adding(days: 1), chunkSize: 777)
        let a = try ReplayFixture.digest(daily), b = try ReplayFixture.digest(once)
        #expect(a == b)
        // The period added rows: the comparison is not of two copies of the seed.
        let seedOnly = try ReplayFixture.scratchStore()
        try seedOnly.seed(from: source, before: d0)
        #expect(try ReplayFixture.digest(seedOnly)["price_bars"] != a["price_bars"])
        #expect(try ReplayFixture.digest(seedOnly)["signals"] != a["signals"])
    }

    @Test func strategyCodesAreTheSourcesWhateverTheDeliveryOrder() throws {
        let source = try ReplaySource(path: try ReplayFixture.sourceCopy())
        let scratch = try ReplayFixture.scratchStore()
        // The strategies first fire one by one over 2016, in another order than their names'.
        let first = ReplayFixture.day("2016-04-01")
        try scratch.seed(from: source, before: first)
        for range in try ReplayFixture.deliveryRanges(source, from: first, through: ReplayFixture.day("2016-12-31")) {
            try scratch.deliver(range, from: source)
        }
        let codes = try scratch.strategyCodes()
        #expect(codes.count == source.strategyCodes.count)
        #expect(codes == source.strategyCodes)
    }

    @Test func garbageAfterTheLastDeliveredDayChangesNothing() throws {
        let real = try ReplaySource(path: try ReplayFixture.sourceCopy())
        // The last delivered day g: one on whose close a strategy fired, so a backfilled signal
        // created on g enters after it, at a price the garbage source changes.
        let fired = try real.read("") { db in
            try String.fetchOne(db, sql: """
                SELECT substr(created_at, 1, 10) AS d FROM signals
                WHERE source = 'backfill' AND d >= '2023-06-01' AND entry_date > d ORDER BY d LIMIT 1
                """)
        }
        let g = try #require(fired.flatMap { Day(iso: $0) })
        let garbage = try ReplaySource(path: try ReplayFixture.buildSource(garbageAfter: g))
        // The garbage is real: bars and signals after g differ.
        let next = try #require(try real.tradingDays(index: "^NSEI", from: g.adding(days: 1), to: g.adding(days: 10)).first)
        #expect(try real.rows(on: next).bars != garbage.rows(on: next).bars)
        let allReal = try real.read("") { try ReplayFixture.digest($0) }, allGarbage = try garbage.read("") { try ReplayFixture.digest($0) }
        for table in ["price_bars", "signals", "events", "external_features"] { #expect(allReal[table] != allGarbage[table], "\(table)") }

        let d0 = ReplayFixture.day("2023-05-15")
        var stores: [SignalStore] = []
        for source in [real, garbage] {
            let scratch = try ReplayFixture.scratchStore()
            try scratch.seed(from: source, before: d0)
            for range in try ReplayFixture.deliveryRanges(source, from: d0, through: g) { try scratch.deliver(range, from: source) }
            stores.append(scratch)
        }
        #expect(try ReplayFixture.digest(stores[0]) == ReplayFixture.digest(stores[1]))
        // One day further, the garbage shows.
        for (store, source) in zip(stores, [real, garbage]) { try store.deliver(g.adding(days: 1)...next, from: source) }
        #expect(try ReplayFixture.digest(stores[0])["price_bars"] != ReplayFixture.digest(stores[1])["price_bars"])
    }

    @Test func aDeliveryMarksItsSymbolsDateAndSignalsForRecomputation() throws {
        let source = try ReplaySource(path: try ReplayFixture.sourceCopy())
        let days = try source.tradingDays(index: "^NSEI", from: ReplayFixture.day("2024-02-01"), to: ReplayFixture.day("2024-12-31"))
        // A day with bars and signals but no events or external values dated on it, before a
        // day with events.
        let quiet = try days.first { day in
            let b = try source.rows(on: day)
            return !b.signals.isEmpty && b.events.isEmpty && b.externals.isEmpty
        }
        let plain = try #require(quiet)
        let scratch = try ReplayFixture.scratchStore()
        try scratch.seed(from: source, before: plain.adding(days: -5))
        try scratch.deliver(plain.adding(days: -5)...plain.adding(days: -1), from: source)
        func catchUp() throws {
            let (labels, _) = try scratch.signalsToRelabel(horizonDays: 20, indexSymbol: "^NSEI", fingerprint: "f")
            let (features, _) = try scratch.signalsToRecompute(fingerprint: "f")
            try scratch.write("") { db in
                try SignalStore.consume(labels, fingerprint: "f", db)
                try SignalStore.consume(features, fingerprint: "f", db)
            }
        }
        try catchUp()
        #expect(try scratch.signalsToRecompute(fingerprint: "f").0.isEmpty)

        // A source without events and external values on that day: bars and signals marks only.
        let expected = try source.rows(on: plain)
        let count = try scratch.deliver(plain, from: source)
        #expect(!count.recomputesAllFeatures)
        let (labels, relabel) = try scratch.signalsToRelabel(horizonDays: 20, indexSymbol: "^NSEI", fingerprint: "f")
        let (features, recompute) = try scratch.signalsToRecompute(fingerprint: "f")
        let barsFrom = Dictionary(uniqueKeysWithValues: expected.bars.map { ($0.symbol, plain) })
        #expect(!barsFrom.isEmpty)
        for dirty in [labels, features] {
            #expect(!dirty.all)
            #expect(dirty.barsFrom == barsFrom)
            #expect(dirty.signalCount == expected.signals.count)
        }
        let ids = Set(expected.signals.map(\.signal.id))
        #expect(ids.isSubset(of: Set(relabel.map(\.id))) && ids.isSubset(of: Set(recompute.map(\.id))))
        try catchUp()

        // A day with an event: every feature row is marked, labels only by bars and signals.
        let nextEvent = try days.first { day in try day > plain && !source.rows(on: day).events.isEmpty }
        let eventful = try #require(nextEvent)
        let withEvents = try scratch.deliver(plain.adding(days: 1)...eventful, from: source)
        #expect(withEvents.recomputesAllFeatures && withEvents.events.written > 0)
        #expect(try scratch.signalsToRecompute(fingerprint: "f").0.all)
        #expect(try !scratch.signalsToRelabel(horizonDays: 20, indexSymbol: "^NSEI", fingerprint: "f").0.all)
    }

    @Test func replayWritesGiveTheRowsAndMarksOfTheImporters() throws {
        let source = try ReplaySource(path: try ReplayFixture.sourceCopy())
        let batch = try source.rows(from: ReplayFixture.day("2020-04-01"), through: ReplayFixture.day("2020-04-30"))
        #expect(!batch.bars.isEmpty && !batch.signals.isEmpty && !batch.events.isEmpty && !batch.externals.isEmpty)
        let imported = try ReplayFixture.scratchStore()
        _ = try imported.upsertSymbols(try source.symbols())
        _ = try imported.upsertBars(batch.bars)
        for (name, group) in Dictionary(grouping: batch.signals, by: \.source) {
            _ = try imported.upsertSignals(group.map(\.signal), source: name)
        }
        _ = try imported.upsertEvents(batch.events)
        _ = try imported.upsertExternal(batch.externals)
        let replayed = try ReplayFixture.scratchStore()
        try replayed.write("") { db in
            var count = DeliveryCount()
            _ = try SignalStore.upsertSymbols(try source.symbols(), in: db)
            try SignalStore.replayWrite(batch, codes: source.strategyCodes, into: &count, db)
        }
        // Strategy codes are left out: a replay takes the source's, an import numbers them.
        let tables = ["price_bars", "signals", "events", "external_features", "symbols"]
        #expect(try ReplayFixture.digest(imported, tables: tables) == ReplayFixture.digest(replayed, tables: tables))
        func marks(_ store: SignalStore) throws -> [String] {
            try store.read("") { db in
                try Row.fetchAll(db, sql: "SELECT consumer, symbol, from_date FROM dirty_bars ORDER BY 1, 2").map { "\($0[0] as String) \($0[1] as String) \($0[2] as String)" }
                    + Row.fetchAll(db, sql: "SELECT consumer, signal_id FROM dirty_signals ORDER BY 1, 2").map { "\($0[0] as String) \($0[1] as String)" }
            }
        }
        #expect(try marks(imported) == marks(replayed))
        #expect(try marks(replayed).count > batch.signals.count)
    }

    @Test func aMissingFileANonStoreAndAnUnknownSchemaAreRefusedByPath() throws {
        let dir = ReplayFixture.scratchDir()
        let missing = dir.appendingPathComponent("nowhere.sqlite").path
        let notFound = #expect(throws: StoreError.self) { try ReplaySource(path: missing) }
        #expect(notFound?.code == .notFound)
        #expect(notFound?.message.contains(missing) == true)
        #expect(!FileManager.default.fileExists(atPath: missing))

        let csv = ReplayFixture.root.appendingPathComponent("examples/data/symbols.csv").path
        let text = dir.appendingPathComponent("symbols.sqlite").path
        try FileManager.default.copyItem(atPath: csv, toPath: text)
        let notStore = #expect(throws: StoreError.self) { try ReplaySource(path: text) }
        #expect(notStore?.message.contains(text) == true)
        #expect(notStore?.message.contains("not an improvementd store") == true)

        let other = dir.appendingPathComponent("other.sqlite").path
        try DatabaseQueue(path: other).write { try $0.execute(sql: "CREATE TABLE t (x)") }
        let otherError = #expect(throws: StoreError.self) { try ReplaySource(path: other) }
        #expect(otherError?.message.contains(other) == true)
        #expect(otherError?.message.contains("grdb_migrations") == true)

        let newer = try ReplayFixture.sourceCopy()
        try DatabaseQueue(path: newer).write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-a-newer-build')") }
        let newerError = #expect(throws: StoreError.self) { try ReplaySource(path: newer) }
        #expect(newerError?.message.contains(newer) == true)
        #expect(newerError?.message.contains("v99-from-a-newer-build") == true)
    }

    /// Replays 2024 as the driver will: the seeding time, the time of a delivery, and how many
    /// deliveries mark every feature row (an events or external import does).
    @Test func aSimulatedYearCountsTheFullFeatureRecomputes() throws {
        let source = try ReplaySource(path: try ReplayFixture.sourceCopy())
        let first = ReplayFixture.day("2024-01-01"), last = ReplayFixture.day("2024-12-31")
        let scratch = try ReplayFixture.scratchStore()
        let clock = ContinuousClock()
        let seedTime = try clock.measure { try scratch.seed(from: source, before: first) }
        var full = 0, eventDays = 0, externalDays = 0, times: [Duration] = []
        var expectedFull = 0, expectedEvents = 0
        let ranges = try ReplayFixture.deliveryRanges(source, from: first, through: last)
        for range in ranges {
            var count = DeliveryCount()
            times.append(try clock.measure { count = try scratch.deliver(range, from: source) })
            if count.recomputesAllFeatures { full += 1 }
            if count.events.written > 0 { eventDays += 1 }
            if count.externals.written > 0 { externalDays += 1 }
            let (e, x) = try source.read("") { db in
                (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events WHERE date BETWEEN ? AND ?", arguments: [range.lowerBound.iso, range.upperBound.iso])!,
                 try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM external_features WHERE date BETWEEN ? AND ?", arguments: [range.lowerBound.iso, range.upperBound.iso])!)
            }
            if e + x > 0 { expectedFull += 1 }
            if e > 0 { expectedEvents += 1 }
        }
        #expect(full == expectedFull)
        #expect(eventDays == expectedEvents)
        let sorted = times.sorted()
        print("replay 2024: \(ranges.count) deliveries; full feature recomputes \(full) (with results events \(eventDays), with external values \(externalDays)); seed before 2024 \(seedTime); delivery median \(sorted[sorted.count / 2]), max \(sorted.last!)")
    }
}
