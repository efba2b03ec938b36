import Foundation
import Logging
import ServiceLifecycle
import Testing

@testable import Daemon

/// Not a test on its own: the body of a real `Type=notify` service, run by
/// `.ci/sandbox-journal-test.sh` inside a booted systemd (tools/systemd-sandbox.sh) with the
/// hardened `systemd/improvementd.service` whose ExecStart is this test binary:
/// `improvementdPackageTests.xctest --testing-library swift-testing --filter actAsService`.
///
/// It takes the instance lock in the StateDirectory, logs through ``makeLogHandler(label:)``
/// (the journal, since systemd sets JOURNAL_STREAM), runs the scheduler with the real
/// Notifier (READY, STATUS, WATCHDOG) for a few seconds and stops gracefully. The script then
/// checks `systemctl show` and `journalctl DECISION=retrain -o json` from outside.
@Suite("Sandbox service")
struct SandboxServiceTests {
    static let enabled = ProcessInfo.processInfo.environment["IMPROVEMENTD_SANDBOX_SERVICE"] == "1"

    actor MemoryRunner: JobRunner {
        var stored: [JobKind: String] = [:]
        func run(job: JobKind, period: String) async throws { stored[job] = period }
        func lastRuns() async throws -> [JobKind: String] { stored }
        func statusSummary() async -> String? { "sandbox v7" }
    }

    @Test(.enabled(if: enabled, "set IMPROVEMENTD_SANDBOX_SERVICE=1 (only under systemd)"))
    func actAsService() async throws {
        var logger = Logger(label: "improvementd.sandbox", factory: makeLogHandler(label:))
        logger.logLevel = .debug
        let env = ProcessInfo.processInfo.environment
        logger.info("handler", metadata: ["handler": "\(type(of: makeLogHandler(label: "x")))"])

        let stateDirectory = env["STATE_DIRECTORY"] ?? "/var/lib/improvementd"
        let lock = try InstanceLock(storePath: stateDirectory + "/improvementd.sqlite")
        do {
            _ = try InstanceLock(storePath: stateDirectory + "/improvementd.sqlite")
        } catch {
            logger.warning("second instance refused", metadata: ["event": "error", "reason": "\(error)"])
        }

        logger.notice(
            "retrain decided: accuracy 0.55 < 0.60",
            metadata: [
                "event": "decision", "decision": "retrain", "trigger": ["accuracy", "schedule"], "model_version": "7",
                "test_run": "\(env["TEST_RUN"] ?? "none")",
            ]
        )

        let service = SchedulerService(schedule: ScheduleConfig(), runner: MemoryRunner(), logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm], logger: logger)
        )
        // Stops after SANDBOX_SERVICE_SECONDS, or earlier on SIGTERM (`systemctl stop`).
        let seconds = Int(env["SANDBOX_SERVICE_SECONDS"] ?? "4") ?? 4
        try await withThrowingTaskGroup(of: Bool.self) { tasks in
            tasks.addTask {
                try await group.run()
                return true
            }
            tasks.addTask {
                try await Task.sleep(for: .seconds(seconds))
                await group.triggerGracefulShutdown()
                return false
            }
            while let groupEnded = try await tasks.next(), !groupEnded {}
            tasks.cancelAll()
        }
        lock.release()
        logger.info("sandbox service done", metadata: ["event": "job_end"])
    }
}
