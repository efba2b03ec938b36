import Foundation

/// Validates signals from CSV or JSON Lines (README.md, "Importing"). Unknown columns are kept as metadata;
/// the columns of a labeled export (`outcome`, `exit_date`, ...) are ignored.
public enum SignalInput {
    /// Known columns; anything else becomes metadata.
    static let known: Set<String> = [
        "signal_id", "symbol", "strategy", "signal_type", "entry_date", "entry_price",
        "target_price", "stop_loss", "confidence", "created_at",
    ]
    /// Columns of a labeled export: improvementd labels for itself, so these are dropped.
    static let ignored: Set<String> = [
        "outcome", "exit_date", "exit_price", "return_pct", "days_held", "hit_target", "hit_stop", "exit_reason",
    ]

    public static func validate(_ table: CSVTable, file: String) -> Validated<Signal> {
        var out = Validated<Signal>(file: file)
        guard out.checkShape(table, required: ["signal_id", "symbol", "strategy", "entry_date", "entry_price"]) else { return out }
        let lower = table.header.map { $0.lowercased() }
        var seen: [String: Int] = [:]
        for row in table.rows {
            if row.fields.count != table.header.count {
                out.reject(row, "expected \(table.header.count) fields, found \(row.fields.count)")
                continue
            }
            var dict: [String: String] = [:]
            for (i, name) in lower.enumerated() {
                let v = row.fields[i].trimmingSpaces()
                if !v.isEmpty { dict[name] = v }
            }
            switch make(dict, originalNames: Dictionary(zip(lower, table.header), uniquingKeysWith: { a, _ in a })) {
            case .failure(let reason): out.reject(row, reason.text)
            case .success(let signal):
                if let first = seen[signal.id] { out.reject(row, "duplicate signal_id '\(signal.id)' (first at line \(first))"); continue }
                seen[signal.id] = row.line
                out.items.append(signal)
            }
        }
        return out
    }

    /// JSON Lines: one object per line with the CSV's field names.
    public static func validateJSONLines(_ data: Data, file: String) -> Validated<Signal> {
        var out = Validated<Signal>(file: file)
        out.header = ["json"]
        guard String(data: data, encoding: .utf8) != nil else {
            // Find the first bad line for the message.
            var line = 1
            for chunk in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                if String(validating: Array(chunk), as: UTF8.self) == nil { break }
                line += 1
            }
            out.errors.append(InputError(file: file, line: line, reason: "the line is not valid UTF-8 text"))
            return out
        }
        var seen: [String: Int] = [:]
        var line = 0
        for chunk in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            line += 1
            let raw = String(decoding: chunk, as: UTF8.self)
            if raw.trimmingSpaces().isEmpty || raw == "\r" { continue }
            let row = CSVTable.Row(line: line, fields: [raw], raw: raw)
            guard let object = try? JSONSerialization.jsonObject(with: Data(chunk)) as? [String: Any] else {
                out.reject(row, "not a JSON object"); continue
            }
            var dict: [String: String] = [:]
            var names: [String: String] = [:]
            for (key, value) in object {
                let k = key.lowercased()
                names[k] = key
                switch value {
                case let s as String: if !s.isEmpty { dict[k] = s }
                case let n as NSNumber: dict[k] = n.stringValue
                case is NSNull: break
                default:
                    if let d = try? JSONSerialization.data(withJSONObject: value), let s = String(data: d, encoding: .utf8) { dict[k] = s }
                }
            }
            switch make(dict, originalNames: names) {
            case .failure(let reason): out.reject(row, reason.text)
            case .success(let signal):
                if let first = seen[signal.id] { out.reject(row, "duplicate signal_id '\(signal.id)' (first at line \(first))"); continue }
                seen[signal.id] = line
                out.items.append(signal)
            }
        }
        if out.items.isEmpty && out.errors.isEmpty {
            out.errors.append(InputError(file: file, line: 1, reason: "the file is empty"))
        }
        return out
    }

    /// Why a row was refused.
    public struct Reason: Error, Sendable { public var text: String; init(_ t: String) { text = t } }

    /// Builds and checks one signal from lower-cased field names → non-empty values.
    public static func make(_ f: [String: String], originalNames: [String: String]) -> Result<Signal, Reason> {
        func require(_ name: String) -> Result<String, Reason> {
            if let v = f[name] { return .success(v) }
            return .failure(Reason("\(name) is required"))
        }
        func number(_ name: String) -> Result<Double?, Reason> {
            guard let raw = f[name] else { return .success(nil) }
            guard let v = Double(raw), v.isFinite else { return .failure(Reason("\(name) '\(raw)' is not a finite number")) }
            return .success(v)
        }
        do {
            let id = try require("signal_id").get()
            let symbol = try require("symbol").get()
            let strategy = try require("strategy").get()
            let typeText = (f["signal_type"] ?? "BUY").uppercased()
            guard let type = SignalType(rawValue: typeText) else {
                return .failure(Reason("signal_type '\(f["signal_type"] ?? "")' must be BUY or SELL"))
            }
            let dateText = try require("entry_date").get()
            guard let entryDate = Day(iso: dateText), dateText.utf8.count == 10 else {
                return .failure(Reason("entry_date '\(dateText)' is not an ISO date (YYYY-MM-DD)"))
            }
            guard let entry = try number("entry_price").get() else { return .failure(Reason("entry_price is required")) }
            guard entry > 0 else { return .failure(Reason("entry_price \(entry) must be > 0")) }
            let target = try number("target_price").get()
            let stop = try number("stop_loss").get()
            if let target {
                if type == .buy, target <= entry { return .failure(Reason("BUY target_price \(target) must be above entry_price \(entry)")) }
                if type == .sell, target >= entry { return .failure(Reason("SELL target_price \(target) must be below entry_price \(entry)")) }
            }
            if let stop {
                if stop <= 0 { return .failure(Reason("stop_loss \(stop) must be > 0")) }
                if type == .buy, stop >= entry { return .failure(Reason("BUY stop_loss \(stop) must be below entry_price \(entry)")) }
                if type == .sell, stop <= entry { return .failure(Reason("SELL stop_loss \(stop) must be above entry_price \(entry)")) }
            }
            let confidence = try number("confidence").get()
            if let confidence, !(0...1).contains(confidence) {
                return .failure(Reason("confidence \(confidence) must be between 0 and 1"))
            }
            var createdAt: String?
            if let created = f["created_at"] {
                guard let createdDay = DateTimeText.day(of: created) else {
                    return .failure(Reason("created_at '\(created)' is not an ISO date or date-time"))
                }
                if createdDay > entryDate {
                    return .failure(Reason("created_at \(created) is after entry_date \(entryDate.iso)"))
                }
                createdAt = created
            }
            var metadata: [String: String] = [:]
            for (k, v) in f where !known.contains(k) && !ignored.contains(k) {
                metadata[originalNames[k] ?? k] = v
            }
            return .success(Signal(
                id: id, symbol: symbol, strategy: strategy, type: type, entryDate: entryDate,
                entryPrice: entry, targetPrice: target, stopLoss: stop, confidence: confidence,
                createdAt: createdAt, metadata: metadata
            ))
        } catch {
            return .failure(error)
        }
    }
}

/// Checks ISO dates and date-times (`YYYY-MM-DD`, `YYYY-MM-DDThh:mm[:ss[.f]][Z|±hh:mm]`).
public enum DateTimeText {
    /// The date part when the whole text is a valid ISO date or date-time, else nil.
    public static func day(of text: String) -> Day? {
        guard let day = Day(iso: text) else { return nil }
        if text.utf8.count == 10 { return day }
        let time = Array(text.utf8.dropFirst(11))
        // hh:mm, optional :ss, optional .fraction, optional zone.
        func digit(_ i: Int) -> Bool { i < time.count && time[i] >= 48 && time[i] <= 57 }
        guard time.count >= 5, digit(0), digit(1), time[2] == UInt8(ascii: ":"), digit(3), digit(4) else { return nil }
        let hh = Int(time[0] - 48) * 10 + Int(time[1] - 48), mm = Int(time[3] - 48) * 10 + Int(time[4] - 48)
        guard hh < 24, mm < 60 else { return nil }
        var i = 5
        if i < time.count, time[i] == UInt8(ascii: ":") {
            guard digit(i + 1), digit(i + 2) else { return nil }
            i += 3
            if i < time.count, time[i] == UInt8(ascii: ".") {
                i += 1
                guard digit(i) else { return nil }
                while digit(i) { i += 1 }
            }
        }
        if i == time.count { return day }
        if time[i] == UInt8(ascii: "Z"), i + 1 == time.count { return day }
        if time[i] == UInt8(ascii: "+") || time[i] == UInt8(ascii: "-") {
            let rest = Array(time[(i + 1)...])
            if rest.count == 5, rest[2] == UInt8(ascii: ":"), rest.enumerated().allSatisfy({ $0.offset == 2 || ($0.element >= 48 && $0.element <= 57) }) { return day }
            if rest.count == 4, rest.allSatisfy({ $0 >= 48 && $0 <= 57 }) { return day }
        }
        return nil
    }
}
