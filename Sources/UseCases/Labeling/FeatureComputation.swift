import Foundation
import ModelMetrics
import Store
import TradingDomain

/// What `features` did (README.md, "Features").
public struct FeatureReport: Codable, Sendable {
    /// Signals with a feature row of this schema.
    public var rows = 0
    /// Rows new or changed by this run.
    public var changed = 0
    /// Signals whose features this run computed: those a changed input can reach (all on a full run).
    public var recomputed = 0
    public var schemaVersion = 0
    public var schemaHash = ""
    public var columns = 0
}

/// Computes and stores the point-in-time features of the signals a change reaches
/// (README.md, "Features").
public struct FeatureComputation: Sendable {
    public let config: Configuration
    public let store: SignalStore

    public init(config: Configuration, store: SignalStore) {
        self.config = config
        self.store = store
    }

    public var featureConfig: FeatureConfig { config.features.featureConfig(indexSymbol: config.indexSymbol) }

    /// What features depend on besides the stored inputs; a change recomputes every signal.
    func featureFingerprint(_ schema: FeatureSchema) -> String {
        let json = (try? JSONEncoder.sortedKeys().encode(featureConfig)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return "schema \(schema.hash)|\(json)"
    }

    /// A feature engine over everything in the store (optionally restricted to a model's external columns).
    public func engine(externalNames: [String]? = nil) throws -> FeatureEngine {
        // Series stream from the store into the engine: only the indicators stay in memory.
        try FeatureEngine(
            index: try store.barSeries(symbols: [config.indexSymbol])[config.indexSymbol],
            eachSeries: { body in try store.forEachBarSeries { body($0) } },
            symbols: try store.symbolInfos(), events: try store.events(),
            externals: try store.externalValues(), strategyCodes: try store.strategyCodes(),
            externalNames: externalNames, config: featureConfig
        )
    }

    /// Feature rows computed and written at a time.
    public static let chunk = 50_000

    /// Computes the point-in-time features of the signals a change reaches — new or changed
    /// signals, signals entering after a new or corrected bar of any symbol, every signal when
    /// symbols, events, external series, the schema or the configuration changed — and stores
    /// those that differ. `full` recomputes every signal; `chunk` rows are computed and written
    /// at a time.
    public func compute(full: Bool = false, chunk: Int = FeatureComputation.chunk) throws -> FeatureReport {
        if full { try store.markAllDirty([.features]) }
        var schema = FeatureSchema(externalNames: try store.externalNames())
        var fingerprint = featureFingerprint(schema)
        let (dirty, signals) = try store.signalsToRecompute(fingerprint: fingerprint)
        var report = FeatureReport()
        if !dirty.isEmpty {
            if signals.isEmpty {
                report.changed = try store.upsertFeatures(
                    schemaHash: schema.hash, version: schema.version, names: schema.columns, rows: [],
                    consuming: dirty, fingerprint: fingerprint
                ).written
            } else {
                // The index alone is held; every other series is read symbol by symbol as its
                // signals' rows are computed, and freed before the next.
                let engine = try FeatureEngine(
                    index: try store.barSeries(of: config.indexSymbol), eachSeries: { _ in },
                    symbols: try store.symbolInfos(), events: try store.events(),
                    externals: try store.externalValues(), strategyCodes: try store.strategyCodes(),
                    config: featureConfig
                )
                // An external import between the two reads changes the schema; it also marked
                // every signal dirty again, so the next run recomputes under the new schema.
                schema = engine.schema
                fingerprint = featureFingerprint(schema)
                // Chunks of rows are written as they are computed (a million rows would hold
                // ~400 MB at once); the marks are consumed with the last chunk, so a crash part-way
                // leaves them in place and the next run recomputes, writing only what differs.
                try engine.streamRows(for: signals, series: { try store.barSeries(of: $0) }, chunk: chunk) { rows, last in
                    report.changed += try store.upsertFeatures(
                        schemaHash: schema.hash, version: schema.version, names: schema.columns,
                        rows: rows.map { (signalId: $0.signal.id, featureDate: $0.featureDate, values: $0.values) },
                        consuming: last ? dirty : nil, fingerprint: fingerprint
                    ).written
                }
            }
            report.recomputed = signals.count
        }
        report.rows = try store.featureRowCount(schemaHash: schema.hash)
        report.schemaVersion = schema.version
        report.schemaHash = schema.hash
        report.columns = schema.columns.count
        return report
    }

}
