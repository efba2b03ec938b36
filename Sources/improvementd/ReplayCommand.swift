import ArgumentParser
import Daemon
import Foundation
import Logging
import Store
import TradingDomain
import UnixSignals
import UseCases

/// `improvementd replay --from DATE [--to DATE] [--out DIR] [--force] [--json]`: the daemon's
/// scheduler and jobs replayed day by day over the past of a store (README.md, "replay").
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay the daemon day by day over the past of a store, in a scratch store.",
        discussion: """
            --db names the SOURCE store: it is opened read-only (never migrated or written). The \
            scratch store DIR/replay.sqlite starts with what was known before --from, then each \
            trading day's bars and signals are delivered at its close and the real scheduler runs \
            the daily job, the weekly check and the monthly retrain at their configured times. \
            Writes predictions.csv, decisions.csv, models.csv, summary.txt and summary.json in DIR. \
            SIGINT/SIGTERM stop it at the next day boundary, with the outputs written for the days \
            simulated.
            """
    )

    @Option(name: .long, help: "The first simulated day (YYYY-MM-DD).")
    var from: String

    @Option(name: .long, help: "The last simulated day (YYYY-MM-DD). Default: the source's last trading day.")
    var to: String?

    @Option(name: .long, help: "Output folder. Default: var/replay-<from>-<to>/.")
    var out: String?

    @Flag(name: .long, help: "Delete a replay store already in the output folder first (a replay starts from nothing).")
    var force = false

    @Flag(name: .long, help: "Print the paths written and the counts as JSON (and no progress line).")
    var json = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard Day(iso: from) != nil else { throw ValidationError("--from '\(from)' is not a date YYYY-MM-DD") }
        if let to, Day(iso: to) == nil { throw ValidationError("--to '\(to)' is not a date YYYY-MM-DD") }
    }

    func run() async throws {
        // First: trap SIGTERM/SIGINT, so neither ends the process mid-write; each raises the stop
        // flag the walk reads at the next day boundary.
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        let stop = StopFlag()
        let listener = Task {
            for await _ in signals { stop.set() }
        }
        defer { listener.cancel() }

        let config = try Configuration.load(path: global.config)
        let level = max(config.logging.level, .warning)
        LoggingSystem.bootstrap { label in
            var handler = makeLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        let replay: ReplayRun
        do {
            replay = try ReplayRun(
                sourcePath: global.db ?? config.database, config: config, from: Day(iso: from)!, to: to.flatMap { Day(iso: $0) },
                directory: out, force: force, logger: Logger(label: "improvementd")
            )
        } catch let error as ReplayError {
            throw ValidationError(error.description)
        }

        let line = json || isatty(STDERR_FILENO) == 0 ? nil : ProgressLine()
        var progress: (@Sendable (ReplayProgress) -> Void)?
        if let line { progress = { line.show($0) } }
        let result = try await replay.run(shouldStop: { stop.isSet }, progress: progress)
        line?.finish()
        if result.stoppedEarly {
            FileHandle.standardError.write(Data("replay stopped early at \(result.through.iso): \(result.daysSimulated) of \(result.totalDays) trading days simulated; outputs written in \(result.directory)\n".utf8))
        }
        if json {
            print(try Output.json(result))
        } else {
            print(result.summary, terminator: result.summary.hasSuffix("\n") ? "" : "\n")
        }
    }
}

/// The progress line on a terminal: rewritten in place on stderr at each simulated day.
final class ProgressLine: Sendable {
    let started = Date()

    func show(_ p: ReplayProgress) {
        let elapsed = Date().timeIntervalSince(started)
        let eta = p.daysDone > 0 ? elapsed / Double(p.daysDone) * Double(p.totalDays - p.daysDone) : nil
        let text = "replay \(p.day.iso)  day \(p.daysDone)/\(p.totalDays)  retrains \(p.retrains)  elapsed \(Self.clock(elapsed))  ETA \(eta.map(Self.clock) ?? "-")"
        FileHandle.standardError.write(Data("\r\(text)\u{1B}[K".utf8))
    }

    func finish() { FileHandle.standardError.write(Data("\n".utf8)) }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
