/// Validates the reference inputs (README.md, "Importing"): symbols, events and external features.
public enum ReferenceInput {
    public static func symbols(_ table: CSVTable, file: String) -> Validated<SymbolInfo> {
        var out = Validated<SymbolInfo>(file: file)
        guard out.checkShape(table, required: ["symbol"]) else { return out }
        let symbolCol = table.column("symbol")
        let nameCol = table.column("name", "company_name")
        let sectorCol = table.column("sector", "industry")
        let capCol = table.column("market_cap_category")
        var seen: [String: Int] = [:]
        for row in table.rows {
            let r = FieldReader(row: row)
            if row.fields.count != table.header.count { out.reject(row, "expected \(table.header.count) fields, found \(row.fields.count)"); continue }
            guard let symbol = r.text(symbolCol) else { out.reject(row, "symbol is empty"); continue }
            var cap = r.text(capCol)?.lowercased()
            if let c = cap, !["large", "mid", "small"].contains(c) { out.reject(row, "market_cap_category '\(c)' must be large, mid or small"); continue }
            if cap == "" { cap = nil }
            if let first = seen[symbol] { out.reject(row, "duplicate symbol '\(symbol)' (first at line \(first))"); continue }
            seen[symbol] = row.line
            out.items.append(SymbolInfo(symbol: symbol, name: r.text(nameCol), sector: r.text(sectorCol), marketCapCategory: cap))
        }
        return out
    }

    public static func events(_ table: CSVTable, file: String) -> Validated<SymbolEvent> {
        var out = Validated<SymbolEvent>(file: file)
        guard out.checkShape(table, required: ["symbol", "date", "kind"]) else { return out }
        let cols = (table.column("symbol"), table.column("date"), table.column("kind"))
        for row in table.rows {
            let r = FieldReader(row: row)
            if row.fields.count != table.header.count { out.reject(row, "expected \(table.header.count) fields, found \(row.fields.count)"); continue }
            guard let symbol = r.text(cols.0) else { out.reject(row, "symbol is empty"); continue }
            guard let d = r.text(cols.1), d.utf8.count == 10, let day = Day(iso: d) else { out.reject(row, "date '\(r.text(cols.1) ?? "")' is not an ISO date (YYYY-MM-DD)"); continue }
            guard let kind = r.text(cols.2) else { out.reject(row, "kind is empty"); continue }
            out.items.append(SymbolEvent(symbol: symbol, day: day, kind: kind))
        }
        return out
    }

    public static func external(_ table: CSVTable, file: String) -> Validated<ExternalValue> {
        var out = Validated<ExternalValue>(file: file)
        guard out.checkShape(table, required: ["symbol", "date", "name", "value"]) else { return out }
        let cols = (table.column("symbol"), table.column("date"), table.column("name"), table.column("value"))
        var seen: [String: Int] = [:]
        for row in table.rows {
            let r = FieldReader(row: row)
            if row.fields.count != table.header.count { out.reject(row, "expected \(table.header.count) fields, found \(row.fields.count)"); continue }
            guard let symbol = r.text(cols.0) else { out.reject(row, "symbol is empty"); continue }
            guard let d = r.text(cols.1), d.utf8.count == 10, let day = Day(iso: d) else { out.reject(row, "date '\(r.text(cols.1) ?? "")' is not an ISO date (YYYY-MM-DD)"); continue }
            guard let name = r.text(cols.2) else { out.reject(row, "name is empty"); continue }
            guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-" }) else {
                out.reject(row, "name '\(name)' may hold only letters, digits, '_', '.' and '-'"); continue
            }
            let (value, why) = r.number(cols.3, name: "value")
            if let why { out.reject(row, why); continue }
            guard let value else { out.reject(row, "value is empty"); continue }
            let key = "\(symbol)|\(day.number)|\(name)"
            if let first = seen[key] { out.reject(row, "duplicate \(name) for \(symbol) on \(day.iso) (first at line \(first))"); continue }
            seen[key] = row.line
            out.items.append(ExternalValue(symbol: symbol, day: day, name: name, value: value))
        }
        return out
    }
}
