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

/// The notification socket and the watchdog, from an injected environment: no test changes the
/// process's environment, which the suites running in parallel and their children share.
@Suite("sd_notify protocol and watchdog environment")
struct NotifyEnvironmentTests {
    @Test func watchdogIntervalIsHalfTheTimeout() {
        let pid = getpid()
        #expect(Notifier.watchdogInterval(environment: .init(watchdogUSec: "120000000", watchdogPID: "\(pid)")) == .seconds(60))
        #expect(Notifier.watchdogInterval(environment: .init(watchdogUSec: "120000000")) == .seconds(60))
        #expect(Notifier.watchdogInterval(environment: .init(watchdogUSec: "120000000", watchdogPID: "1")) == nil)  // meant for another process
        #expect(Notifier.watchdogInterval(environment: .init(watchdogPID: "\(pid)")) == nil)
        #expect(Notifier.watchdogInterval(environment: .init(watchdogUSec: "0")) == nil)
        #expect(Notifier.watchdogInterval(environment: .init(watchdogUSec: "soon")) == nil)
    }

    @Test func environmentReadsTheThreeVariables() {
        let e = NotifyEnvironment(["NOTIFY_SOCKET": "/run/n.sock", "WATCHDOG_USEC": "5", "WATCHDOG_PID": "9", "HOME": "/root"])
        #expect(e == NotifyEnvironment(socket: "/run/n.sock", watchdogUSec: "5", watchdogPID: "9"))
        #expect(NotifyEnvironment([:]) == NotifyEnvironment())
    }

    /// The default is the real process environment, whatever it holds (under systemd or not).
    @Test func defaultReadsTheProcessEnvironment() {
        let real = ProcessInfo.processInfo.environment
        #expect(NotifyEnvironment.process == NotifyEnvironment(socket: real["NOTIFY_SOCKET"], watchdogUSec: real["WATCHDOG_USEC"], watchdogPID: real["WATCHDOG_PID"]))
        if real["NOTIFY_SOCKET"] == nil {
            #expect(Notifier().ready() == false)  // no socket: no-op
        }
    }

    /// Binds a datagram socket at `path` (a file path, or `@name` for the abstract namespace).
    func bound(_ path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        try #require(fd >= 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (i, byte) in bytes.enumerated() { buffer[i] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        try #require(result == 0)
        return fd
    }

    func received(_ fd: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : nil
    }

    @Test func messagesReachTheSocket() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("notify.sock").path
        let fd = try bound(path)
        defer { close(fd) }
        let notifier = Notifier(environment: .init(socket: path))
        #expect(notifier.status("next: daily at 2026-11-25T18:30+05:30"))
        #expect(received(fd) == "STATUS=next: daily at 2026-11-25T18:30+05:30")
        #expect(notifier.reloading())
        #expect(received(fd)?.hasPrefix("RELOADING=1\nMONOTONIC_USEC=") == true)
        #expect(notifier.ready())
        #expect(received(fd) == "READY=1")

        #expect(Notifier(environment: .init()).ready() == false)  // no socket: no-op
        #expect(Notifier(environment: .init(socket: dir.appendingPathComponent("absent.sock").path)).ready() == false)
    }

    @Test func abstractSocketName() throws {
        let name = "@improvementd-test-\(UUID().uuidString)"
        let fd = try bound(name)
        defer { close(fd) }
        #expect(Notifier(environment: .init(socket: name)).watchdog())
        #expect(received(fd) == "WATCHDOG=1")
    }
}
