import Foundation
import Store
import TradingDomain

/// The kinds of input `improvementd import` takes (README.md, "Importing").
public enum ImportKind: String, Codable, Sendable, CaseIterable {
    case bars, signals, symbols, events, external
}

/// What an import did, for the CLI and the daily job.
public struct ImportReport: Sendable, Codable {
    public var kind: ImportKind
    public var files: [String] = []
    public var rows: Int = 0
    public var written: Int = 0
    public var unchanged: Int = 0
    public var rejected: Int = 0
    public var rejectedFiles: [String] = []
    public var skipped: [String: Int] = [:]
}

/// Refused input: every bad row as `FILE:LINE: reason`. Nothing was written.
public struct InvalidInput: Error, Sendable, CustomStringConvertible {
    public var errors: [InputError]
    public var description: String {
        errors.map(\.description).joined(separator: "\n") + "\n\(errors.count) invalid row(s); nothing was written (use --skip-invalid to import the valid rows)"
    }
}

/// Validates whole inputs before writing anything, then writes in one transaction per kind.
public struct Importer: Sendable {
    public let store: SignalStore

    public init(store: SignalStore) { self.store = store }

    /// Imports `paths` (files, or folders of files for bars). Throws `InvalidInput` when any row
    /// is bad and `skipInvalid` is false; with it, bad rows go to `FILE.rejected.csv`.
    public func run(_ kind: ImportKind, paths: [String], skipInvalid: Bool) throws -> ImportReport {
        let files = try Self.expand(paths, kind: kind)
        var report = ImportReport(kind: kind, files: files)
        switch kind {
        case .bars:
            // File by file inside one write transaction, so memory holds one file, not the whole
            // input: once any file is invalid (beyond what --skip-invalid skips) nothing more is
            // written, and `settle` throws inside the transaction, which rolls it all back.
            var results: [Validated<BarInput.Row>] = []
            var rowsRead = 0
            var inputError: (any Error)? // thrown as is, not as the store's "nothing was written"
            // Files are read and validated on a second thread, in order, a file or two ahead of
            // the writer; the writer takes them in file order, so the outcome is the same.
            let reader = BarFileReader(files: files, read: Self.validateBars)
            defer { reader.stop() }
            do {
                let count = try store.importingBars { upsert in
                    var count = WriteCount(), refused = false
                    for index in files.indices {
                        var v: Validated<BarInput.Row>
                        do { v = try reader.take(index) } catch { inputError = error; throw error }
                        if !v.errors.isEmpty && (!skipInvalid || v.rejected.isEmpty) { refused = true }
                        if !refused {
                            let c = try upsert(v.items)
                            count.written += c.written
                            count.unchanged += c.unchanged
                        }
                        rowsRead += v.items.count + v.rejected.count
                        v.items = []
                        results.append(v)
                    }
                    do { try settle(results, skipInvalid: skipInvalid, into: &report) } catch { inputError = error; throw error }
                    return count
                }
                report.rows = rowsRead
                report.written = count.written
                report.unchanged = count.unchanged
            } catch {
                throw inputError ?? error
            }
        case .signals:
            var all = [Signal]()
            var results: [Validated<Signal>] = []
            for file in files {
                let v: Validated<Signal>
                if file.lowercased().hasSuffix(".jsonl") || file.lowercased().hasSuffix(".ndjson") {
                    v = SignalInput.validateJSONLines(try Self.data(file), file: file)
                } else {
                    v = SignalInput.validate(try Self.table(file), file: file)
                }
                results.append(v)
                all += v.items
            }
            try settle(results, skipInvalid: skipInvalid, into: &report)
            var seen = Set<String>()
            for s in all where !seen.insert(s.id).inserted {
                throw InvalidInput(errors: [InputError(file: files.joined(separator: ","), line: 0, reason: "signal_id '\(s.id)' appears in more than one file")])
            }
            let count = try store.upsertSignals(all, source: "import")
            report.written = count.written
            report.unchanged = count.unchanged
        case .symbols:
            try simple(files, skipInvalid: skipInvalid, report: &report, validate: ReferenceInput.symbols, write: store.upsertSymbols)
        case .events:
            try simple(files, skipInvalid: skipInvalid, report: &report, validate: ReferenceInput.events, write: store.upsertEvents)
        case .external:
            try simple(files, skipInvalid: skipInvalid, report: &report, validate: ReferenceInput.external, write: store.upsertExternal)
        }
        return report
    }

    /// Reads and validates one bars file: from its bytes when the file is plain and valid,
    /// through CSVTable (its wording of every error, its raw rows) otherwise.
    @Sendable static func validateBars(_ file: String) throws -> Validated<BarInput.Row> {
        let symbol = BarInput.symbol(fromFileName: file)
        let data = try Self.data(file)
        return try BarInput.validate(bytes: data, file: file, defaultSymbol: symbol)
            ?? BarInput.validate(Self.table(data, file: file), file: file, defaultSymbol: symbol)
    }

    private func simple<T: Sendable>(
        _ files: [String], skipInvalid: Bool, report: inout ImportReport,
        validate: (CSVTable, String) -> Validated<T>, write: ([T]) throws(StoreError) -> WriteCount
    ) throws {
        var results: [Validated<T>] = []
        for file in files {
            results.append(validate(try Self.table(file), file))
        }
        try settle(results, skipInvalid: skipInvalid, into: &report)
        let count = try write(results.flatMap(\.items))
        report.written = count.written
        report.unchanged = count.unchanged
    }

    /// Refuses the whole input on any error, or (with --skip-invalid) writes the rejected rows.
    private func settle<T>(_ results: [Validated<T>], skipInvalid: Bool, into report: inout ImportReport) throws {
        report.rows = results.reduce(0) { $0 + $1.items.count + $1.rejected.count }
        let errors = results.flatMap(\.errors)
        if errors.isEmpty { return }
        // File-level errors (no data, missing columns, unreadable) cannot be skipped row by row.
        let fileLevel = results.filter { !$0.errors.isEmpty && $0.rejected.isEmpty }
        if !skipInvalid || !fileLevel.isEmpty {
            throw InvalidInput(errors: skipInvalid ? fileLevel.flatMap(\.errors) : errors)
        }
        for r in results where !r.rejected.isEmpty {
            let path = r.file + ".rejected.csv"
            var text = (r.header + ["line", "reason"]).map(Self.csvField).joined(separator: ",") + "\n"
            if r.header == ["json"] {
                text = "line,reason,json\n"
                for row in r.rejected { text += "\(row.line),\(Self.csvField(row.reason)),\(Self.csvField(row.raw))\n" }
            } else {
                for row in r.rejected { text += "\(row.raw),\(row.line),\(Self.csvField(row.reason))\n" }
            }
            do {
                try text.write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                throw InvalidInput(errors: [InputError(file: path, line: 0, reason: "cannot write the rejected rows: \(error.localizedDescription)")])
            }
            report.rejected += r.rejected.count
            report.rejectedFiles.append(path)
        }
    }

    static func csvField(_ s: String) -> String {
        s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// Reads a CSV file; a parse failure is thrown as `InvalidInput` naming the file and line.
    static func table(_ file: String) throws -> CSVTable {
        try table(try data(file), file: file)
    }

    /// The same for bytes already read.
    static func table(_ data: Data, file: String) throws -> CSVTable {
        do {
            return try CSVTable.parse(data, file: file)
        } catch let error as InputError {
            throw InvalidInput(errors: [error])
        }
    }

    static func data(_ file: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw InvalidInput(errors: [InputError(file: file, line: 0, reason: "cannot read the file (missing or not readable)")])
        }
        return data
    }

    /// Files named by `paths`: a folder stands for its `.csv` (and `.jsonl` for signals) files, sorted.
    static func expand(_ paths: [String], kind: ImportKind) throws -> [String] {
        var out: [String] = []
        for path in paths {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
                throw InvalidInput(errors: [InputError(file: path, line: 0, reason: "no such file or folder")])
            }
            if isDir.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                let picked = names.filter {
                    let l = $0.lowercased()
                    if l.hasSuffix(".rejected.csv") { return false }
                    return l.hasSuffix(".csv") || (kind == .signals && (l.hasSuffix(".jsonl") || l.hasSuffix(".ndjson")))
                }.sorted()
                if picked.isEmpty {
                    throw InvalidInput(errors: [InputError(file: path, line: 0, reason: "the folder holds no .csv files")])
                }
                out += picked.map { (path as NSString).appendingPathComponent($0) }
            } else {
                out.append(path)
            }
        }
        return out
    }
}
