import ArgumentParser
import Foundation
import ModelMetrics
import UseCases
import Store

/// `improvementd status [--json] [--tables]`: how the daemon stands, for a person (README.md,
/// "Status"); `--tables` gives what the store holds: rows per table, date ranges per symbol.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show how the daemon stands: production, the last evaluation, triggers, decision, next runs, signals, store.",
        discussion: "--json follows docs/status.schema.json; --tables lists rows per table and bar ranges (with --json, as before)."
    )

    @Flag(name: .long, help: "Print as JSON (docs/status.schema.json; with --tables, the table counts).")
    var json = false

    @Flag(name: .long, help: "Rows per table, bar date ranges per symbol, the production model.")
    var tables = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let app = try global.app()
        guard tables else {
            let status = try DaemonStatus.read(app: app)
            print(json ? try Output.json(status) : status.text)
            return
        }
        var status = try app.store.status()
        status.productionFallback = try ProductionFallback.current(store: app.store)?.description
        if json {
            print(try Output.json(status))
            return
        }
        print("store: \(status.path)")
        print("rows:")
        for t in SignalStore.tables { print("  \(t.padding(toLength: 18, withPad: " ", startingAt: 0)) \(status.rows[t] ?? 0)") }
        if !status.labelCounts.isEmpty {
            print("outcomes: " + status.labelCounts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if status.symbols.isEmpty {
            print("bars: none yet (improvementd import bars DIR)")
        } else {
            print("bars per symbol:")
            for s in status.symbols {
                print("  \(s.symbol.padding(toLength: 12, withPad: " ", startingAt: 0)) \(String(s.bars).padding(toLength: 6, withPad: " ", startingAt: 0)) \(s.first) .. \(s.last)")
            }
        }
        if let p = status.production {
            print("production model: v\(p.version) \(p.algorithm), created \(p.createdAt)\(p.holdoutAUCInterval.map { ", holdout AUC \($0.formatted(decimals: 4))" + ($0.contains(0.5) ? " (no demonstrated skill)" : "") } ?? p.holdoutAUC.map { String(format: ", holdout AUC %.4f", $0) } ?? "")")
        } else {
            print("production model: none yet (improvementd train)")
        }
        if let fallback = status.productionFallback { print("production artifact: BROKEN: \(fallback)") }
    }
}

/// Output helpers shared by the commands.
enum Output {
    static func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try JSONEncoder.sortedKeys(pretty: true).encode(value), as: UTF8.self)
    }
}
