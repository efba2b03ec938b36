import Foundation
import Testing
@testable import UseCases
import Store
import TradingDomain

/// Labels and features through the store, on the real bundled data (issue 3).
@Suite struct PipelineTests {
    @Test func backfillIsIdempotentAndLabelsEveryStrategy() throws {
        let app = try TestSupport.realApp()
        let again = try app.backfill.run(BuiltInStrategy.allCases)
        #expect(again.written == 0 && again.unchanged > 1500)
        let summaries = try app.labeling.strategySummaries()
        #expect(Set(summaries.map(\.strategy)) == Set(BuiltInStrategy.allCases.map(\.rawValue)))
        for s in summaries {
            #expect(s.success > 20 && s.failure > 20, "\(s.strategy)")
            #expect(s.success + s.failure + s.pending + s.expired == s.signals)
        }
        // Re-labeling the same bars changes nothing.
        #expect(try app.labeling.label().changed == 0)
        #expect(try app.features.compute().changed == 0)
    }

    @Test func aCorrectedBarRelabelsTheSignalsWhoseWindowHoldsIt() throws {
        let app = try TestSupport.realApp()
        let outcomes = try app.store.outcomes()
        let bars = try app.store.barSeries()
        // A BUY that failed on an intraday wick through its stop (open and close above it).
        let victim = try #require(try app.store.signals().first { s in
            guard s.type == .buy, let o = outcomes[s.id], o.hitStop, let exit = o.exitDate,
                  let bar = bars[s.symbol]?.bars.first(where: { $0.day == exit }) else { return false }
            return min(bar.open, bar.close) > app.labeling.labelConfig.stop(for: s) && exit > s.entryDate
        })
        let before = try #require(outcomes[victim.id])
        let exitBar = try #require(bars[victim.symbol]?.bars.first { $0.day == before.exitDate })
        // The data vendor corrects that bar: the wick was a bad print.
        var fixed = exitBar
        fixed.low = min(exitBar.open, exitBar.close)
        _ = try app.store.upsertBars([BarInput.Row(symbol: victim.symbol, bar: fixed)])
        let report = try app.labeling.label()
        #expect(report.changed >= 1)
        let after = try #require(try app.store.outcomes()[victim.id])
        #expect(after.exitDate != before.exitDate || after.label != before.label)
        // Signals whose window does not hold the bar keep their outcome.
        let byId = Dictionary(uniqueKeysWithValues: try app.store.signals().map { ($0.id, $0) })
        for (id, o) in try app.store.outcomes() where id != victim.id {
            guard let s = byId[id], s.symbol == victim.symbol else { continue }
            if exitBar.day < s.entryDate || exitBar.day > s.entryDate.adding(days: 30) { #expect(o == outcomes[id]!) }
        }
    }

    /// Labels and features are recomputed only for the signals a change reaches. After rounds of
    /// real bars arriving, vendor corrections of old stock and index bars, new, changed and
    /// directly inserted signals and a new results event, every outcome and feature row equals
    /// a full recomputation of the same store; and a round that only appends bars recomputes
    /// only the signals it can reach.
    @Test func incrementalRunsEqualAFullRecomputation() throws {
        let all = try TestSupport.realApp().store.barSeries()
        let app = try TestSupport.app()
        _ = try app.importer.run(.symbols, paths: [TestSupport.symbolsCSV], skipInvalid: false)
        func reveal(_ from: Day?, _ to: Day) throws {
            let rows = all.flatMap { name, series in
                series.bars.filter { bar in bar.day <= to && (from.map { $0 < bar.day } ?? true) }.map { BarInput.Row(symbol: name, bar: $0) }
            }
            _ = try app.store.upsertBars(rows)
        }
        func correct(_ symbol: String, _ day: Day, by factor: Double) throws {
            var bar = try #require(all[symbol]?.bars.first { $0.day >= day })
            bar.low *= factor
            bar.close = max(bar.low, min(bar.high, bar.close * (factor + 1) / 2))
            _ = try app.store.upsertBars([BarInput.Row(symbol: symbol, bar: bar)])
        }
        var cutoff = Day(iso: "2022-06-30")!
        try reveal(nil, cutoff)
        _ = try app.backfill.run(BuiltInStrategy.allCases)
        let first = try app.labeling.label()
        #expect(first.recomputed == first.signals && first.pending > 0)
        #expect(try app.features.compute().recomputed == first.signals)
        // Nothing changed: nothing is recomputed.
        #expect(try app.labeling.label().recomputed == 0)
        #expect(try app.features.compute().recomputed == 0)

        // Five trading weeks arrive: only signals still open or entering after them are reached.
        try reveal(cutoff, cutoff.adding(days: 35))
        cutoff = cutoff.adding(days: 35)
        let appended = try app.labeling.label()
        #expect(appended.recomputed > 0 && appended.recomputed < appended.signals / 5)
        #expect(appended.changed > 0)
        #expect(try app.features.compute().recomputed == 0) // no signal enters after the new bars yet

        let symbols = all.keys.filter { !$0.hasPrefix("^") }.sorted()
        for round in 0..<3 {
            try reveal(cutoff, cutoff.adding(days: 45))
            cutoff = cutoff.adding(days: 45)
            _ = try app.backfill.run(BuiltInStrategy.allCases)
            // Vendor corrections: an old stock bar, a recent one, an index bar.
            try correct(symbols[round * 3 % symbols.count], Day(iso: "2019-03-01")!.adding(days: round * 97), by: 0.93)
            try correct(symbols[(round * 3 + 1) % symbols.count], cutoff.adding(days: -20), by: 0.95)
            try correct(app.config.indexSymbol, cutoff.adding(days: -60 - round * 11), by: 0.97)
            // A signal changed by the trading system, and one inserted into the table directly.
            var changed = try #require(try app.store.signals().dropFirst(round * 50).first)
            changed.entryPrice *= 1.02
            _ = try app.store.upsertSignals([changed], source: "test")
            let symbol = symbols[(round + 5) % symbols.count]
            let entry = try #require(all[symbol]?.bars.last { $0.day <= cutoff.adding(days: -3) })
            try app.store.pool.write { db in
                try db.execute(sql: """
                    INSERT INTO signals (signal_id, symbol, strategy, signal_type, entry_date, entry_price, created_at, imported_at)
                    VALUES (?, ?, 'direct', 'SELL', ?, ?, ?, '2026-01-01T00:00:00Z')
                    """, arguments: ["direct-\(round)", symbol, entry.day.iso, entry.open, entry.day.iso])
            }
            if round == 1 {
                _ = try app.store.upsertEvents([SymbolEvent(symbol: symbol, day: cutoff.adding(days: -100), kind: "results")])
            }
            _ = try app.labeling.label()
            _ = try app.features.compute()
        }

        let outcomes = try app.store.outcomes()
        let schema = try app.features.compute().schemaHash
        let features = try app.store.features(schemaHash: schema).mapValues { $0.values.map(\.bitPattern) }
        #expect(outcomes["direct-2"]?.status != nil && features["direct-2"] != nil)
        let full = try app.labeling.label(full: true)
        let fullFeatures = try app.features.compute()
        #expect(full.recomputed == full.signals && fullFeatures.recomputed == full.signals)
        #expect(full.changed == 0, "a full relabel changed \(full.changed) outcomes the incremental runs had missed")
        #expect(fullFeatures.changed == 0, "a full recomputation changed \(fullFeatures.changed) feature rows")
        #expect(try app.store.outcomes() == outcomes)
        #expect(try app.store.features(schemaHash: schema).mapValues { $0.values.map(\.bitPattern) } == features)
        // Computed afresh and written in many small chunks, the rows are the same too.
        try app.store.pool.write { try $0.execute(sql: "DELETE FROM features") }
        let chunked = try app.features.compute(full: true, chunk: 97)
        #expect(chunked.recomputed == full.signals && chunked.changed == full.signals && chunked.rows == full.signals)
        #expect(try app.store.features(schemaHash: schema).mapValues { $0.values.map(\.bitPattern) } == features)
        #expect(try app.features.compute().recomputed == 0)
    }

    /// A signal or bar changed while a run computes keeps its mark: the run consumes only the
    /// marks it read, so the next run picks the change up.
    @Test func aChangeDuringARunIsNotLost() throws {
        let app = try TestSupport.realApp()
        let signal = try #require(try app.store.signals().last)
        var changed = signal
        changed.entryPrice *= 1.01
        _ = try app.store.upsertSignals([changed], source: "test")
        let (dirty, reached) = try app.store.signalsToRelabel(horizonDays: 30, indexSymbol: "^NSEI", fingerprint: app.labeling.labelFingerprint)
        #expect(reached.map(\.id) == [signal.id])
        // Meanwhile the trading system changes the signal again, and a bar is corrected.
        changed.entryPrice *= 1.01
        _ = try app.store.upsertSignals([changed], source: "test")
        var bar = try #require(try app.store.barSeries()[signal.symbol]?.bars.last)
        bar.volume += 1
        _ = try app.store.upsertBars([BarInput.Row(symbol: signal.symbol, bar: bar)])
        _ = try app.store.upsertOutcomes([], consuming: dirty, fingerprint: app.labeling.labelFingerprint)
        let (again, reachedAgain) = try app.store.signalsToRelabel(horizonDays: 30, indexSymbol: "^NSEI", fingerprint: app.labeling.labelFingerprint)
        #expect(again.signalCount == 1 && again.barsFrom[signal.symbol] == bar.day)
        #expect(reachedAgain.contains { $0.id == signal.id })
        #expect(try app.labeling.label().recomputed == reachedAgain.count)
        #expect(try app.labeling.label().recomputed == 0)
    }

    @Test func pendingSignalIsLabeledOnceItsBarsArrive() throws {
        let dir = TestSupport.scratch()
        let app = try TestSupport.app(dir)
        // Real MARICO and index bars up to 2024-06-28, a signal on 2024-06-20.
        let all = try String(contentsOfFile: TestSupport.ohlcv + "/MARICO.csv", encoding: .utf8).split(separator: "\n")
        let index = try String(contentsOfFile: TestSupport.ohlcv + "/^NSEI.csv", encoding: .utf8).split(separator: "\n")
        func upTo(_ lines: [Substring], _ last: String) -> String {
            ([String(lines[0])] + lines.dropFirst().filter { $0.prefix(10) <= last }.map(String.init)).joined(separator: "\n") + "\n"
        }
        let early = dir.appendingPathComponent("early")
        try FileManager.default.createDirectory(at: early, withIntermediateDirectories: true)
        _ = TestSupport.write(upTo(Array(all), "2024-06-28"), to: early, name: "MARICO.csv")
        _ = TestSupport.write(upTo(Array(index), "2024-06-28"), to: early, name: "^NSEI.csv")
        _ = try app.importer.run(.bars, paths: [early.path], skipInvalid: false)
        let signals = TestSupport.write("signal_id,symbol,strategy,entry_date,entry_price,target_price,stop_loss\np1,MARICO,test,2024-06-20,600,700,500\n", to: dir, name: "s.csv")
        _ = try app.importer.run(.signals, paths: [signals], skipInvalid: false)
        #expect(try app.labeling.label().pending == 1)
        #expect(try app.store.outcomes()["p1"]?.status == .pending)
        _ = try app.importer.run(.bars, paths: [TestSupport.ohlcv + "/MARICO.csv", TestSupport.ohlcv + "/^NSEI.csv"], skipInvalid: false)
        let report = try app.labeling.label()
        #expect(report.pending == 0 && report.changed == 1)
        let o = try #require(try app.store.outcomes()["p1"])
        #expect(o.status == .labeled && o.exitDate != nil)
    }

    /// A full run through the store (bars read symbol by symbol) stores the outcomes and
    /// feature rows of the in-memory path (every series at once: `TripleBarrier.label` over all
    /// bars, `FeatureEngine(barsBySymbol:)`), bit for bit, on the bundled data with shared
    /// sectors, a sector member without bars, an event and an external series.
    @Test func aFullRunEqualsTheInMemoryPath() throws {
        let app = try TestSupport.realApp()
        var infos = try app.store.symbolInfos()
        for (i, symbol) in infos.keys.sorted().enumerated() where !symbol.hasPrefix("^") { infos[symbol]?.sector = i % 2 == 0 ? "even" : "odd" }
        infos["NOBARS"] = SymbolInfo(symbol: "NOBARS", sector: "even")
        _ = try app.store.upsertSymbols(Array(infos.values))
        _ = try app.store.upsertEvents([SymbolEvent(symbol: "UPL", day: Day(iso: "2021-05-20")!, kind: "results")])
        let bars = try app.store.barSeries()
        _ = try app.store.upsertExternal(bars["BHEL"]!.bars.enumerated().compactMap { k, b in
            k % 3 == 0 ? ExternalValue(symbol: "BHEL", day: b.day, name: "ext", value: Double(k)) : nil
        })
        let index = try #require(bars[app.config.indexSymbol]).bars
        _ = try app.store.upsertSignals([
            Signal(id: "nobars", symbol: "NOBARS", strategy: "manual", entryDate: index[900].day, entryPrice: 10),
            Signal(id: "index", symbol: app.config.indexSymbol, strategy: "manual", entryDate: index[1200].day, entryPrice: index[1200].close),
        ], source: "test")
        let signals = try app.store.signals()
        let labels = try app.labeling.label(full: true)
        let report = try app.features.compute(chunk: 113)
        #expect(labels.recomputed == signals.count && report.recomputed == signals.count)

        let expectedOutcomes = TripleBarrier.label(signals, barsBySymbol: bars, indexSymbol: app.config.indexSymbol, config: app.labeling.labelConfig)
        let stored = try app.store.outcomes()
        #expect(stored.count == signals.count)
        for o in expectedOutcomes { #expect(stored[o.signalId] == o, "\(o.signalId)") }
        let engine = FeatureEngine(
            barsBySymbol: bars, symbols: try app.store.symbolInfos(), events: try app.store.events(),
            externals: try app.store.externalValues(), strategyCodes: try app.store.strategyCodes(), config: app.features.featureConfig
        )
        #expect(report.schemaHash == engine.schema.hash)
        let rows = try app.store.features(schemaHash: engine.schema.hash)
        #expect(rows.count == signals.count)
        var sectors = 0
        for (s, expected) in zip(signals, engine.rows(for: signals)) {
            let row = try #require(rows[s.id])
            #expect(row.values.map(\.bitPattern) == expected.map(\.bitPattern), "\(s.id)")
            #expect(row.featureDate == engine.featureDate(of: s)?.iso, "\(s.id)")
            if !expected[engine.schema.index(of: "sector_performance")!].isNaN { sectors += 1 }
        }
        #expect(sectors > signals.count / 2)
    }

    /// A backfill into a store that recomputes everything next writes no per-signal marks (the
    /// triggers are back afterwards, and the every-signal marks renumbered); into a caught-up
    /// store it marks each new signal as an import does.
    @Test func aBulkBackfillSkipsOnlyRedundantMarks() throws {
        let app = try TestSupport.app()
        _ = try app.importer.run(.bars, paths: [TestSupport.ohlcv], skipInvalid: false)
        func triggers() throws -> [String] {
            try app.store.pool.read { try String.fetchAll($0, sql: "SELECT sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name") }
        }
        func marks() throws -> (signals: Int, allSeq: [Int]) {
            try app.store.pool.read { db in
                (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dirty_signals")!,
                 try Int.fetchAll(db, sql: "SELECT seq FROM dirty_bars WHERE symbol = '*' ORDER BY consumer"))
            }
        }
        let before = try triggers(), seq = try marks().allSeq
        #expect(before.count == 2 && seq.count == 2)
        let first = try app.backfill.run([.momentum])
        #expect(first.written > 300)
        #expect(try triggers() == before)
        let after = try marks()
        #expect(after.signals == 0 && after.allSeq.count == 2 && zip(after.allSeq, seq).allSatisfy { $0 > $1 })
        let labels = try app.labeling.label()
        #expect(labels.recomputed == first.written && labels.pending + labels.success + labels.failure + labels.expired == first.written)
        #expect(try app.features.compute().recomputed == first.written)
        // Caught up: the next backfill's new signals are marked one by one.
        let second = try app.backfill.run([.breakout])
        let marked = try marks().signals
        #expect(second.written > 100 && marked == 2 * second.written)
        #expect(try app.labeling.label().recomputed == second.written)
    }

    @Test func exportsHaveTheDocumentedColumns() throws {
        let app = try TestSupport.realApp()
        let dir = TestSupport.scratch()
        let outcomesPath = dir.appendingPathComponent("o.csv").path
        let n = try app.exporting.export(.outcomes, to: outcomesPath)
        let lines = try String(contentsOfFile: outcomesPath, encoding: .utf8).split(separator: "\n")
        #expect(lines[0] == "signal_id,symbol,strategy,signal_type,entry_date,entry_price,target_price,stop_loss,outcome,exit_date,exit_price,return_pct,days_held,hit_target,hit_stop")
        let labeled = try app.store.outcomes().values.filter { $0.status == .labeled }.count
        #expect(n == labeled && lines.count == labeled + 1)
        let featuresPath = dir.appendingPathComponent("f.csv").path
        let m = try app.exporting.export(.features, to: featuresPath)
        let header = try String(contentsOfFile: featuresPath, encoding: .utf8).split(separator: "\n")[0].split(separator: ",", omittingEmptySubsequences: false)
        #expect(header.first == "signal_id" && header.count == 31)
        #expect(m == (try app.store.rowCounts()["signals"]))
    }
}
