import CoreMetrics
import Foundation
import Prometheus
import Store

/// The Prometheus textfile (`improvementd.prom`, README.md "Metrics"): after each job the
/// daemon writes the store's figures into `metrics.textfile_dir` for node_exporter's textfile
/// collector, which needs no listening socket (the hardened unit keeps its exposure score).
///
/// The values are recorded through swift-metrics' API into a fresh swift-prometheus registry,
/// which renders the exposition format; the file is written beside its final name and renamed
/// over it, so the collector never reads half a file.
public enum MetricsTextfile {
    public static let fileName = "improvementd.prom"

    /// The exposition text of `app`'s store at `now`.
    public static func render(app: App, now: Date = Date()) throws -> String {
        let registry = PrometheusCollectorRegistry()
        let factory = PrometheusMetricsFactory(registry: registry)
        func gauge(_ name: String, _ value: Double?, _ dimensions: [(String, String)] = []) {
            guard let value, value.isFinite else { return }
            CoreMetrics.Gauge(label: "improvementd_" + name, dimensions: dimensions, factory: factory).record(value)
        }
        func counter(_ name: String, _ value: Int, _ dimensions: [(String, String)]) {
            CoreMetrics.Counter(label: "improvementd_" + name, dimensions: dimensions, factory: factory).increment(by: value)
        }
        let store = app.store

        // Jobs: the last finished run of each, its duration and outcome, and runs by status.
        for run in try store.lastFinishedJobRuns() {
            let started = SignalStoreTime.date(run.startedAt), finished = SignalStoreTime.date(run.finishedAt)
            let job = [("job", run.job)]
            gauge("job_last_duration_seconds", started.flatMap { s in finished.map { $0.timeIntervalSince(s) } }, job)
            gauge("job_last_success", run.status == "succeeded" ? 1 : 0, job)
            gauge("job_last_finished_timestamp_seconds", finished?.timeIntervalSince1970, job)
        }
        for c in try store.jobRunCounts() { counter("job_runs_total", c.count, [("job", c.job), ("status", c.status)]) }

        let status = try DaemonStatus.read(app: app, now: now)
        gauge("production_version", Double(status.production?.version ?? 0))
        if let p = status.production {
            gauge("production_holdout_auc", p.holdoutAUC)
            gauge("production_holdout_auc_lower", p.holdoutAUCInterval?.lower)
            gauge("production_holdout_auc_upper", p.holdoutAUCInterval?.upper)
            gauge("production_no_demonstrated_skill", p.noDemonstratedSkill ? 1 : 0)
            gauge("production_age_days", p.ageDays)
        }
        if let e = status.lastEvaluation {
            gauge("evaluation_signals", Double(e.n))
            gauge("evaluation_labeled_in_window", Double(e.labeledInWindow))
            gauge("evaluation_auc", e.auc)
            gauge("evaluation_accuracy", e.accuracy)
            gauge("evaluation_success_rate", e.successRate)
            gauge("evaluation_timestamp_seconds", SignalStoreTime.date(e.evaluatedAt)?.timeIntervalSince1970)
        }
        for t in status.triggers {
            let name = [("trigger", t.name)]
            gauge("trigger_value", t.value, name)
            gauge("trigger_threshold", t.threshold, name)
            gauge("trigger_fired", t.fired ? 1 : 0, name)
            gauge("trigger_trusted", t.trusted ? 1 : 0, name)
        }
        for d in try store.decisionCounts() { counter("decisions_total", d.count, [("action", d.action)]) }
        gauge("signals_scored", Double(status.signals.scored))
        gauge("signals_pending", Double(status.signals.pending))
        gauge("signals_without_outcome", Double(status.signals.withoutOutcome))
        gauge("signals_unscored", Double(status.signals.unscored))
        gauge("store_size_bytes", Double(status.store.sizeBytes))
        gauge("textfile_written_timestamp_seconds", now.timeIntervalSince1970)
        return registry.emitToString()
    }

    /// Writes the file into `metrics.textfile_dir` (temp file, then rename); nil, writing
    /// nothing, when the setting is empty. Returns the path.
    @discardableResult
    public static func write(app: App, now: Date = Date()) throws -> String? {
        let dir = app.config.metrics.textfileDir
        guard !dir.isEmpty else { return nil }
        let text = try render(app: app, now: now)
        let path = (dir as NSString).appendingPathComponent(fileName)
        // A dot name: the collector reads only `*.prom` files.
        let temporary = (dir as NSString).appendingPathComponent(".\(fileName).\(getpid()).tmp")
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) else {
            throw MetricsTextfileError("cannot write \(temporary): \(String(cString: strerror(errno)))")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw MetricsTextfileError("cannot rename \(temporary) to \(path): \(reason)")
        }
        return path
    }
}

/// The textfile could not be written (the folder is missing, full or read-only).
public struct MetricsTextfileError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
