import Foundation
import Logging
import ServiceLifecycle
import Testing

@testable import Daemon

/// A clock the fake sleep advances; sleeping past `end` ends the service (CancellationError).
final class FakeClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    let end: Date
    private var sleeps: [Duration] = []

    init(start: Date, end: Date) {
        current = start
        self.end = end
    }

    var now: Date { lock.withLock { current } }
    /// Time passing while a job runs.
    func advance(_ seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }
    var sleepCount: Int { lock.withLock { sleeps.count } }

    func sleep(_ d: Duration) async throws {
        let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        let stop: Bool = lock.withLock {
            sleeps.append(d)
            let next = current.addingTimeInterval(seconds)
            if next >= end { return true }
            current = next
            return false
        }
        if stop { throw CancellationError() }
        await Task.yield()
    }
}

struct RunRecord: Hashable, Sendable, CustomStringConvertible {
    var job: JobKind
    var period: String
    var at: Date
    var description: String { "\(job.rawValue)@\(period)" }
}

/// Records runs and stores last runs like the real store would; can fail on demand.
actor FakeRunner: JobRunner {
    private(set) var stored: [JobKind: String]
    private(set) var runs: [RunRecord] = []
    private(set) var attempts: [RunRecord] = []
    private let clock: @Sendable () -> Date
    /// Fails a job's attempt while this returns true.
    private let fail: @Sendable (JobKind, Int) -> Bool
    /// Called during each run (e.g. to let fake time pass).
    private let during: @Sendable (JobKind) -> Void

    init(
        lastRuns: [JobKind: String], clock: @escaping @Sendable () -> Date,
        fail: @escaping @Sendable (JobKind, Int) -> Bool = { _, _ in false },
        during: @escaping @Sendable (JobKind) -> Void = { _ in }
    ) {
        stored = lastRuns
        self.clock = clock
        self.fail = fail
        self.during = during
    }

    struct Boom: Error {}

    func run(job: JobKind, period: String) async throws {
        let record = RunRecord(job: job, period: period, at: clock())
        attempts.append(record)
        during(job)
        if fail(job, attempts.filter { $0.job == job }.count) { throw Boom() }
        runs.append(record)
        stored[job] = period
    }

    func lastRuns() async throws -> [JobKind: String] { stored }

    func statusSummary() async -> String? { "production v7" }

    /// Jobs attempted when each `willSleep` came: the memory release must follow the jobs.
    private(set) var attemptsAtSleep: [Int] = []
    func willSleep() async { attemptsAtSleep.append(attempts.count) }
}

let quietLogger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

@Suite("Scheduler service")
struct SchedulerServiceTests {
    let schedule = ScheduleConfig()

    func service(
        runner: FakeRunner, clock: FakeClock, notifier: Notifier = .disabled, options: SchedulerService.Options = .init()
    ) -> SchedulerService {
        SchedulerService(
            schedule: schedule, runner: runner, logger: quietLogger, notifier: notifier, watchdogInterval: nil,
            options: options, now: { clock.now }, sleep: { try await clock.sleep($0) }
        )
    }

    @Test func startupAfterFortyDaysRunsEachMissedJobOnce() async throws {
        let start = instant("2026-11-19T12:00:00+05:30")
        let clock = FakeClock(start: start, end: start.adding(minutes: 1))
        let runner = FakeRunner(lastRuns: [.daily: "2026-10-10", .weekly: "2026-10-10", .monthly: "2026-10"], clock: { clock.now })
        let sent = Recorder<String>()
        try await service(runner: runner, clock: clock, notifier: Notifier { sent.append($0); return true }).run()

        #expect(await runner.runs.map(\.description) == ["daily@2026-11-18", "weekly@2026-11-14", "monthly@2026-11"])
        #expect(sent.all.first == "READY=1")
        #expect(sent.all.contains("STATUS=production v7; next: daily at 2026-11-19T18:30+05:30"))
        #expect(sent.all.last == "STOPPING=1")
    }

    /// The runner hears of every sleep before it starts, after the jobs due have all run.
    @Test func theRunnerIsToldBeforeEachSleepAfterTheJobs() async throws {
        let start = instant("2026-11-19T12:00:00+05:30")
        let clock = FakeClock(start: start, end: start.adding(hours: 1))
        let runner = FakeRunner(lastRuns: [.daily: "2026-10-10", .weekly: "2026-10-10", .monthly: "2026-10"], clock: { clock.now })
        try await service(runner: runner, clock: clock).run()
        let told = await runner.attemptsAtSleep
        #expect(await runner.runs.count == 3)
        #expect(told.count == clock.sleepCount && told.count >= 4)
        #expect(told.allSatisfy { $0 == 3 }, "\(told)")
    }

    @Test func restartWithinAPeriodRunsNothing() async throws {
        let start = instant("2026-11-25T20:00:00+05:30")
        let clock = FakeClock(start: start, end: start.adding(hours: 1))
        let runner = FakeRunner(lastRuns: [.daily: "2026-11-25", .weekly: "2026-11-21", .monthly: "2026-11"], clock: { clock.now })
        try await service(runner: runner, clock: clock).run()
        #expect(await runner.attempts.isEmpty)
        #expect(clock.sleepCount >= 4)  // it did wait, in 15-minute chunks
    }

    @Test func fortyDaysOfRunningFiresEveryPeriodOnceOnTime() async throws {
        let start = instant("2026-11-01T00:00:00+05:30")
        let clock = FakeClock(start: start, end: start.adding(days: 40))
        let runner = FakeRunner(lastRuns: [.daily: "2026-10-31", .weekly: "2026-10-31", .monthly: "2026-11"], clock: { clock.now })
        try await service(runner: runner, clock: clock).run()
        let runs = await runner.runs
        #expect(Set(runs.map(\.description)).count == runs.count, "no period twice")
        #expect(runs.filter { $0.job == .daily }.count == 40)
        #expect(runs.filter { $0.job == .weekly }.map(\.period) == ["2026-11-07", "2026-11-14", "2026-11-21", "2026-11-28", "2026-12-05"])
        #expect(runs.filter { $0.job == .monthly }.map(\.period) == ["2026-12"])
        // Each ran exactly at its scheduled instant (the fake sleep lands on it).
        for r in runs {
            #expect(r.at == schedule.latestFire(of: r.job, atOrBefore: r.at).scheduledAt, "\(r)")
        }
    }

    @Test func aFireThatPassesDuringALongJobIsNotSleptThrough() async throws {
        // Start-up at 17:00 IST with the monthly retrain missed; it takes 2 hours, so today's
        // 18:30 daily fire passes while it runs: the daily must run right after, at 19:00.
        let start = instant("2026-11-25T17:00:00+05:30")
        let clock = FakeClock(start: start, end: instant("2026-11-25T23:00:00+05:30"))
        let runner = FakeRunner(
            lastRuns: [.daily: "2026-11-24", .weekly: "2026-11-21", .monthly: "2026-10"], clock: { clock.now },
            during: { job in if job == .monthly { clock.advance(7_200) } }
        )
        try await service(runner: runner, clock: clock).run()
        let runs = await runner.runs.map { StderrLogHandler.timestamp($0.at) + " " + $0.description }
        #expect(runs == ["2026-11-25T11:30:00Z monthly@2026-11", "2026-11-25T13:30:00Z daily@2026-11-25"])
    }

    @Test func runnerThatForgetsToRecordDoesNotLoop() async throws {
        actor Forgetful: JobRunner {
            var count = 0
            func run(job: JobKind, period: String) async throws { count += 1 }
            func lastRuns() async throws -> [JobKind: String] { [.daily: "2026-11-24", .weekly: "2026-11-21", .monthly: "2026-11"] }
        }
        let start = instant("2026-11-25T19:00:00+05:30")
        let clock = FakeClock(start: start, end: start.adding(hours: 2))
        let runner = Forgetful()
        try await SchedulerService(
            schedule: schedule, runner: runner, logger: quietLogger, notifier: .disabled, watchdogInterval: nil,
            now: { clock.now }, sleep: { try await clock.sleep($0) }
        ).run()
        #expect(await runner.count == 1)
    }

    @Test func failedJobIsRetriedThenGivenUpForThePeriod() async throws {
        let start = instant("2026-11-25T18:00:00+05:30")
        let clock = FakeClock(start: start, end: instant("2026-11-26T19:00:00+05:30"))
        // Daily fails on its first 4 attempts.
        let runner = FakeRunner(
            lastRuns: [.daily: "2026-11-24", .weekly: "2026-11-21", .monthly: "2026-11"], clock: { clock.now },
            fail: { job, attempt in job == .daily && attempt <= 4 }
        )
        try await service(runner: runner, clock: clock).run()
        let attempts = await runner.attempts.map { StderrLogHandler.timestamp($0.at) + " " + $0.description }
        #expect(attempts == [
            "2026-11-25T13:00:00Z daily@2026-11-25",  // 18:30 IST
            "2026-11-25T13:10:00Z daily@2026-11-25",  // retry after 10 min
            "2026-11-25T13:20:00Z daily@2026-11-25",  // third and last attempt for this period
            "2026-11-26T13:00:00Z daily@2026-11-26",  // next period: fails (4th)
            "2026-11-26T13:10:00Z daily@2026-11-26",  // retried, succeeds
        ])
        #expect(await runner.stored[.daily] == "2026-11-26")
    }

    @Test func realTimerServiceGroupShutsDownGracefullyAndPingsWatchdog() async throws {
        let runner = FakeRunner(lastRuns: [.daily: "9999", .weekly: "9999", .monthly: "9999"], clock: { Date() })
        let sent = Recorder<String>()
        let service = SchedulerService(
            schedule: schedule, runner: runner, logger: quietLogger, notifier: Notifier { sent.append($0); return true },
            watchdogInterval: .milliseconds(20)
        )
        let group = ServiceGroup(configuration: .init(services: [service], logger: quietLogger))
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // Wait until the scheduler is sleeping on its timer (STATUS sent) and has pinged.
            while !(sent.all.contains { $0.hasPrefix("STATUS=") } && sent.all.filter { $0 == "WATCHDOG=1" }.count >= 3) {
                try await Task.sleep(for: .milliseconds(10))
                if ContinuousClock.now - started > .seconds(120) { break } // generous: CPU-heavy tests may share the pool
            }
            let beforeShutdown = ContinuousClock.now
            await group.triggerGracefulShutdown()
            try await tasks.next()
            // The wait would last up to 15 minutes; under a loaded test run "at once" may take seconds.
            #expect(ContinuousClock.now - beforeShutdown < .seconds(120), "the timer wait is cancelled, not waited out")
        }
        #expect(sent.all.first == "READY=1")
        #expect(sent.all.filter { $0 == "WATCHDOG=1" }.count >= 3)
        #expect(sent.all.last == "STOPPING=1")
        #expect(await runner.attempts.isEmpty)
    }

    @Test func localTimeFormat() {
        let zone = TimeZone(identifier: "America/New_York")!
        #expect(SchedulerService.localTime(instant("2026-03-08T07:30:00Z"), zone: zone) == "2026-03-08T03:30-04:00")
        #expect(SchedulerService.localTime(instant("2026-11-25T13:00:00Z"), zone: TimeZone(identifier: "Asia/Kolkata")!)
            == "2026-11-25T18:30+05:30")
    }
}

/// Runs the jobs of the tasks that prefer it on a thread of its own: a test that times a wait
/// resumes there, not on the cooperative pool, which other suites' long synchronous work can
/// hold for minutes on a two-core machine (a 50 ms timer then seemed to take 124 s).
final class OwnThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let queue = DispatchQueue(label: "improvementd.tests.own-thread")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}

@Suite("Dispatch timer sleep")
struct DispatchTimerSleepTests {
    @Test func sleepsAboutTheDuration() async throws {
        let executor = OwnThreadExecutor()
        let elapsed = try await Task(executorPreference: executor) {
            let start = ContinuousClock.now
            try await DispatchTimerSleep.sleep(.milliseconds(50))
            return ContinuousClock.now - start
        }.value
        // The timer's leeway is 50 ms; the bound leaves room for a loaded machine, not for a pool.
        #expect(elapsed >= .milliseconds(45) && elapsed < .seconds(10), "\(elapsed)")
        try await DispatchTimerSleep.sleep(.zero)
    }

    @Test func cancellationEndsTheWaitAtOnce() async {
        let executor = OwnThreadExecutor()
        let task = Task(executorPreference: executor) { try await DispatchTimerSleep.sleep(.seconds(3600)) }
        let (result, waited) = await Task(executorPreference: executor) {
            try? await Task.sleep(for: .milliseconds(20))
            let cancelled = ContinuousClock.now
            task.cancel()
            let result = await task.result
            return (result, ContinuousClock.now - cancelled)
        }.value
        #expect(throws: CancellationError.self) { try result.get() }
        // Cancelled, not waited out (3600 s): timed from the cancel, on the test's own thread.
        #expect(waited < .seconds(10), "\(waited)")
    }

    /// The reason for the own thread: with every pool thread blocked for 2 s, a 50 ms sleep timed
    /// there still takes about 50 ms.
    @Test func aBusyPoolDoesNotDelayTheTimedWait() async throws {
        let executor = OwnThreadExecutor()
        let blockers = (0..<ProcessInfo.processInfo.activeProcessorCount).map { _ in Task.detached { usleep(2_000_000) } }
        let elapsed = try await Task(executorPreference: executor) {
            let start = ContinuousClock.now
            try await DispatchTimerSleep.sleep(.milliseconds(50))
            return ContinuousClock.now - start
        }.value
        for b in blockers { await b.value }
        #expect(elapsed >= .milliseconds(45) && elapsed < .seconds(1), "\(elapsed)")
    }

    @Test func alreadyCancelledThrowsImmediately() async {
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await DispatchTimerSleep.sleep(.seconds(3600))
        }
        await #expect(throws: CancellationError.self) { try await task.value }
    }
}
