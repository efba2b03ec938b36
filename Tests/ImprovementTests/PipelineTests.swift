import Foundation
import Testing
@testable import Improvement
import Store
import TradingDomain

/// Labels and features through the store, on the real bundled data (issue 3).
@Suite struct PipelineTests {
    @Test func backfillIsIdempotentAndLabelsEveryStrategy() throws {
        let app = try TestSupport.realApp()
        let again = try app.backfill(BuiltInStrategy.allCases)
        #expect(again.written == 0 && again.unchanged > 1500)
        let summaries = try app.strategySummaries()
        #expect(Set(summaries.map(\.strategy)) == Set(BuiltInStrategy.allCases.map(\.rawValue)))
        for s in summaries {
            #expect(s.success > 20 && s.failure > 20, "\(s.strategy)")
            #expect(s.success + s.failure + s.pending + s.expired == s.signals)
        }
        // Re-labeling the same bars changes nothing.
        #expect(try app.label().changed == 0)
        #expect(try app.computeFeatures().changed == 0)
    }

    @Test func aCorrectedBarRelabelsTheSignalsWhoseWindowHoldsIt() throws {
        let app = try TestSupport.realApp()
        let outcomes = try app.store.outcomes()
        let bars = try app.store.barSeries()
        // A BUY that failed on an intraday wick through its stop (open and close above it).
        let victim = try #require(try app.store.signals().first { s in
            guard s.type == .buy, let o = outcomes[s.id], o.hitStop, let exit = o.exitDate,
                  let bar = bars[s.symbol]?.bars.first(where: { $0.day == exit }) else { return false }
            return min(bar.open, bar.close) > app.labelConfig.stop(for: s) && exit > s.entryDate
        })
        let before = try #require(outcomes[victim.id])
        let exitBar = try #require(bars[victim.symbol]?.bars.first { $0.day == before.exitDate })
        // The data vendor corrects that bar: the wick was a bad print.
        var fixed = exitBar
        fixed.low = min(exitBar.open, exitBar.close)
        _ = try app.store.upsertBars([BarInput.Row(symbol: victim.symbol, bar: fixed)])
        let report = try app.label()
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
        #expect(try app.label().pending == 1)
        #expect(try app.store.outcomes()["p1"]?.status == .pending)
        _ = try app.importer.run(.bars, paths: [TestSupport.ohlcv + "/MARICO.csv", TestSupport.ohlcv + "/^NSEI.csv"], skipInvalid: false)
        let report = try app.label()
        #expect(report.pending == 0 && report.changed == 1)
        let o = try #require(try app.store.outcomes()["p1"])
        #expect(o.status == .labeled && o.exitDate != nil)
    }

    @Test func exportsHaveTheDocumentedColumns() throws {
        let app = try TestSupport.realApp()
        let dir = TestSupport.scratch()
        let outcomesPath = dir.appendingPathComponent("o.csv").path
        let n = try app.export(.outcomes, to: outcomesPath)
        let lines = try String(contentsOfFile: outcomesPath, encoding: .utf8).split(separator: "\n")
        #expect(lines[0] == "signal_id,symbol,strategy,signal_type,entry_date,entry_price,target_price,stop_loss,outcome,exit_date,exit_price,return_pct,days_held,hit_target,hit_stop")
        let labeled = try app.store.outcomes().values.filter { $0.status == .labeled }.count
        #expect(n == labeled && lines.count == labeled + 1)
        let featuresPath = dir.appendingPathComponent("f.csv").path
        let m = try app.export(.features, to: featuresPath)
        let header = try String(contentsOfFile: featuresPath, encoding: .utf8).split(separator: "\n")[0].split(separator: ",", omittingEmptySubsequences: false)
        #expect(header.first == "signal_id" && header.count == 31)
        #expect(m == (try app.store.rowCounts()["signals"]))
    }
}
