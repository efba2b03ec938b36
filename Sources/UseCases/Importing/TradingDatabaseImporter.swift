import Foundation
import GRDB
import Store
import TradingDomain

/// Imports signals from the trading system's own SQLite `signals` table (README.md, "Importing"), opened
/// read-only. `price`/`confidence` fall back to `metadata.entry_price`/`metadata.confidence_score`
/// when the column is NULL (or, for confidence, 0.0); the entry date is `generated_at`'s date in
/// the exchange time zone (a time stamp without offset is read as exchange-local time).
public struct TradingDatabaseImporter: Sendable {
    public let store: SignalStore
    public let timezone: String

    public init(store: SignalStore, timezone: String) {
        self.store = store
        self.timezone = timezone
    }

    /// Rows read, validated and (when all are valid, or with `skipInvalid`) upserted.
    /// Rejected rows go to stderr and, with `rejectedFile`, to that CSV — never beside the source.
    public func run(path: String, skipInvalid: Bool, rejectedFile: String? = nil) throws -> ImportReport {
        guard FileManager.default.fileExists(atPath: path) else {
            throw InvalidInput(errors: [InputError(file: path, line: 0, reason: "no such database file")])
        }
        var config = GRDB.Configuration()
        config.readonly = true
        let rows: [Row]
        do {
            let source = try DatabaseQueue(path: path, configuration: config)
            rows = try source.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT signal_id, symbol, strategy, signal_type, confidence, price, target_price, stop_loss,
                        generated_at, expires_at, status, metadata FROM signals ORDER BY generated_at, signal_id
                    """)
            }
        } catch {
            throw InvalidInput(errors: [InputError(file: path, line: 0, reason: "cannot read table signals: \(error)")])
        }
        var report = ImportReport(kind: .signals, files: [path], rows: rows.count)
        var valid: [Signal] = []
        var errors: [InputError] = []
        var seen = Set<String>()
        let tz = TimeZone(identifier: timezone) ?? TimeZone(identifier: "UTC")!
        for row in rows {
            let id = (try? Self.text(row, "signal_id")) ?? ""
            let key = id.isEmpty ? "rowid?" : id
            // Cells are read by their storage class, never by GRDB's trapping conversion: the
            // trading system's columns may hold any type (a text price, a blob, an integer id).
            let cells: (type: String?, symbol: String?, strategy: String?, metadata: String?, generated: String?,
                        expires: String?, status: String?, price: Double?, confidence: Double?, target: Double?, stop: Double?)
            do throws(CellError) {
                cells = (try Self.text(row, "signal_type"), try Self.text(row, "symbol"), try Self.text(row, "strategy"),
                         try Self.text(row, "metadata"), try Self.text(row, "generated_at"), try Self.text(row, "expires_at"),
                         try Self.text(row, "status"), try Self.number(row, "price"), try Self.number(row, "confidence"),
                         try Self.number(row, "target_price"), try Self.number(row, "stop_loss"))
                _ = try Self.text(row, "signal_id")
            } catch {
                errors.append(InputError(file: path, location: key, reason: error.reason))
                continue
            }
            let type = (cells.type ?? "BUY").uppercased()
            if type == "HOLD" { report.skipped["HOLD rows", default: 0] += 1; continue }
            var meta: [String: Any] = [:]
            if let text = cells.metadata, !text.isEmpty {
                meta = (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
            }
            func metaNumber(_ name: String) -> String? {
                switch meta[name] {
                case let n as NSNumber: return n.stringValue
                case let s as String: return s
                default: return nil
                }
            }
            var f: [String: String] = [:]
            f["signal_id"] = id.isEmpty ? nil : id
            f["symbol"] = cells.symbol
            f["strategy"] = cells.strategy
            f["signal_type"] = type
            if let p = cells.price { f["entry_price"] = String(p) } else { f["entry_price"] = metaNumber("entry_price") }
            let conf = cells.confidence
            if let conf, conf != 0 { f["confidence"] = String(conf) } else { f["confidence"] = metaNumber("confidence_score") ?? conf.map { String($0) } }
            if let t = cells.target { f["target_price"] = String(t) } else { f["target_price"] = metaNumber("target_price") }
            if let s = cells.stop { f["stop_loss"] = String(s) } else { f["stop_loss"] = metaNumber("stop_loss") }
            let generated = cells.generated ?? ""
            guard let entry = Self.exchangeDate(generated, timezone: tz) else {
                errors.append(InputError(file: path, location: key, reason: "generated_at '\(generated)' is not an ISO date-time"))
                continue
            }
            f["entry_date"] = entry.iso
            f["created_at"] = generated
            for (k, v) in meta where !["entry_price", "confidence_score"].contains(k) {
                f["meta:" + k] = (v as? String) ?? "\(v)"
            }
            if let e = cells.expires { f["meta:expires_at"] = e }
            if let s = cells.status { f["meta:status"] = s }
            let names = Dictionary(uniqueKeysWithValues: f.keys.map { ($0, $0.hasPrefix("meta:") ? String($0.dropFirst(5)) : $0) })
            switch SignalInput.make(f, originalNames: names) {
            case .failure(let reason): errors.append(InputError(file: path, location: key, reason: reason.text))
            case .success(let signal):
                guard seen.insert(signal.id).inserted else {
                    errors.append(InputError(file: path, location: key, reason: "duplicate signal_id"))
                    continue
                }
                valid.append(signal)
            }
        }
        if !errors.isEmpty {
            guard skipInvalid else { throw InvalidInput(errors: errors) }
            for e in errors { FileHandle.standardError.write(Data("rejected: \(e)\n".utf8)) }
            if let rejectedFile {
                let text = "signal_id,reason\n" + errors.map { "\(Importer.csvField($0.location ?? "")),\(Importer.csvField($0.reason))" }.joined(separator: "\n") + "\n"
                try text.write(toFile: rejectedFile, atomically: true, encoding: .utf8)
                report.rejectedFiles.append(rejectedFile)
            }
            report.rejected = errors.count
        }
        let count = try store.upsertSignals(valid, source: "trading_db")
        report.written = count.written
        report.unchanged = count.unchanged
        return report
    }

    /// Why one cell of the source could not be read as the value its column stands for.
    struct CellError: Error { var reason: String }

    /// A text cell: text as is, numbers as their text (an untyped column may hold an integer id),
    /// a blob when it is UTF-8; NULL is nil.
    static func text(_ row: Row, _ column: String) throws(CellError) -> String? {
        let value: DatabaseValue = row[column]
        switch value.storage {
        case .null: return nil
        case .string(let s): return s
        case .int64(let i): return String(i)
        case .double(let d): return String(d)
        case .blob(let data):
            guard let s = String(validating: [UInt8](data), as: UTF8.self) else { throw CellError(reason: "\(column) is a blob that is not UTF-8 text") }
            return s
        }
    }

    /// A number cell: integers and reals, or text holding a number; NULL (or empty text) is nil.
    static func number(_ row: Row, _ column: String) throws(CellError) -> Double? {
        let value: DatabaseValue = row[column]
        switch value.storage {
        case .null: return nil
        case .int64(let i): return Double(i)
        case .double(let d): return d
        case .string(let s):
            let t = s.trimmingSpaces()
            if t.isEmpty { return nil }
            guard let d = Double(t) else { throw CellError(reason: "\(column) '\(s)' is not a number") }
            return d
        case .blob: throw CellError(reason: "\(column) is a blob, not a number")
        }
    }

    /// The exchange-local date of an ISO date or date-time (with or without offset).
    static func exchangeDate(_ text: String, timezone: TimeZone) -> Day? {
        guard DateTimeText.day(of: text) != nil else { return nil }
        if text.count == 10 { return Day(iso: text) }
        let normalized = text.replacingOccurrences(of: " ", with: "T")
        let hasZone = normalized.hasSuffix("Z") || normalized.dropFirst(19).contains("+") || normalized.dropFirst(19).contains("-")
        guard hasZone else { return Day(iso: text) } // naive: already exchange-local
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        guard let date = plain.date(from: normalized) ?? withFraction.date(from: normalized) else { return Day(iso: text) }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timezone
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return Day(year: c.year!, month: c.month!, day: c.day!)
    }
}
