import Foundation
import Testing

@testable import Daemon

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("daemontests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Takes the lock, retrying for up to 10 s: other tests spawn processes concurrently, and a child
/// forked before it execs holds a copy of every descriptor (O_CLOEXEC acts only at exec), so a
/// just-released flock can stay held for a moment. The daemon itself never forks.
func relock(_ store: String) throws -> InstanceLock {
    let deadline = Date().addingTimeInterval(10)
    while true {
        let attempt = Result { () throws(DaemonError) -> InstanceLock in try InstanceLock(storePath: store) }
        switch attempt {
        case .success(let lock):
            return lock
        case .failure(let error):
            if !error.isLockHeld || Date() >= deadline { throw error }
            usleep(20_000)
        }
    }
}

@Suite("Instance lock")
struct InstanceLockTests {
    @Test func secondLockInSameProcessFailsWithPid() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("improvementd.sqlite").path
        let first = try InstanceLock(storePath: store)
        #expect(first.isHeld)
        #expect(first.lockPath == store + ".lock")
        let pidText = try String(contentsOfFile: first.lockPath, encoding: .utf8)
        #expect(pidText == "\(getpid())\n")

        do {
            _ = try InstanceLock(storePath: store)
            Issue.record("second lock should fail")
        } catch {
            #expect(error.isLockHeld)
            #expect(error.holderPID == getpid())
            #expect(error.description == "another improvementd (pid \(getpid())) holds \(store)")
        }

        first.release()
        #expect(!first.isHeld)
        first.release()  // idempotent
        let second = try relock(store)
        #expect(second.isHeld)
    }

    @Test func deinitReleases() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("x.db").path
        do { _ = try InstanceLock(storePath: store) }
        let again = try relock(store)
        #expect(again.isHeld)
    }

    @Test func unwritableDirectoryIsAClearError() {
        #expect {
            _ = try InstanceLock(storePath: "/nonexistent-dir-for-test/improvementd.sqlite")
        } throws: { error in
            let e = error as? DaemonError
            return e?.isLockHeld == false && e?.description.contains("open /nonexistent-dir-for-test/improvementd.sqlite.lock") == true
        }
    }

    static let flockTool = ["/usr/bin/flock", "/bin/flock"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Another process (flock(1)) sees our lock, and gets it once released.
    @Test(.enabled(if: flockTool != nil, "flock(1) not installed"))
    func subprocessSeesTheLock() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("improvementd.sqlite").path
        func tryFromAnotherProcess() throws -> Int32 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Self.flockTool!)
            p.arguments = ["--nonblock", "--conflict-exit-code", "99", store + ".lock", "true"]
            try p.run()
            p.waitUntilExit()
            return p.terminationStatus
        }
        let lock = try InstanceLock(storePath: store)
        #expect(try tryFromAnotherProcess() == 99)
        lock.release()
        #expect(try tryFromAnotherProcess() == 0)
    }
}

@Suite("Notifier")
struct NotifierTests {
    @Test func messages() {
        let sent = Recorder<String>()
        let n = Notifier { sent.append($0); return true }
        #expect(n.ready())
        n.status("production v7\nnext: weekly")
        n.watchdog()
        n.stopping()
        n.reloading()
        let all = sent.all
        #expect(Array(all.prefix(4)) == ["READY=1", "STATUS=production v7 next: weekly", "WATCHDOG=1", "STOPPING=1"])
        #expect(all.count == 5)
        #expect(all[4].hasPrefix("RELOADING=1\nMONOTONIC_USEC="))
        #expect(UInt64(all[4].split(separator: "=").last!) ?? 0 > 0)
    }

    @Test func disabledSendsNothing() {
        #expect(Notifier.disabled.ready() == false)
    }
}

/// Tests that set process-wide environment variables read by libsystemd.
@Suite("sd_notify and sd_watchdog_enabled for real", .serialized)
struct RealNotifyTests {
    @Test func watchdogIntervalIsHalfTheTimeout() {
        setenv("WATCHDOG_USEC", "120000000", 1)
        setenv("WATCHDOG_PID", "\(getpid())", 1)
        defer {
            unsetenv("WATCHDOG_USEC")
            unsetenv("WATCHDOG_PID")
        }
        #expect(Notifier.watchdogInterval() == .seconds(60))
        setenv("WATCHDOG_PID", "1", 1)  // meant for another process
        #expect(Notifier.watchdogInterval() == nil)
        unsetenv("WATCHDOG_USEC")
        #expect(Notifier.watchdogInterval() == nil)
    }

    @Test func sighupIsDeliveredNotFatal() async throws {
        let stream = ReloadSignal.stream()
        var iterator = stream.makeAsyncIterator()
        // Registration of the dispatch source is asynchronous and an ignored signal sent
        // before it is lost, so keep sending until one arrives (each would terminate the test
        // process if SIGHUP were not handled).
        let sender = Task {
            while !Task.isCancelled {
                kill(getpid(), SIGHUP)
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        let got: Void? = await iterator.next()
        sender.cancel()
        #expect(got != nil)
    }

    @Test func sdNotifyReachesTheSocket() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("notify.sock").path
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (i, byte) in path.utf8.enumerated() { buffer[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0)
        setenv("NOTIFY_SOCKET", path, 1)
        defer { unsetenv("NOTIFY_SOCKET") }

        #expect(Notifier().status("next: daily at 2026-11-25T18:30+05:30"))
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        try #require(n > 0)
        #expect(String(decoding: buffer[0..<n], as: UTF8.self) == "STATUS=next: daily at 2026-11-25T18:30+05:30")

        unsetenv("NOTIFY_SOCKET")
        #expect(Notifier().ready() == false)  // no socket: no-op
    }
}
