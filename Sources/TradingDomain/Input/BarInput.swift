import Foundation

/// Validates a bars CSV (README.md, "Importing"): `date,open,high,low,close,volume` (case-insensitive), Yahoo's
/// `Date,Open,High,Low,Close,Adj Close,Volume` too. Symbol = file name without `.csv` unless a
/// `symbol` column is present.
public enum BarInput {
    public struct Row: Sendable, Equatable {
        public var symbol: String
        public var bar: Bar

        public init(symbol: String, bar: Bar) {
            self.symbol = symbol
            self.bar = bar
        }
    }

    public static func validate(_ table: CSVTable, file: String, defaultSymbol: String) -> Validated<Row> {
        var out = Validated<Row>(file: file)
        guard out.checkShape(table, required: ["date", "open", "high", "low", "close", "volume"], hint: "expected header date,open,high,low,close,volume") else { return out }
        let dateCol = table.column("date")
        let cols = (table.column("open"), table.column("high"), table.column("low"), table.column("close"), table.column("volume"))
        let symbolCol = table.column("symbol")
        var seen: [String: [Day: Int]] = [:]
        for row in table.rows {
            let r = FieldReader(row: row)
            if row.fields.count != table.header.count {
                out.reject(row, "expected \(table.header.count) fields, found \(row.fields.count)")
                continue
            }
            let symbol = r.text(symbolCol) ?? defaultSymbol
            guard let dateText = r.text(dateCol) else { out.reject(row, "date is empty"); continue }
            guard let day = Day(iso: dateText), dateText.utf8.count == 10 else {
                out.reject(row, "date '\(dateText)' is not an ISO date (YYYY-MM-DD)"); continue
            }
            var values: [Double] = []
            var reason: String?
            for (name, col) in [("open", cols.0), ("high", cols.1), ("low", cols.2), ("close", cols.3)] {
                let (v, why) = r.number(col, name: name)
                if let why { reason = why; break }
                guard let v else { reason = "\(name) is empty"; break }
                if v <= 0 { reason = "\(name) \(v) must be > 0"; break }
                values.append(v)
            }
            if let reason { out.reject(row, reason); continue }
            let (volume, volumeWhy) = r.number(cols.4, name: "volume")
            if let volumeWhy { out.reject(row, volumeWhy); continue }
            guard let volume else { out.reject(row, "volume is empty"); continue }
            if volume < 0 { out.reject(row, "volume \(volume) must be >= 0"); continue }
            let (open, high, low, close) = (values[0], values[1], values[2], values[3])
            if high < max(open, close) { out.reject(row, "high \(high) is below max(open, close) \(max(open, close))"); continue }
            if low > min(open, close) { out.reject(row, "low \(low) is above min(open, close) \(min(open, close))"); continue }
            if let first = seen[symbol]?[day] {
                out.reject(row, "duplicate date \(day.iso) for \(symbol) (first at line \(first))"); continue
            }
            seen[symbol, default: [:]][day] = row.line
            out.items.append(Row(symbol: symbol, bar: Bar(day: day, open: open, high: high, low: low, close: close, volume: volume)))
        }
        return out
    }

    /// The same validation straight from the file's bytes, with no `CSVTable` and no `String`
    /// per field: the bars import's hot path. It answers only for files it reads exactly as
    /// `CSVTable.parse` + `validate` would and that have no bad row (ASCII text without quotes,
    /// lines ending in LF or CRLF, every row valid); for anything else (quotes, non-ASCII bytes,
    /// a stray CR, any row `validate` would refuse) it answers nil, and the caller takes the
    /// `CSVTable` path, which words the errors and keeps the raw rows for a rejected-rows file.
    public static func validate(bytes data: Data, file: String, defaultSymbol: String) -> Validated<Row>? {
        data.withUnsafeBytes { raw in
            validate(raw.bindMemory(to: UInt8.self), file: file, defaultSymbol: defaultSymbol)
        }
    }

    static func validate(_ p: UnsafeBufferPointer<UInt8>, file: String, defaultSymbol: String) -> Validated<Row>? {
        let n = p.count
        var pos = p.count >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF ? 3 : 0
        let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t"), comma = UInt8(ascii: ",")
        let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var header: [String]?
        var width = 0
        var cols = (date: 0, open: 0, high: 0, low: 0, close: 0, volume: 0, symbol: -1)
        var starts = [Int](), ends = [Int]() // the fields of the current line
        var out = Validated<Row>(file: file)
        var symbol = defaultSymbol, symbolBytes: [UInt8] = [] // the previous row's, and its field
        var lastDay = Int32.min, lastDays: [String: Int32] = [:] // the latest day of each symbol
        var ordered = true // every symbol's days strictly ascending: no duplicate possible
        out.items.reserveCapacity(n / 48)

        // The helpers take a field's bounds, not its index: a nested function reading the
        // `starts` and `ends` arrays would make every access an exclusivity check at run time.
        func trimmed(_ a: Int, _ b: Int) -> (Int, Int) {
            var a = a, b = b
            while a < b, p[a] == space || p[a] == tab { a += 1 }
            while b > a, p[b - 1] == space || p[b - 1] == tab { b -= 1 }
            return (a, b)
        }
        func number(_ start: Int, _ end: Int) -> Double? {
            let (a, b) = trimmed(start, end)
            guard a < b else { return nil }
            let value = DecimalBytes.double(p, a, b)
                ?? Double(String(decoding: UnsafeBufferPointer(rebasing: p[a..<b]), as: UTF8.self))
            guard let value, value.isFinite else { return nil }
            return value
        }
        func digits(_ a: Int, _ count: Int) -> Int? {
            var v = 0
            for i in a..<(a + count) {
                let d = p[i] &- 48
                guard d < 10 else { return nil }
                v = v * 10 + Int(d)
            }
            return v
        }

        while pos < n {
            // One line: [pos, lineEnd), its text without a final CR in [pos, end).
            var lineEnd = pos
            starts.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
            starts.append(pos)
            var blank = true
            while lineEnd < n {
                let c = p[lineEnd]
                if c == lf { break }
                if c == comma {
                    ends.append(lineEnd)
                    starts.append(lineEnd + 1)
                    blank = false
                } else if c >= 0x80 || c == UInt8(ascii: "\"") {
                    return nil
                } else if c == cr {
                    // Only a CR ending the line; any other is left to the full parser.
                    guard lineEnd + 1 == n || p[lineEnd + 1] == lf else { return nil }
                } else if c != space && c != tab {
                    blank = false
                }
                lineEnd += 1
            }
            let end = lineEnd > pos && p[lineEnd - 1] == cr ? lineEnd - 1 : lineEnd
            ends.append(end)
            pos = lineEnd + 1
            if blank { continue } // a wholly blank line is skipped, as CSVTable does

            guard header != nil else {
                let names = (0..<starts.count).map { f -> String in
                    let (a, b) = trimmed(starts[f], ends[f])
                    return String(decoding: UnsafeBufferPointer(rebasing: p[a..<b]), as: UTF8.self)
                }
                let table = CSVTable(header: names, rows: [])
                guard let d = table.column("date"), let o = table.column("open"), let h = table.column("high"),
                      let l = table.column("low"), let c = table.column("close"), let v = table.column("volume")
                else { return nil }
                cols = (d, o, h, l, c, v, table.column("symbol") ?? -1)
                header = names
                width = names.count
                continue
            }
            guard starts.count == width else { return nil }

            // The symbol: the file's name, or the row's `symbol` field when the file has one (its
            // String made only when it differs from the previous row's).
            if cols.symbol >= 0 {
                let (a, b) = trimmed(starts[cols.symbol], ends[cols.symbol])
                let field = UnsafeBufferPointer(rebasing: p[a..<b])
                if !field.elementsEqual(symbolBytes) {
                    symbolBytes = Array(field)
                    let name = a < b ? String(decoding: field, as: UTF8.self) : defaultSymbol
                    if name != symbol {
                        lastDays[symbol] = lastDay
                        symbol = name
                        lastDay = lastDays[name] ?? Int32.min
                    }
                }
            }
            let (da, db) = trimmed(starts[cols.date], ends[cols.date])
            guard db - da == 10, p[da + 4] == UInt8(ascii: "-"), p[da + 7] == UInt8(ascii: "-"),
                  let y = digits(da, 4), let m = digits(da + 5, 2), let dd = digits(da + 8, 2),
                  let day = Day(year: y, month: m, day: dd) else { return nil }
            guard let open = number(starts[cols.open], ends[cols.open]), open > 0, let high = number(starts[cols.high], ends[cols.high]), high > 0,
                  let low = number(starts[cols.low], ends[cols.low]), low > 0, let close = number(starts[cols.close], ends[cols.close]), close > 0,
                  let volume = number(starts[cols.volume], ends[cols.volume]), volume >= 0,
                  !(high < max(open, close)), !(low > min(open, close)) else { return nil }
            if day.number > lastDay { lastDay = day.number } else { ordered = false }
            out.items.append(Row(symbol: symbol, bar: Bar(day: day, open: open, high: high, low: low, close: close, volume: volume)))
        }
        guard let header, !out.items.isEmpty else { return nil }
        if !ordered {
            var seen = Set<String>()
            for row in out.items where !seen.insert("\(row.symbol)|\(row.bar.day.number)").inserted { return nil }
        }
        out.header = header
        return out
    }

    /// `ADANIPOWER.csv` → `ADANIPOWER`; `^NSEI.csv` → `^NSEI`.
    public static func symbol(fromFileName name: String) -> String {
        let base = name.split(separator: "/").last.map(String.init) ?? name
        return base.lowercased().hasSuffix(".csv") ? String(base.dropLast(4)) : base
    }
}
