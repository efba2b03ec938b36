import Foundation
import Store
import TradingDomain

/// What `label` did (SPEC §3).
public struct LabelReport: Codable, Sendable {
    public var signals = 0
    public var success = 0
    public var failure = 0
    public var pending = 0
    public var expired = 0
    /// Outcomes new or changed by this run (a later bar, a corrected bar).
    public var changed = 0
    /// Signals this run labeled again: those a changed bar or signal can reach (all on a full run).
    public var recomputed = 0
}

/// What `features` did (SPEC §4).
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

/// Per-strategy success rates of labeled signals.
public struct StrategySummary: Codable, Sendable {
    public var strategy: String
    public var signals: Int
    public var success: Int
    public var failure: Int
    public var pending: Int
    public var expired: Int
    public var successRate: Double? { success + failure > 0 ? Double(success) / Double(success + failure) : nil }
}

extension App {
    public var labelConfig: LabelConfig { config.labels.labelConfig }

    public var featureConfig: FeatureConfig { config.features.featureConfig(indexSymbol: config.indexSymbol) }

    /// Bump when the labeling rule changes in code: stores labeled by an older rule relabel all.
    static let labelRuleVersion = 1

    /// What labels depend on besides the bars and signals; a change relabels every signal.
    var labelFingerprint: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = (try? encoder.encode(labelConfig)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return "rule \(Self.labelRuleVersion)|index \(config.indexSymbol)|\(json)"
    }

    /// What features depend on besides the stored inputs; a change recomputes every signal.
    func featureFingerprint(_ schema: FeatureSchema) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = (try? encoder.encode(featureConfig)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return "schema \(schema.hash)|\(json)"
    }

    /// Labels the signals from the stored bars. Labels are pure functions of the bars, so a run
    /// relabels only the signals a change reaches — new or changed signals, signals whose window
    /// holds a new or corrected bar, unsettled signals of a symbol or index with new bars — and
    /// writes only what changed. `full` relabels every signal and marks every feature row for
    /// the next `computeFeatures()` (a new configuration relabels every signal too);
    /// `totals: false` leaves the report's store-wide counts at 0 (callers that only need the
    /// labels up to date skip counting every outcome).
    public func label(full: Bool = false, totals: Bool = true) throws -> LabelReport {
        if full { try store.markAllDirty() }
        let fingerprint = labelFingerprint
        let (dirty, signals) = try store.signalsToRelabel(horizonDays: config.labels.horizonDays, indexSymbol: config.indexSymbol, fingerprint: fingerprint)
        var report = LabelReport()
        if !dirty.isEmpty {
            var bars: [String: BarSeries] = [:]
            if !signals.isEmpty {
                bars = try store.barSeries(symbols: dirty.all ? nil : Set(signals.map(\.symbol)).union([config.indexSymbol]))
            }
            let outcomes = TripleBarrier.label(signals, barsBySymbol: bars, indexSymbol: config.indexSymbol, config: labelConfig)
            report.changed = try store.upsertOutcomes(outcomes, consuming: dirty, fingerprint: fingerprint).written
            report.recomputed = signals.count
        }
        guard totals else { return report }
        for (status, label, count) in try store.outcomeCounts() {
            switch status {
            case .labeled: if label == 1 { report.success += count } else { report.failure += count }
            case .pending: report.pending += count
            case .expired: report.expired += count
            }
        }
        report.signals = try store.signalCount()
        return report
    }

    /// A feature engine over everything in the store (optionally restricted to a model's external columns).
    public func featureEngine(externalNames: [String]? = nil) throws -> FeatureEngine {
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
    public static let featureChunk = 50_000

    /// Computes the point-in-time features of the signals a change reaches — new or changed
    /// signals, signals entering after a new or corrected bar of any symbol, every signal when
    /// symbols, events, external series, the schema or the configuration changed — and stores
    /// those that differ. `full` recomputes every signal; `chunk` rows are computed and written
    /// at a time.
    public func computeFeatures(full: Bool = false, chunk: Int = App.featureChunk) throws -> FeatureReport {
        if full { try store.markAllDirty([.features]) }
        var schema = FeatureSchema(externalNames: try store.externalNames())
        var fingerprint = featureFingerprint(schema)
        let (dirty, signals) = try store.signalsToRecompute(fingerprint: fingerprint)
        var report = FeatureReport()
        if !dirty.isEmpty {
            var engine: FeatureEngine?
            if !signals.isEmpty {
                engine = try featureEngine()
                // An external import between the two reads changes the schema; it also marked
                // every signal dirty again, so the next run recomputes under the new schema.
                schema = engine!.schema
                fingerprint = featureFingerprint(schema)
            }
            // Chunks of rows are written as they are computed (a million rows would hold
            // ~400 MB at once); the marks are consumed with the last chunk, so a crash part-way
            // leaves them in place and the next run recomputes, writing only what differs.
            var start = 0
            repeat {
                let part = signals[start..<min(signals.count, start + max(1, chunk))]
                let rows = engine.map { e in zip(part, e.rows(for: Array(part))).map { (signalId: $0.id, featureDate: e.featureDate(of: $0), values: $1) } } ?? []
                start += part.count
                let last = start >= signals.count
                report.changed += try store.upsertFeatures(
                    schemaHash: schema.hash, version: schema.version, names: schema.columns, rows: rows,
                    consuming: last ? dirty : nil, fingerprint: fingerprint
                ).written
            } while start < signals.count
            report.recomputed = signals.count
        }
        report.rows = try store.featureRowCount(schemaHash: schema.hash)
        report.schemaVersion = schema.version
        report.schemaHash = schema.hash
        report.columns = schema.columns.count
        return report
    }

    /// Replays built-in strategies over the stored bars (SPEC §10); ids are deterministic, so a
    /// re-run adds nothing.
    public func backfill(_ strategies: [BuiltInStrategy]) throws -> WriteCount {
        let bars = try store.barSeries()
        let signals = BuiltInStrategy.backfill(strategies, barsBySymbol: bars, config: labelConfig)
        return try store.upsertSignals(signals, source: "backfill")
    }

    public func strategySummaries() throws -> [StrategySummary] {
        let outcomes = try store.outcomes()
        var out: [String: StrategySummary] = [:]
        for s in try store.signals() {
            var row = out[s.strategy] ?? StrategySummary(strategy: s.strategy, signals: 0, success: 0, failure: 0, pending: 0, expired: 0)
            row.signals += 1
            switch outcomes[s.id] {
            case let o? where o.status == .labeled: if o.label == 1 { row.success += 1 } else { row.failure += 1 }
            case let o? where o.status == .expired: row.expired += 1
            default: row.pending += 1
            }
            out[s.strategy] = row
        }
        return out.values.sorted { $0.strategy < $1.strategy }
    }
}
