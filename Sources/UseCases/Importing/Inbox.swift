import Foundation
import Logging
import Store

/// Imports the files dropped in the inbox folder, one at a time, and files each away.
public struct InboxImport: Sendable {
    public let config: Configuration
    public let store: SignalStore
    public let logger: Logger

    public init(config: Configuration, store: SignalStore, logger: Logger) {
        self.config = config
        self.store = store
        self.logger = logger
    }

    /// Imports files dropped in the inbox (`bars/`, `signals/`, `symbols/`, `events/`,
    /// `external/` under `inbox_dir`). Each file is validated whole; a valid file moves to
    /// `done/`, an invalid one to `failed/` with a `.errors.txt` beside it. Nothing is lost.
    public func run() -> ([ImportReport], [String]) {
        var reports: [ImportReport] = []
        var errors: [String] = []
        let fm = FileManager.default
        let order: [ImportKind] = [.symbols, .bars, .events, .external, .signals]
        for kind in order {
            let folder = (config.inboxDir as NSString).appendingPathComponent(kind.rawValue)
            guard let names = try? fm.contentsOfDirectory(atPath: folder) else { continue }
            for name in names.sorted() where name.lowercased().hasSuffix(".csv") || name.lowercased().hasSuffix(".jsonl") {
                if name.hasSuffix(".rejected.csv") { continue }
                let path = (folder as NSString).appendingPathComponent(name)
                let outcome: String
                do {
                    reports.append(try Importer(store: store).run(kind, paths: [path], skipInvalid: false))
                    outcome = "done"
                } catch {
                    errors.append("\(error)")
                    logger.error("inbox file refused", metadata: ["event": "error", "path": "\(path)", "error": "\(error)"])
                    outcome = "failed"
                    let dir = (folder as NSString).appendingPathComponent("failed")
                    try? fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
                    try? "\(error)\n".write(toFile: (dir as NSString).appendingPathComponent(name + ".errors.txt"), atomically: true, encoding: .utf8)
                }
                let dir = (folder as NSString).appendingPathComponent(outcome)
                try? fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
                let target = (dir as NSString).appendingPathComponent(name)
                try? fm.removeItem(atPath: target)
                try? fm.moveItem(atPath: path, toPath: target)
            }
        }
        return (reports, errors)
    }
}
