import ArgumentParser
import Foundation
import UseCases

/// `improvementd import bars|signals|symbols|events|external PATH... [--skip-invalid]`.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Validate and import bars, signals, symbols, events or external features.",
        discussion: "The whole input is validated first; any bad row refuses it all (exit 3), each reported as FILE:LINE: reason."
    )

    @Argument(help: "What the files hold.")
    var kind: ImportKind

    @Argument(help: "Files, or folders of .csv files.")
    var paths: [String] = []

    @Flag(name: .long, help: "Import the valid rows; write the rejected ones with reasons to FILE.rejected.csv.")
    var skipInvalid = false

    @Flag(name: .long, help: "Print the report as JSON.")
    var json = false

    @Option(name: .long, help: "Signals only: read them from the trading system's SQLite database (read-only).")
    var fromDb: String?

    @Option(name: .long, help: "With --from-db and --skip-invalid: also write the rejected rows to this CSV file.")
    var rejected: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if fromDb != nil, kind != .signals { throw ValidationError("--from-db is for `import signals` only") }
        if paths.isEmpty, fromDb == nil { throw ValidationError("name at least one file or folder to import") }
    }

    func run() throws {
        let app = try global.app()
        let report: ImportReport
        if let fromDb {
            report = try TradingDatabaseImporter(store: app.store, timezone: app.config.exchangeTimezone).run(path: fromDb, skipInvalid: skipInvalid, rejectedFile: rejected)
        } else {
            report = try app.importer.run(kind, paths: paths, skipInvalid: skipInvalid)
        }
        if json {
            print(try Output.json(report))
        } else {
            print("imported \(report.kind.rawValue): \(report.rows) rows read from \(report.files.count) file(s), \(report.written) written, \(report.unchanged) unchanged\(report.rejected > 0 ? ", \(report.rejected) rejected" : "")")
            for (what, n) in report.skipped.sorted(by: { $0.key < $1.key }) { print("  skipped \(n) \(what)") }
            for f in report.rejectedFiles { print("  rejected rows written to \(f)") }
        }
    }
}
