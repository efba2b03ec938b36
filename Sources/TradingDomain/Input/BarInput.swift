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

    /// `ADANIPOWER.csv` → `ADANIPOWER`; `^NSEI.csv` → `^NSEI`.
    public static func symbol(fromFileName name: String) -> String {
        let base = name.split(separator: "/").last.map(String.init) ?? name
        return base.lowercased().hasSuffix(".csv") ? String(base.dropLast(4)) : base
    }
}
