import Foundation
import FuzzSupport
import GRDB
import Store
import Testing
@testable import UseCases

/// The trading system's load on the store while improvementd works (docs/SCHEMA.md, "Busy
/// timeouts"): one process inserts signals straight into `signals`, another reads the current
/// scores, while a real `improvementd train` process retrains; nothing fails, nothing is lost,
/// and the next cycle labels and scores every inserted signal.
// On the main actor: these tests block for tens of seconds, and on the cooperative pool (two
// threads here) they would stall every other suite's timers.
@MainActor @Suite(.serialized) struct LoadTests {
    /// The busy timeout both trading-system connections set, as docs/SCHEMA.md advises.
    nonisolated static let busyTimeout: TimeInterval = 10

    /// What the writer and the reader saw, shared with their threads.
    final class Load: @unchecked Sendable {
        private let lock = NSLock()
        private var _stop = false
        var stop: Bool {
            get { lock.withLock { _stop } }
            set { lock.withLock { _stop = newValue } }
        }
        var inserted: [String] = []
        var writeErrors: [String] = []
        var reads = 0
        var readErrors: [String] = []
        /// Longest time one busy lock kept a connection waiting (the busy handler's view), and
        /// the longest single insert or read, busy wait included.
        var longestBusyWait = 0.0, longestInsert = 0.0, longestRead = 0.0
        var writeSeconds = 0.0
        /// Inserts that flushed more than one overdue row in one transaction.
        var batches = 0
        let writerDone = DispatchSemaphore(value: 0), readerDone = DispatchSemaphore(value: 0)

        func update(_ body: (Load) -> Void) { lock.withLock { body(self) } }
    }

    /// A busy handler that waits in 1 ms steps up to `busyTimeout` and records the longest wait.
    nonisolated static func configuration(_ load: Load, readonly: Bool) -> GRDB.Configuration {
        var config = GRDB.Configuration()
        config.readonly = readonly
        let started = Box<Date>()
        config.busyMode = .callback { tries in
            let now = Date()
            if tries == 0 { started.value = now }
            let waited = now.timeIntervalSince(started.value ?? now)
            load.update { $0.longestBusyWait = max($0.longestBusyWait, waited) }
            guard waited < busyTimeout else { return false }
            usleep(1000)
            return true
        }
        return config
    }

    /// Inserts one signal per statement at `rate` rows/s (as a trading system does, autocommit)
    /// on real bars of the store's last three days per symbol, until `load.stop`.
    nonisolated static func startWriter(path: String, rate: Double, load: Load, days: [(symbol: String, date: String, close: Double)]) {
        Thread.detachNewThread {
            defer { load.writerDone.signal() }
            let start = Date()
            do {
                let queue = try DatabaseQueue(path: path, configuration: configuration(load, readonly: false))
                let stamp = ISO8601DateFormatter()
                var n = 0
                while !load.stop {
                    // Paced, not slept for a race: row n is due at start + n / rate. One autocommit
                    // INSERT per row; rows that fell due while a lock or a slow fsync held the writer
                    // up go in one transaction, as a trading system's queue would flush them.
                    let due = Int(Date().timeIntervalSince(start) * rate) + 1 - n
                    if due <= 0 {
                        usleep(UInt32(max(0, start.addingTimeInterval(Double(n) / rate).timeIntervalSinceNow) * 1_000_000))
                        continue
                    }
                    let ids = (n..<(n + min(due, 100))).map { "load-\($0)" }
                    let t0 = Date()
                    do {
                        let sql = """
                            INSERT INTO signals (signal_id, symbol, strategy, signal_type, entry_date, entry_price, target_price,
                                stop_loss, confidence, created_at, metadata, source, imported_at)
                            VALUES (?, ?, 'load', 'BUY', ?, ?, ?, ?, 0.6, ?, '{}', 'trading_db', ?)
                            """
                        let now = stamp.string(from: Date())
                        func insert(_ db: Database, _ k: Int) throws {
                            let day = days[k % days.count]
                            try db.execute(sql: sql, arguments: ["load-\(k)", day.symbol, day.date, day.close, day.close * 1.04,
                                                                 day.close * 0.97, day.date + "T09:15:00Z", now])
                        }
                        if ids.count == 1 {
                            try queue.writeWithoutTransaction { try insert($0, n) }
                        } else {
                            try queue.inTransaction(.immediate) { db in
                                for k in n..<(n + ids.count) { try insert(db, k) }
                                return .commit
                            }
                        }
                        let took = Date().timeIntervalSince(t0)
                        load.update { $0.inserted += ids; $0.longestInsert = max($0.longestInsert, took); $0.batches += ids.count > 1 ? 1 : 0 }
                    } catch {
                        load.update { $0.writeErrors.append("\(ids.first!)…: \(error)") }
                    }
                    n += ids.count
                }
                try queue.close()
            } catch {
                load.update { $0.writeErrors.append("writer: \(error)") }
            }
            let seconds = Date().timeIntervalSince(start)
            load.update { $0.writeSeconds = seconds }
        }
    }

    /// Reads the current score of every signal with docs/SCHEMA.md's query, in a loop.
    nonisolated static func startReader(path: String, load: Load) {
        Thread.detachNewThread {
            defer { load.readerDone.signal() }
            do {
                let queue = try DatabaseQueue(path: path, configuration: configuration(load, readonly: true))
                while !load.stop {
                    let t0 = Date()
                    do {
                        _ = try queue.read { db in
                            try Row.fetchAll(db, sql: """
                                SELECT p.signal_id, p.probability, p.model_version, p.scored_at
                                FROM predictions p
                                WHERE p.scored_at = (SELECT MAX(scored_at) FROM predictions q WHERE q.signal_id = p.signal_id)
                                """)
                        }
                        let took = Date().timeIntervalSince(t0)
                        load.update { $0.reads += 1; $0.longestRead = max($0.longestRead, took) }
                    } catch {
                        load.update { $0.readErrors.append("\(error)") }
                    }
                }
                try queue.close()
            } catch {
                load.update { $0.readErrors.append("reader: \(error)") }
            }
        }
    }

    /// Runs `arguments` (with `--db path`) as a real process while the writer and the reader
    /// work on `path`; checks zero errors on each side, ≥ 200 rows/s and zero rows lost.
    nonisolated static func underLoad(_ arguments: [String], path: String, app: App, label: String) throws -> Set<String> {
        let rate = ProcessInfo.processInfo.environment["IMPROVEMENTD_LOAD_RATE"].flatMap(Double.init) ?? 250
        let days = try app.store.read("") { db in
            try Row.fetchAll(db, sql: """
                SELECT symbol, date, close FROM price_bars p WHERE symbol NOT LIKE '^%'
                AND date >= (SELECT date FROM price_bars q WHERE q.symbol = p.symbol ORDER BY date DESC LIMIT 1 OFFSET 2)
                ORDER BY symbol, date
                """).map { (symbol: $0[0] as String, date: $0[1] as String, close: $0[2] as Double) }
        }
        #expect(days.count == 30)
        let load = Load()
        startWriter(path: path, rate: rate, load: load, days: days)
        startReader(path: path, load: load)
        let start = Date()
        let (code, _, err) = try TestSupport.run(arguments + ["--db", path], environment: ["IMPROVEMENTD_REPORTS_DIR": TestSupport.scratch().path])
        let seconds = Date().timeIntervalSince(start)
        load.stop = true
        load.writerDone.wait()
        load.readerDone.wait()
        #expect(code == 0, "\(err)")
        load.update { l in
            let rowsPerSecond = Double(l.inserted.count) / l.writeSeconds
            print("load (\(label), \(String(format: "%.1f", seconds)) s): \(l.inserted.count) rows inserted at \(String(format: "%.0f", rowsPerSecond)) rows/s, \(l.batches) catch-up transactions, \(l.writeErrors.count) write errors; \(l.reads) reads, \(l.readErrors.count) read errors; longest busy wait \(String(format: "%.3f", l.longestBusyWait)) s, longest insert \(String(format: "%.3f", l.longestInsert)) s, longest read \(String(format: "%.3f", l.longestRead)) s")
            #expect(l.writeErrors.isEmpty, "\(l.writeErrors.prefix(3))")
            #expect(l.readErrors.isEmpty, "\(l.readErrors.prefix(3))")
            #expect(rowsPerSecond >= 200)
            #expect(l.reads > 0)
        }
        let inserted = Set(load.inserted)
        let stored = Set(try app.store.read("") { try String.fetchAll($0, sql: "SELECT signal_id FROM signals WHERE strategy = 'load'") })
        #expect(stored == inserted, "\(inserted.subtracting(stored).count) rows lost")
        print("load (\(label)): \(inserted.subtracting(stored).count) rows lost")
        return inserted
    }

    @Test func directInsertsAndReadsDuringARetrainFailNothingAndLoseNothing() throws {
        let tune = ProcessInfo.processInfo.environment["IMPROVEMENTD_LOAD_TUNE"] == "1"
        let app = try TestSupport.realApp()
        let path = app.config.database
        // A first cycle, unloaded: production and its predictions exist, so the reader reads real rows.
        let (code, _, err) = try TestSupport.run(["--once", "--db", path],
                                                 environment: ["IMPROVEMENTD_TRAINING_TUNING_TRIALS": "0", "IMPROVEMENTD_REPORTS_DIR": TestSupport.scratch().path])
        #expect(code == 0, "\(err)")
        #expect(try app.store.rowCounts()["predictions"] ?? 0 > 0)
        let inserted = try Self.underLoad(["train"] + (tune ? [] : ["--no-tune"]), path: path, app: app, label: tune ? "train" : "train --no-tune")

        // The following cycle labels every inserted signal and scores every one still unlabeled.
        let (code2, _, err2) = try TestSupport.run(["--once", "--db", path],
                                                   environment: ["IMPROVEMENTD_TRAINING_TUNING_TRIALS": "0", "IMPROVEMENTD_REPORTS_DIR": TestSupport.scratch().path])
        #expect(code2 == 0, "\(err2)")
        let (unlabeled, unscored, labeled) = try app.store.read("") { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM signals s WHERE strategy = 'load' AND NOT EXISTS (SELECT 1 FROM outcomes o WHERE o.signal_id = s.signal_id)") ?? -1,
             try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM signals s JOIN outcomes o USING (signal_id) WHERE s.strategy = 'load' AND o.status != 'labeled'
                AND NOT EXISTS (SELECT 1 FROM predictions p WHERE p.signal_id = s.signal_id)
                """) ?? -1,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM signals s JOIN outcomes o USING (signal_id) WHERE s.strategy = 'load' AND o.status = 'labeled'") ?? -1)
        }
        print("load: after --once, \(inserted.count - unlabeled) of \(inserted.count) inserted signals have an outcome (\(labeled) labeled), \(unscored) unlabeled ones unscored")
        #expect(unlabeled == 0 && unscored == 0)
    }

    /// The same load on a replay's source store (read-only to the replay), when this build has
    /// `improvementd replay`: the inserts go to the source, and the replay must not fail.
    @Test func directInsertsAndReadsDuringAReplay() throws {
        let (code, help, _) = try TestSupport.run(["replay", "--help"])
        guard code == 0, help.lowercased().contains("replay") else {
            print("load during replay: skipped, `improvementd replay --help` does not work in this build")
            return
        }
        let app = try TestSupport.realApp()
        // The last four weeks of the bundled data, with quick training, so the replay runs about
        // as long as the retrain above.
        let dir = TestSupport.scratch()
        let config = TestSupport.write("training:\n  algorithms: [lr, gb]\n  tuning_trials: 0\n", to: dir, name: "quick.yaml")
        _ = try Self.underLoad(["replay", "--from", "2026-03-16", "--out", dir.appendingPathComponent("replay").path, "--config", config],
                               path: app.config.database, app: app, label: "replay")
    }
}
