import Foundation
import Store
import TradingDomain

/// What `export` writes.
public enum ExportKind: String, CaseIterable, Sendable { case outcomes, features, predictions }

/// The CSV exports of outcomes, features and the latest predictions (README.md, "Commands").
public struct Exporting: Sendable {
    public let config: Configuration
    public let store: SignalStore

    public init(config: Configuration, store: SignalStore) {
        self.config = config
        self.store = store
    }

    /// Writes `kind` to `path` atomically; returns the number of data rows.
    public func export(_ kind: ExportKind, to path: String) throws -> Int {
        var lines: [String] = []
        switch kind {
        case .outcomes:
            lines.append("signal_id,symbol,strategy,signal_type,entry_date,entry_price,target_price,stop_loss,outcome,exit_date,exit_price,return_pct,days_held,hit_target,hit_stop")
            let outcomes = try store.outcomes()
            let label = config.labels.labelConfig
            for s in try store.signals() {
                guard let o = outcomes[s.id], o.status == .labeled, let outcome = o.label else { continue }
                lines.append([
                    Importer.csvField(s.id), Importer.csvField(s.symbol), Importer.csvField(s.strategy), s.type.rawValue,
                    s.entryDate.iso, Self.number(s.entryPrice), Self.number(label.target(for: s)), Self.number(label.stop(for: s)),
                    String(outcome), o.exitDate?.iso ?? "", o.exitPrice.map(Self.number) ?? "", o.returnPct.map(Self.number) ?? "",
                    o.daysHeld.map(String.init) ?? "", o.hitTarget ? "1" : "0", o.hitStop ? "1" : "0",
                ].joined(separator: ","))
            }
        case .features:
            let engine = try FeatureComputation(config: config, store: store).engine()
            let hash = engine.schema.hash
            let stored = try store.features(schemaHash: hash)
            lines.append((["signal_id"] + engine.schema.columns).map(Importer.csvField).joined(separator: ","))
            for s in try store.signals() {
                guard let f = stored[s.id] else { continue }
                lines.append(([Importer.csvField(s.id)] + f.values.map { $0.isNaN ? "" : Self.number($0) }).joined(separator: ","))
            }
        case .predictions:
            // The `signal_scores` view: the latest score per signal with its decision; empty
            // fields where a row scored before the take policy (or without sizing) has none.
            lines.append("signal_id,model_version,probability,scored_at,blended_probability,take,threshold,size")
            for p in try store.signalScores() {
                lines.append([
                    Importer.csvField(p.signalId), String(p.modelVersion), Self.number(p.probability), p.scoredAt,
                    p.blendedProbability.map(Self.number) ?? "", p.take.map { $0 ? "1" : "0" } ?? "",
                    p.threshold.map(Self.number) ?? "", p.size.map(Self.number) ?? "",
                ].joined(separator: ","))
            }
        }
        let text = lines.joined(separator: "\n") + "\n"
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw ExportError(path: path, reason: error.localizedDescription)
        }
        return lines.count - 1
    }

    /// Shortest text that reads back as the same double.
    static func number(_ v: Double) -> String { "\(v)" }
}

/// An export that could not be written.
public struct ExportError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "cannot write \(path): \(reason)" }
}
