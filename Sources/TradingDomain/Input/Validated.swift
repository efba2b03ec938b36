import Foundation

/// The outcome of validating one input file: the good rows and every bad one with its reason.
///
/// Importers write nothing unless `errors` is empty, or the user chose `--skip-invalid`, in
/// which case `rejected` goes to `FILE.rejected.csv`.
public struct Validated<Item: Sendable>: Sendable {
    public var file: String
    public var items: [Item] = []
    public var errors: [InputError] = []
    /// Bad rows as (raw text, reason), in file order, for the rejected-rows file.
    public var rejected: [(raw: String, line: Int, reason: String)] = []
    /// The header line of the source, to head the rejected-rows file.
    public var header: [String] = []

    public init(file: String) { self.file = file }

    public var isValid: Bool { errors.isEmpty }

    /// Records the header and checks the file's shape: every required column present (any
    /// case) and at least one data row. False, with the error recorded at line 1, otherwise.
    mutating func checkShape(_ table: CSVTable, required: [String], hint: String? = nil) -> Bool {
        header = table.header
        let missing = required.filter { table.column($0) == nil }
        if !missing.isEmpty {
            errors.append(InputError(file: file, line: 1, reason: "missing required column(s) \(missing.joined(separator: ", "))" + (hint.map { "; \($0)" } ?? "")))
            return false
        }
        if table.rows.isEmpty {
            errors.append(InputError(file: file, line: 1, reason: "the file has a header but no data rows"))
            return false
        }
        return true
    }

    mutating func reject(_ row: CSVTable.Row, _ reason: String) {
        errors.append(InputError(file: file, line: row.line, reason: reason))
        rejected.append((row.raw, row.line, reason))
    }
}

/// Field helpers shared by the row validators.
struct FieldReader {
    var row: CSVTable.Row

    func text(_ index: Int?) -> String? {
        guard let index, index < row.fields.count else { return nil }
        let value = row.fields[index].trimmingSpaces()
        return value.isEmpty ? nil : value
    }

    /// A number, or a reason it is not one. Empty → nil without a reason.
    func number(_ index: Int?, name: String) -> (Double?, String?) {
        guard let raw = text(index) else { return (nil, nil) }
        guard let value = Double(raw) else { return (nil, "\(name) '\(raw)' is not a number") }
        guard value.isFinite else { return (nil, "\(name) '\(raw)' is not a finite number") }
        return (value, nil)
    }
}
