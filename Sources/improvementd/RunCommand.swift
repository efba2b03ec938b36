import ArgumentParser
import Daemon
import Foundation
import UseCases
import Logging
import ServiceLifecycle
import Synchronization

/// `improvementd [run] [--once]`: the daemon, or one cycle by hand (SPEC §6).
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon (scheduled jobs until SIGTERM), or one cycle with --once."
    )

    @Flag(name: .long, help: "Run the daily evaluation and the trigger check now, retrain if one fires, print the decision and exit.")
    var once = false

    @Flag(name: .long, help: "With --once: print the decision as JSON.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        // Catch SIGTERM/SIGINT from the first moment: before the ServiceGroup installs its own
        // handlers a signal would otherwise kill the process mid-write.
        let early = EarlySignals()
        var app = try global.app()
        LoggingSystem.bootstrap { label in
            var handler = makeLogHandler(label: label)
            handler.logLevel = Logger.Level(rawValue: app.config.logging.level) ?? .info
            return handler
        }
        app.logger = Logger(label: "improvementd")
        let lock = try InstanceLock(storePath: app.config.database)
        defer { lock.release() }
        if once {
            try runOnce(app, early: early)
        } else {
            try runDaemon(app, early: early)
        }
    }

    func runOnce(_ app: App, early: EarlySignals) throws {
        let stop = early.flag
        let (daily, decision) = try app.runOnce(now: Date(), shouldStop: { stop.isSet })
        if json {
            print(try Output.json(decision))
            return
        }
        OnceReport.print(daily: daily, decision: decision)
    }

    func runDaemon(_ app: App, early: EarlySignals) throws {
        if early.flag.isSet { return }
        let runner = CycleRunner(app: app)
        let scheduler = SchedulerService(schedule: app.config.schedule.scheduleConfig, runner: runner, logger: app.logger)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: scheduler)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: app.logger
        ))
        // SIGHUP: re-read the configuration file; jobs after this use it. Schedule times and the
        // store path take effect at the next start.
        let reloads = Task {
            for await _ in ReloadSignal.stream() { reload(runner, app: app) }
        }
        let done = DispatchSemaphore(value: 0)
        let failure = Mutex<(any Error)?>(nil)
        Task {
            do { try await group.run() } catch { failure.withLock { $0 = error } }
            done.signal()
        }
        // A signal that arrived before the group listened (or any later one) shuts it down.
        early.onSignal { Task { await group.triggerGracefulShutdown() } }
        done.wait()
        reloads.cancel()
        if let error = failure.withLock({ $0 }) { throw error }
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

/// SIGTERM/SIGINT caught from process start: raises a flag instead of killing the process, and
/// calls the handler set later (at once if a signal already came).
/// (`@unchecked`: the sources are set once in `init` and only kept alive; the handler is locked.)
final class EarlySignals: @unchecked Sendable {
    let flag = StopFlag()
    private let handler = Mutex<(@Sendable () -> Void)?>(nil)
    private var sources: [any DispatchSourceSignal] = []

    init() {
        sources = [SIGTERM, SIGINT].map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [self] in
                flag.set()
                handler.withLock { $0 }?()
            }
            source.resume()
            return source
        }
    }

    /// Calls `action` on every later signal, and now if one already arrived.
    func onSignal(_ action: @escaping @Sendable () -> Void) {
        handler.withLock { $0 = action }
        if flag.isSet { action() }
    }
}

/// The human-readable result of `--once`.
enum OnceReport {
    static func print(daily: DailyReport, decision: CycleDecision) {
        let l = daily.labels
        Swift.print("labels: \(l.signals) signals — \(l.success) success, \(l.failure) failure, \(l.pending) pending, \(l.expired) expired (\(l.changed) new or changed)")
        if !daily.imports.isEmpty { Swift.print("inbox: \(daily.imports.count) file(s) imported") }
        for e in daily.importErrors { Swift.print("inbox error: \(e)") }
        if let o = daily.online {
            Swift.print(String(format: "online model: %d new update(s), %d in all; blend weight of the batch model %.2f (%@)", o.updates, o.totalUpdates, o.blendWeight, o.blendReason) + (o.note.map { "; \($0)" } ?? ""))
        }
        if let v = daily.scoring.modelVersion { Swift.print("scoring: model v\(v) scored \(daily.scoring.scored) new signal(s)") }
        let e = decision.evaluation
        Swift.print("evaluation window \(e.windowStart) .. \(e.windowEnd): \(e.labeledInWindow) labeled, \(e.predictions.count) unseen by the production model" + (e.successRate.map { String(format: ", success rate %.3f", $0) } ?? ""))
        Swift.print("triggers:")
        for t in decision.triggers.triggers {
            let value = t.value.map { String(format: "%.4f", $0) } ?? "n/a"
            Swift.print("  \(t.name.rawValue.padding(toLength: 18, withPad: " ", startingAt: 0)) value \(value.padding(toLength: 9, withPad: " ", startingAt: 0)) threshold \(String(format: "%g", t.threshold).padding(toLength: 6, withPad: " ", startingAt: 0)) n \(String(t.n).padding(toLength: 5, withPad: " ", startingAt: 0)) \(t.fired ? "FIRED" : "-")\(t.trusted ? "" : " (not trusted: n < min_signals)")")
        }
        Swift.print("decision #\(decision.id): \(decision.action.rawValue.uppercased()) — \(decision.reason)")
        if let t = decision.training {
            Swift.print(ModelTable.render(t.models, chosen: t.algorithm))
            Swift.print(String(format: "training: v%d %@, holdout AUC %.4f, grade %@", t.version, t.algorithm, t.candidateAUC, t.grade))
            if let p = t.reportPath { Swift.print("report: \(p)") }
        }
        if let r = decision.result { Swift.print("result: \(r)") }
    }
}
