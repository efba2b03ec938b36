import Foundation
import Daemon
import GRDB
import Learning
import Store
import Synchronization
import Testing
@testable import UseCases

/// The command-line surface of the built binary: typed values, nested `models` subcommands,
/// the model page, and the daemon's signals (early SIGTERM, SIGHUP reload).
@Suite struct CommandLineTests {
    // MARK: values and usage errors

    @Test(arguments: [
        (["import", "nonsense", "x"], "nonsense"),
        (["export", "outcome", "f.csv"], "outcome"),
        (["backfill", "--strategy", "momentum", "--strategy", "trend"], "trend"),
        (["train", "--algorithms", "gb,xgb"], "gb,xgb"),
        (["models", "show", "three"], "three"),
        (["models", "promote", "1.5"], "1.5"),
    ])
    func badValueIsAUsageError(arguments: [String], value: String) throws {
        let (code, out, err) = try TestSupport.run(arguments)
        #expect(code == 2, "\(arguments): \(out) \(err)")
        #expect(err.contains("The value '\(value)' is invalid"), "\(err)")
        #expect(err.contains("Usage:"), "\(err)")
    }

    @Test(arguments: [
        (["import", "--help"], ["bars", "signals", "symbols", "events", "external"]),
        (["export", "--help"], ["outcomes", "features", "predictions"]),
        (["backfill", "--help"], ["momentum", "mean_reversion", "breakout", "breakdown"]),
        (["train", "--help"], ["gb", "rf", "lr", "svm", "nn", "voting", "stacking", "blending", "regime", "bma"]),
    ])
    func helpListsTheValues(arguments: [String], values: [String]) throws {
        let (code, out, _) = try TestSupport.run(arguments)
        #expect(code == 0)
        let flat = out.split(whereSeparator: \.isWhitespace).joined(separator: " ")  // help wraps lines
        #expect(flat.contains("(values: " + values.joined(separator: ", ") + ")"), "\(out)")
    }

    @Test func modelsSubcommandsParse() throws {
        let (code, out, _) = try TestSupport.run(["models", "--help"])
        #expect(code == 0)
        for name in ["list", "show", "promote", "rollback", "export"] { #expect(out.contains("  \(name)"), "\(name) missing: \(out)") }
        let (showCode, showHelp, _) = try TestSupport.run(["models", "show", "--help"])
        #expect(showCode == 0 && showHelp.contains("<version>") && showHelp.contains("--json"), "\(showHelp)")
        for bad in [["models"], ["models", "frob"], ["models", "show"], ["models", "export", "1"], ["models", "rollback", "2"], ["models", "list", "x"]] {
            let (c, _, err) = try TestSupport.run(bad)
            #expect(c == 2, "\(bad): \(err)")
        }
        // A version that does not exist is a failure, not a usage error.
        let db = TestSupport.scratch().appendingPathComponent("s.sqlite").path
        let (missing, _, err) = try TestSupport.run(["models", "show", "4", "--db", db])
        #expect(missing == 1 && err.contains("there is no model version 4"), "\(err)")
        let (empty, list, _) = try TestSupport.run(["models", "list", "--db", db])
        #expect(empty == 0 && list.contains("no model versions yet"))
    }

    /// `--algorithms` takes comma-separated lists, repeated.
    @Test func algorithmsCommaSeparatedAndRepeated() throws {
        let app = try TestSupport.realApp(environment: TestSupport.quickTraining)
        let (code, json, err) = try TestSupport.run(["train", "--algorithms", "lr,rf", "--algorithms", "lr", "--no-tune", "--json", "--db", app.config.database],
                                                    environment: TestSupport.quickTraining.merging(["IMPROVEMENTD_REPORTS_DIR": TestSupport.scratch().path]) { $1 })
        #expect(code == 0, "\(err)")
        let output = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let models = (output["models"] as? [[String: Any]] ?? []).compactMap { $0["algorithm"] as? String }
        #expect(models.sorted() == ["lr", "rf"], "\(models)")
    }

    // MARK: the model page

    @Test func modelsShowIsReadableAndJSONIsNested() throws {
        let app = try TestSupport.realApp(environment: TestSupport.quickTraining)
        // SVM: its parameters hold an optional (gamma), printed as `default`, never `Optional(...)`.
        let (decision, _, _) = try app.training.train(algorithms: [.svm], tune: false)
        let db = app.config.database
        let (code, page, err) = try TestSupport.run(["models", "show", "\(decision.version)", "--db", db])
        #expect(code == 0, "\(err)")
        #expect(!page.contains("Optional("), "\(page)")
        #expect(!page.contains("{") && !page.contains("\\\""), "\(page)")
        for expected in ["model v\(decision.version)", "SVM (svm)", "  gamma = default", "  c = 1.0", "status           production", "holdout metrics",
                         "  AUC ", "combined score", "hyperparameters", "decision: first model", "promotion history:", "production from "] {
            #expect(page.contains(expected), "\(expected) missing from\n\(page)")
        }
        #expect(page.split(separator: "\n").contains { $0.hasPrefix("  ") && $0.contains(" = ") }, "no key = value line:\n\(page)")

        let (jsonCode, json, _) = try TestSupport.run(["models", "show", "\(decision.version)", "--json", "--db", db])
        #expect(jsonCode == 0)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(record["version"] as? Int == decision.version)
        let hyper = try #require(record["hyperparameters"] as? [String: Any])
        #expect(hyper["algorithm"] as? String == "svm" && hyper["parameters"] is [String: Any])
        let holdout = try #require(record["holdoutMetrics"] as? [String: Any])
        #expect(abs((holdout["auc"] as? Double ?? 0) - decision.candidateAUC) < 1e-12)  // JSONSerialization reads doubles loosely
        #expect(json.contains("\"auc\" : \(decision.candidateAUC)"), "\(json)")  // printed exactly
        #expect((record["cvMetrics"] as? [Any])?.count == 1)
        #expect(record["libraryVersions"] is [String: Any])

        let (listCode, listJSON, _) = try TestSupport.run(["models", "list", "--json", "--db", db])
        #expect(listCode == 0)
        let list = try #require(try JSONSerialization.jsonObject(with: Data(listJSON.utf8)) as? [[String: Any]])
        #expect(list.count == 1 && list[0]["holdoutMetrics"] is [String: Any])

        let file = TestSupport.scratch().appendingPathComponent("model.txt").path
        let (exportCode, exported, _) = try TestSupport.run(["models", "export", "\(decision.version)", file, "--db", db])
        #expect(exportCode == 0 && exported.contains("wrote v\(decision.version)"))
        #expect(FileManager.default.fileExists(atPath: file))
    }

    // MARK: the daemon's signals

    /// A store whose jobs all ran for their latest periods, and a configuration whose next job
    /// times are about 12 hours away: the daemon starts, then only waits.
    static func idleDaemonSetup() throws -> (dir: URL, db: String, config: String, env: [String: String]) {
        let dir = TestSupport.scratch()
        let db = dir.appendingPathComponent("store.sqlite").path
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let hour = (utc.component(.hour, from: Date()) + 12) % 24
        let time = String(format: "%02d:00", hour)
        let config = TestSupport.write("schedule:\n  timezone: UTC\n  daily: \"\(time)\"\n  weekly: \"Mon \(time)\"\n  monthly: \"15 \(time)\"\n", to: dir, name: "c.yaml")
        let env = ["IMPROVEMENTD_REPORTS_DIR": dir.appendingPathComponent("reports").path,
                   "IMPROVEMENTD_INBOX_DIR": dir.appendingPathComponent("inbox").path]
        let configuration = try Configuration.load(path: config, environment: env)
        let store = try SignalStore(path: db)
        for due in configuration.schedule.scheduleConfig.dueJobs(now: Date(), lastRuns: [:]) {
            #expect(try store.beginJob(due.job.rawValue, period: due.period))
            try store.finishJob(due.job.rawValue, period: due.period, succeeded: true, detail: "set up by the test")
        }
        return (dir, db, config, env)
    }

    static func jobRuns(_ db: String) throws -> [String] {
        try SignalStore(path: db).read("") { try String.fetchAll($0, sql: "SELECT job || ' ' || period || ' ' || status FROM job_runs ORDER BY job") }
    }

    /// SIGTERM at once after start-up begins (configuration loading, store opening, before the
    /// ServiceGroup listens): a clean exit 0, the store intact, no job run.
    @Test func sigtermInTheFirstMillisecondsExitsCleanly() throws {
        let setup = try Self.idleDaemonSetup()
        let before = try Self.jobRuns(setup.db)
        #expect(before.count == 3)
        for attempt in 0..<10 {
            let daemon = try DaemonProcess.start(["run", "--db", setup.db, "--config", setup.config], environment: setup.env)
            try #require(daemon.waitUntilSignalsCaught(), "attempt \(attempt): signals never blocked; \(daemon.stderr)")
            // Spread the signal over the start-up: later and later in each attempt (no sleep:
            // the outcome asserted is the same wherever it lands).
            for _ in 0..<(attempt * 40) { _ = daemon.caughtSignals() }
            kill(daemon.pid, SIGTERM)
            let status = daemon.waitForExit(seconds: 30)
            #expect(status == .exited(0), "attempt \(attempt): \(String(describing: status)); \(daemon.stderr)")
            let check = try SignalStore(path: setup.db).read("") { try String.fetchOne($0, sql: "PRAGMA integrity_check") }
            #expect(check == "ok")
            #expect(try Self.jobRuns(setup.db) == before, "attempt \(attempt): a job ran")
            #expect(!daemon.stderr.contains("job started"), "\(daemon.stderr)")
        }
    }

    /// SIGHUP re-reads the configuration between RELOADING=1 and READY=1; a bad file is refused
    /// and the running configuration kept; SIGTERM then stops the daemon with exit 0.
    @Test func sighupReloadsAndABadFileIsRefused() throws {
        let setup = try Self.idleDaemonSetup()
        let socketPath = setup.dir.appendingPathComponent("notify.sock").path
        let socket = try NotifySocket(path: socketPath)
        var env = setup.env
        env["NOTIFY_SOCKET"] = socketPath
        let daemon = try DaemonProcess.start(["run", "--db", setup.db, "--config", setup.config], environment: env)
        defer { if daemon.process.isRunning { kill(daemon.pid, SIGKILL) } }
        // Sent at once: a SIGHUP before the reload service listens waits, queued; it must not kill.
        try #require(daemon.waitUntilSignalsCaught())
        kill(daemon.pid, SIGHUP)
        try #require(daemon.waitFor("configuration reloaded", seconds: 60), "\(daemon.stderr)")
        #expect(daemon.process.isRunning)

        let original = try String(contentsOfFile: setup.config, encoding: .utf8)
        try Data("training:\n  holdout_fraction: 0.9\n".utf8).write(to: URL(fileURLWithPath: setup.config))
        kill(daemon.pid, SIGHUP)
        try #require(daemon.waitFor("configuration reload refused", seconds: 60), "\(daemon.stderr)")
        #expect(daemon.stderr.contains("training.holdout_fraction"))

        try Data(original.replacingOccurrences(of: "timezone: UTC", with: "timezone: Asia/Kolkata").utf8).write(to: URL(fileURLWithPath: setup.config))
        kill(daemon.pid, SIGHUP)
        try #require(daemon.waitFor("schedule or database changed", seconds: 60), "\(daemon.stderr)")
        #expect(daemon.process.isRunning)

        kill(daemon.pid, SIGTERM)
        #expect(daemon.waitForExit(seconds: 60) == .exited(0), "\(daemon.stderr)")
        let messages = socket.receiveAll()
        let reloads = messages.filter { $0.hasPrefix("RELOADING=1\nMONOTONIC_USEC=") }.count
        #expect(reloads == 3, "\(messages)")
        // Each RELOADING=1 is followed by a READY=1.
        for (i, m) in messages.enumerated() where m.hasPrefix("RELOADING=1") {
            #expect(messages[(i + 1)...].contains("READY=1"), "\(messages)")
        }
        #expect(messages.contains("READY=1") && messages.last == "STOPPING=1", "\(messages)")
        #expect(try Self.jobRuns(setup.db).count == 3)
    }
}

/// A started `improvementd` with its stderr collected.
struct DaemonProcess {
    enum Status: Equatable { case exited(Int32), signalled(Int32), timedOut }

    let process: Process
    private let collected: Collected
    var pid: Int32 { process.processIdentifier }
    var stderr: String { collected.text.withLock { $0 } }

    final class Collected: Sendable { let text = Mutex("") }

    static func start(_ arguments: [String], environment: [String: String]) throws -> DaemonProcess {
        let process = Process()
        process.executableURL = TestSupport.binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("IMPROVEMENTD_") && $0.key != "JOURNAL_STREAM" && $0.key != "NOTIFY_SOCKET" }
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        let collected = Collected()
        pipe.fileHandleForReading.readabilityHandler = { h in
            let text = String(decoding: h.availableData, as: UTF8.self)
            collected.text.withLock { $0 += text }
        }
        try process.run()
        return DaemonProcess(process: process, collected: collected)
    }

    /// The signals the process catches (`SigCgt` in /proc/PID/status), or nil once it is gone.
    func caughtSignals() -> UInt64? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigCgt:") }) else { return nil }
        return UInt64(line.dropFirst("SigCgt:".count).trimmingCharacters(in: .whitespaces), radix: 16)
    }

    /// Spins (no sleep) until SIGTERM, SIGINT and SIGHUP are caught — the moment `run` has
    /// trapped them, first thing; before it (the loader, argument parsing) nothing is written
    /// and a signal ends the process as any program's. False if it ended first or 30 s passed.
    func waitUntilSignalsCaught() -> Bool {
        let wanted = [SIGTERM, SIGINT, SIGHUP].reduce(UInt64(0)) { $0 | (1 << UInt64($1 - 1)) }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let mask = caughtSignals(), mask & wanted == wanted { return true }
            if !process.isRunning { return false }
        }
        return false
    }

    /// Waits until stderr contains `text` (polling every 10 ms), at most `seconds`.
    func waitFor(_ text: String, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if stderr.contains(text) { return true }
            if !process.isRunning { return stderr.contains(text) }
            usleep(10_000)
        }
        return false
    }

    /// Waits for the exit, at most `seconds`; kills the process (SIGKILL) when it takes longer.
    func waitForExit(seconds: Double) -> Status {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
            return .timedOut
        }
        process.waitUntilExit()
        return process.terminationReason == .exit ? .exited(process.terminationStatus) : .signalled(process.terminationStatus)
    }
}

/// A datagram socket standing in for systemd's notification socket.
final class NotifySocket {
    let fd: Int32

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        try #require(fd >= 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (i, byte) in path.utf8.enumerated() { buffer[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0)
    }

    deinit { close(fd) }

    /// Every message received so far, in order.
    func receiveAll() -> [String] {
        var out = [String]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if n <= 0 { return out }
            out.append(String(decoding: buffer[0..<n], as: UTF8.self))
        }
    }
}
