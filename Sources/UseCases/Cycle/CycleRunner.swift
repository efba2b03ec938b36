import Daemon
import Foundation
import Learning
import Logging
import Store
import Synchronization

/// Runs the scheduled jobs against the store (the `JobRunner` the scheduler calls).
///
/// Each job runs on a dedicated thread, never on Swift's cooperative pool (two threads here):
/// training blocks in C for seconds. Cancelling the calling task (graceful shutdown) raises a
/// stop flag that training checks between rounds and trials; the job then throws, registers
/// nothing and is not recorded, so it runs again as a missed job at the next start-up.
public final class CycleRunner: JobRunner, Sendable {
    private let app: Mutex<App>
    private let clock: @Sendable () -> Date

    public init(app: App, now: @escaping @Sendable () -> Date = { Date() }) {
        self.app = Mutex(app)
        self.clock = now
    }

    /// The app jobs run with; replaced by `reload` (SIGHUP).
    public var current: App { app.withLock { $0 } }

    /// Swaps in a new configuration for the next jobs (the store stays open).
    public func reload(_ config: Configuration) {
        app.withLock { $0 = App(config: config, store: $0.store, logger: $0.logger) }
    }

    public func run(job: JobKind, period: String) async throws {
        let app = current
        let now = clock()
        guard try app.store.beginJob(job.rawValue, period: period, at: now) else { return }
        let stop = StopFlag()
        do {
            let detail = try await withTaskCancellationHandler {
                try await Self.onThread {
                    if stop.isSet { throw CancellationError() }
                    return try Self.perform(job, app: app, now: now, shouldStop: { stop.isSet })
                }
            } onCancel: {
                stop.set()
            }
            try app.store.finishJob(job.rawValue, period: period, succeeded: true, detail: detail, at: clock())
            app.logger.info("\(job.rawValue) \(period): \(detail)", metadata: ["job": "\(job.rawValue)", "period": "\(period)"])
            Self.writeMetrics(app, now: clock())
        } catch {
            try? app.store.finishJob(job.rawValue, period: period, succeeded: false, detail: "\(error)", at: clock())
            Self.writeMetrics(app, now: clock())
            throw error
        }
    }

    /// The Prometheus textfile after a job (when `metrics.textfile_dir` is set); a failure to
    /// write it is logged, never the job's failure.
    public static func writeMetrics(_ app: App, now: Date) {
        do {
            try MetricsTextfile.write(app: app, now: now)
        } catch {
            app.logger.warning("the metrics textfile could not be written", metadata: ["event": "error", "error": "\(error)"])
        }
    }

    public func lastRuns() async throws -> [JobKind: String] {
        var out: [JobKind: String] = [:]
        for (name, period) in try current.store.lastJobRuns() {
            if let kind = JobKind(rawValue: name) { out[kind] = period }
        }
        return out
    }

    public func statusSummary() async -> String? {
        guard let p = try? current.store.productionModel() else { return "no production model yet" }
        return "production v\(p.version) (\(p.algorithm))"
    }

    /// Idle until the next fire: give back the heap the jobs freed and the library pages they
    /// touched (bench/README.md, "The idle daemon").
    public func willSleep() async {
        Classifiers.releaseFreedMemory()
        ResidentPages.releaseCleanFilePages()
    }

    /// The work of one job; returns a one-line summary for `job_runs.detail`.
    static func perform(_ job: JobKind, app: App, now: Date, shouldStop: @escaping StopCheck) throws -> String {
        switch job {
        case .daily:
            let (d, _) = try app.cycle.daily(now: now)
            let e = d.evaluation
            return "imported \(d.imports.count) file(s), labeled \(d.labels.changed) new/changed, online model +\(d.online?.updates ?? 0) (blend weight \(d.online?.blendWeight ?? 1)), scored \(d.scoring.scored), evaluated \(e?.predictions.count ?? 0) signals"
        case .weekly, .monthly:
            _ = try app.labeling.label(totals: false)
            // The monthly job is the full retrain; the weekly one retrains when a trigger fires.
            let d = try app.cycle.checkAndRetrain(job: .scheduled(job), full: job == .monthly, now: now, shouldStop: shouldStop)
            return "decision #\(d.id): \(d.action) — \(d.reason)\(d.result.map { "; \($0)" } ?? "")"
        }
    }

    /// Runs `body` on a new thread (8 MiB stack) and resumes with its result: for work that
    /// blocks in C for seconds, which must not hold one of the cooperative pool's threads.
    public static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}

/// A flag raised once, read from any thread.
public final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    public init() {}
    public func set() { value.store(true, ordering: .relaxed) }
    /// Raises the flag; true only for the one call that raised it.
    public func raise() -> Bool { !value.exchange(true, ordering: .relaxed) }
    public var isSet: Bool { value.load(ordering: .relaxed) }
}
