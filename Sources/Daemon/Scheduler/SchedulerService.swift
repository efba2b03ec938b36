import Foundation
import Logging
import ServiceLifecycle

/// Runs the daemon's jobs; implemented by the improvement cycle, faked in tests.
///
/// Contract: ``run(job:period:)`` records `period` as the job's last run when — and only
/// when — the job succeeded (the store's job-runs table), and ``lastRuns()`` returns those
/// records. The scheduler never asks twice for a period ``lastRuns()`` already shows. A job
/// should stop promptly when its task is cancelled (graceful shutdown) without recording the
/// period; it then runs again at the next start-up as a missed job.
public protocol JobRunner: Sendable {
    func run(job: JobKind, period: String) async throws
    /// Each job's last successful period key (see ``DueJob/period``).
    func lastRuns() async throws -> [JobKind: String]
    /// A short text for systemd's STATUS before the next job, e.g. "production v7"; nil for none.
    func statusSummary() async -> String?
    /// Called just before the scheduler sleeps until its next fire: the place to give memory
    /// back, after the last job's logging and status are done.
    func willSleep() async
}

extension JobRunner {
    public func statusSummary() async -> String? { nil }
    public func willSleep() async {}
}

/// The scheduler: a swift-service-lifecycle `Service` whose `run()` returns only at shutdown.
///
/// Loop: read the last runs, run every due job (at start-up that is each missed job once; see
/// README.md, "The daemon"), compute the next fire with the pure ``ScheduleConfig``, send
/// STATUS, and wait with a `DispatchSourceTimer` (``DispatchTimerSleep``) until then — in chunks of at most
/// ``Options/maxWait`` so a stepped clock or DST is re-read regularly. A graceful shutdown
/// (`cancelWhenGracefulShutdown`) cancels the wait at once, and also a running job.
///
/// Readiness and watchdog: READY=1 is sent when `run()` starts (before catching up, which may
/// retrain for minutes and would otherwise hit the start timeout). WATCHDOG=1 is sent every
/// watchdog interval by a sibling task, so a long retrain does not trip `WatchdogSec=`; a hung
/// process or a blocked cooperative pool still does. Blocking training must therefore run off
/// the cooperative pool (it has two threads here).
///
/// Failures: a job that throws is logged (`event=error`) and retried for the same period after
/// ``Options/retryDelay``, at most ``Options/maxAttemptsPerPeriod`` times per process; then it
/// waits for its next period (or a restart). Failing to read the last runs is retried likewise.
/// A period this process completed is never run again, even if the runner failed to record it.
///
/// Time: `now` and `sleep` are injected, so tests run months of schedule in milliseconds.
public struct SchedulerService: Service, CustomStringConvertible {
    /// Tuning of the loop.
    public struct Options: Sendable {
        /// Longest single wait before re-reading the clock. Default 15 minutes.
        public var maxWait: Duration
        /// Wait before retrying a failed job or a failed `lastRuns()`. Default 10 minutes.
        public var retryDelay: Duration
        /// Attempts per job and period in one process. Default 3.
        public var maxAttemptsPerPeriod: Int
        /// Send READY=1 when `run()` starts. Default true.
        public var sendReady: Bool

        public init(
            maxWait: Duration = .seconds(900), retryDelay: Duration = .seconds(600),
            maxAttemptsPerPeriod: Int = 3, sendReady: Bool = true
        ) {
            self.maxWait = maxWait
            self.retryDelay = retryDelay
            self.maxAttemptsPerPeriod = maxAttemptsPerPeriod
            self.sendReady = sendReady
        }
    }

    public let schedule: ScheduleConfig
    public let options: Options
    private let runner: any JobRunner
    private let logger: Logger
    private let notifier: Notifier
    private let watchdogInterval: Duration?
    private let now: @Sendable () -> Date
    private let sleep: @Sendable (Duration) async throws -> Void

    /// - Parameters:
    ///   - watchdogInterval: how often to send WATCHDOG=1; default half of systemd's
    ///     `WatchdogSec=` (``Notifier/watchdogInterval()``), nil for none.
    ///   - now: the clock (tests inject a fake one).
    ///   - sleep: waits a duration or throws when cancelled; default ``DispatchTimerSleep/sleep(_:)``.
    public init(
        schedule: ScheduleConfig,
        runner: any JobRunner,
        logger: Logger,
        notifier: Notifier = Notifier(),
        watchdogInterval: Duration? = Notifier.watchdogInterval(),
        options: Options = Options(),
        now: @escaping @Sendable () -> Date = { Date() },
        sleep: @escaping @Sendable (Duration) async throws -> Void = DispatchTimerSleep.sleep
    ) {
        self.schedule = schedule
        self.runner = runner
        self.logger = logger
        self.notifier = notifier
        self.watchdogInterval = watchdogInterval
        self.options = options
        self.now = now
        self.sleep = sleep
    }

    /// "SchedulerService" (swift-service-lifecycle logs services by their description).
    public var description: String { "SchedulerService" }

    public func run() async throws {
        if options.sendReady { notifier.ready() }
        do {
            try await cancelWhenGracefulShutdown {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    if let interval = watchdogInterval {
                        group.addTask { try await pingWatchdog(every: interval) }
                    }
                    group.addTask { try await scheduleLoop() }
                    // Either child ends only by cancellation; take the first and stop the other.
                    try await group.next()
                    group.cancelAll()
                }
            }
        } catch is CancellationError {
            // graceful shutdown or cancellation of the service: a normal end
        }
        notifier.stopping()
        logger.info("scheduler stopped")
    }

    private func pingWatchdog(every interval: Duration) async throws {
        while true {
            notifier.watchdog()
            try await sleep(interval)
        }
    }

    private struct Failure {
        var period: String
        var attempts: Int
        var retryAt: Date
    }

    private func scheduleLoop() async throws {
        var failures: [JobKind: Failure] = [:]
        // Periods this process completed: a runner that forgot to record its last run must not
        // make the loop run the same period again and again.
        var completed: [JobKind: String] = [:]
        while true {
            try Task.checkCancellation()
            let lastRuns: [JobKind: String]
            do {
                lastRuns = try await runner.lastRuns()
            } catch {
                if error is CancellationError || Task.isCancelled { throw CancellationError() }
                logger.error("cannot read the jobs' last runs", metadata: ["event": "error", "error": "\(error)"])
                try await sleep(options.retryDelay)
                continue
            }

            var attempted = false
            for due in schedule.dueJobs(now: now(), lastRuns: lastRuns) {
                try Task.checkCancellation()
                if completed[due.job] == due.period {
                    logger.warning(
                        "job succeeded but its last run was not recorded; not running it again",
                        metadata: ["event": "error", "job": "\(due.job.rawValue)", "period": "\(due.period)"]
                    )
                    continue
                }
                if let failure = failures[due.job], failure.period == due.period,
                   failure.attempts >= options.maxAttemptsPerPeriod || now() < failure.retryAt {
                    continue
                }
                attempted = true
                if try await runJob(due, failures: &failures) { completed[due.job] = due.period }
            }
            // Jobs take time: re-read the clock and the last runs before sleeping, so a fire that
            // passed while they ran is not slept through.
            if attempted { continue }

            let current = now()
            let next = schedule.nextFires(after: current)[0]
            var wake = next.scheduledAt
            for failure in failures.values
            where failure.attempts < options.maxAttemptsPerPeriod && failure.retryAt > current {
                wake = min(wake, failure.retryAt)
            }
            await sendStatus(next)
            await runner.willSleep()
            let seconds = max(wake.timeIntervalSince(current), 0.001)
            let maxSeconds = Double(options.maxWait.components.seconds)
                + Double(options.maxWait.components.attoseconds) / 1e18
            try await sleep(.seconds(min(seconds, maxSeconds)))
        }
    }

    /// Runs one job; true on success. Failures are logged and counted, cancellation rethrown.
    private func runJob(_ due: DueJob, failures: inout [JobKind: Failure]) async throws -> Bool {
        let metadata: Logger.Metadata = [
            "job": "\(due.job.rawValue)", "period": "\(due.period)",
            "scheduled_at": "\(StderrLogHandler.timestamp(due.scheduledAt))",
        ]
        logger.info("job started", metadata: metadata.merging(["event": "job_start"]) { $1 })
        let started = now()
        do {
            try await runner.run(job: due.job, period: due.period)
            failures[due.job] = nil
            let seconds = String(format: "%.1f", now().timeIntervalSince(started))
            logger.info(
                "job finished",
                metadata: metadata.merging(["event": "job_end", "outcome": "ok", "seconds": "\(seconds)"]) { $1 }
            )
            return true
        } catch {
            if error is CancellationError || Task.isCancelled {
                logger.notice(
                    "job cancelled by shutdown",
                    metadata: metadata.merging(["event": "job_end", "outcome": "cancelled"]) { $1 }
                )
                throw CancellationError()
            }
            var failure = failures[due.job].flatMap { $0.period == due.period ? $0 : nil }
                ?? Failure(period: due.period, attempts: 0, retryAt: .distantPast)
            failure.attempts += 1
            failure.retryAt = now().addingTimeInterval(
                Double(options.retryDelay.components.seconds) + Double(options.retryDelay.components.attoseconds) / 1e18
            )
            failures[due.job] = failure
            logger.error(
                "job failed",
                metadata: metadata.merging([
                    "event": "error", "outcome": "failed", "error": "\(error)",
                    "attempt": "\(failure.attempts)", "max_attempts": "\(options.maxAttemptsPerPeriod)",
                ]) { $1 }
            )
            return false
        }
    }

    private func sendStatus(_ next: DueJob) async {
        let summary = await runner.statusSummary()
        let text = "next: \(next.job.rawValue) at \(Self.localTime(next.scheduledAt, zone: schedule.zone))"
        notifier.status([summary, text].compactMap { $0 }.joined(separator: "; "))
    }

    /// `2026-11-28T06:00+05:30`: the local wall time with its UTC offset.
    static func localTime(_ date: Date, zone: TimeZone) -> String {
        let offset = zone.secondsFromGMT(for: date)
        let local = Int((date.timeIntervalSince1970 + Double(offset)).rounded(.down))
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let rest = local - days * 86_400
        let d = CivilDate(daysSinceEpoch: days)
        let sign = offset < 0 ? "-" : "+"
        let a = abs(offset)
        return d.description + String(format: "T%02d:%02d", rest / 3600, rest / 60 % 60)
            + sign + String(format: "%02d:%02d", a / 3600, a / 60 % 60)
    }
}
