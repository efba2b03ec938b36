import ArgumentParser
import Daemon
import Foundation
import UseCases
import Logging
import ServiceLifecycle
import UnixSignals

/// `improvementd [run] [--once]`: the daemon, or one cycle by hand (README.md, Running it).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon (scheduled jobs until SIGTERM), or one cycle with --once."
    )

    @Flag(name: .long, help: "Run the daily evaluation and the trigger check now, retrain if one fires, print the decision and exit.")
    var once = false

    @Flag(name: .long, help: "With --once: print the decision as JSON.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        // The daemon's malloc settings before its worker threads start (idle memory:
        // Sources/Daemon/Memory/HeapPolicy.swift).
        if !once { HeapPolicy.configureForDaemon() }
        // Then, before the configuration loads and the store opens: trap SIGTERM/SIGINT (and
        // for the daemon SIGHUP). On Linux, Dispatch installs a catching handler when the
        // sequences' sources register, so from here on none of them ends the process mid-write;
        // each is queued until the cycle, the ServiceGroup or the reload service takes it.
        let shutdownSignals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        let hangups: UnixSignalsSequence? = once ? nil : await UnixSignalsSequence(trapping: .sighup)
        let stop = StopFlag()
        let (requests, request) = AsyncStream.makeStream(of: Void.self)
        let listener = Task {
            for await _ in shutdownSignals {
                stop.set()
                request.yield()
            }
        }
        defer { listener.cancel() }

        var app = try global.app()
        let level = app.config.logging.level
        LoggingSystem.bootstrap { label in
            var handler = makeLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        app.logger = Logger(label: "improvementd")
        let lock = try InstanceLock(storePath: app.config.database)
        defer { lock.release() }
        if let hangups {
            try await runDaemon(app, stop: stop, shutdownRequests: requests, hangups: hangups)
        } else {
            try await runOnce(app, stop: stop)
        }
    }

    /// One cycle on its own thread (it blocks in C for seconds); SIGTERM or SIGINT raises the
    /// stop flag that training checks at its safe points.
    func runOnce(_ app: App, stop: StopFlag) async throws {
        let (daily, decision) = try await CycleRunner.onThread { try app.cycle.runOnce(now: Date(), shouldStop: { stop.isSet }) }
        CycleRunner.writeMetrics(app, now: Date()) // the textfile after this cycle too (README.md, "Metrics")
        if json {
            print(try Output.json(decision))
            return
        }
        OnceReport.print(daily: daily, decision: decision)
    }

    /// The scheduler and the SIGHUP reload service in one ServiceGroup, until SIGTERM/SIGINT.
    func runDaemon(_ app: App, stop: StopFlag, shutdownRequests: AsyncStream<Void>, hangups: UnixSignalsSequence) async throws {
        // A shutdown signal during start-up: exit before the scheduler can start a job.
        if stop.isSet {
            app.logger.notice("shutdown signal during start-up: exiting")
            return
        }
        let runner = CycleRunner(app: app)
        let scheduler = SchedulerService(schedule: app.config.schedule.scheduleConfig, runner: runner, logger: app.logger)
        // SIGHUP: re-read the configuration file; jobs after this use it. Schedule times and the
        // store path take effect at the next start.
        let reloads = ReloadService(signals: { hangups }, logger: app.logger) { reload(runner, app: app) }
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: scheduler),
                .init(service: reloads),
                // A signal caught after the check above but before the group listens.
                .init(service: ShutdownRequestService(requests: shutdownRequests), successTerminationBehavior: .gracefullyShutdownGroup),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: app.logger
        ))
        try await group.run()
    }
}

extension RunCommand {
    /// Re-reads the configuration for the next jobs (RELOADING=1 ... READY=1); a bad file is refused and the running configuration kept.
    func reload(_ runner: CycleRunner, app: App) {
        let notifier = Notifier()
        notifier.reloading()
        defer { notifier.ready() }
        do {
            var config = try Configuration.load(path: global.config)
            if let db = global.db { config.database = db }
            if config.schedule != runner.current.config.schedule || config.database != runner.current.config.database {
                app.logger.warning("schedule or database changed in the configuration: takes effect at the next restart")
            }
            runner.reload(config)
            app.logger.notice("configuration reloaded", metadata: ["path": "\(global.config ?? "(defaults)")"])
        } catch {
            app.logger.error("configuration reload refused, keeping the running one: \(error)", metadata: ["event": "error"])
        }
    }
}
