import Foundation

/// The environment systemd gives a service for notifications: `NOTIFY_SOCKET`, `WATCHDOG_USEC`
/// and `WATCHDOG_PID`. A value, so tests pass their own instead of changing the process's
/// environment, which every test running in parallel (and every child it starts) shares.
public struct NotifyEnvironment: Sendable, Equatable {
    /// `NOTIFY_SOCKET`: a socket path, or `@name` for Linux's abstract namespace.
    public var socket: String?
    /// `WATCHDOG_USEC`: the `WatchdogSec=` period in microseconds.
    public var watchdogUSec: String?
    /// `WATCHDOG_PID`: the process the watchdog is meant for, when set.
    public var watchdogPID: String?

    public init(socket: String? = nil, watchdogUSec: String? = nil, watchdogPID: String? = nil) {
        (self.socket, self.watchdogUSec, self.watchdogPID) = (socket, watchdogUSec, watchdogPID)
    }

    /// Reads the three variables from `environment`.
    public init(_ environment: [String: String]) {
        self.init(socket: environment["NOTIFY_SOCKET"], watchdogUSec: environment["WATCHDOG_USEC"], watchdogPID: environment["WATCHDOG_PID"])
    }

    /// The process's environment, read now.
    public static var process: NotifyEnvironment { NotifyEnvironment(ProcessInfo.processInfo.environment) }
}

/// Tells systemd about the service's state (`Type=notify`, README.md, systemd): READY once
/// started, STATUS lines for `systemctl status`, WATCHDOG pings, STOPPING and RELOADING.
///
/// Each message is one datagram to `NOTIFY_SOCKET`, as `sd_notify(3)` sends it; the socket comes
/// from a ``NotifyEnvironment`` (the process's by default). Without a socket every call is a
/// no-op that returns false. The sink is injectable so tests record the messages.
/// `NotifyAccess=main` in the unit: only the main process's messages count, so call these from
/// the daemon itself, not from a child.
public struct Notifier: Sendable {
    private let sink: @Sendable (String) -> Bool

    /// - Parameter sink: sends one notification string and returns whether it was delivered.
    public init(sink: @escaping @Sendable (String) -> Bool) {
        self.sink = sink
    }

    /// Sends to the socket `environment` names (read once, here).
    public init(environment: NotifyEnvironment = .process) {
        let socket = environment.socket
        self.sink = { message in socket.map { Self.send(message, to: $0) } ?? false }
    }

    /// One datagram to the notification socket at `path`; true when it was sent.
    public static func send(_ message: String, to path: String) -> Bool {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        let abstract = bytes[0] == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }  // Linux's abstract namespace: a leading NUL, no terminator
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (i, byte) in bytes.enumerated() { buffer[i] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let payload = Array(message.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { to in
                payload.withUnsafeBytes { sendto(fd, $0.baseAddress, payload.count, Int32(MSG_NOSIGNAL), to, length) }
            }
        }
        return sent == payload.count
    }

    /// A notifier that sends nothing.
    public static let disabled = Notifier { _ in false }

    /// `READY=1`: start-up finished (also after a reload finished).
    @discardableResult public func ready() -> Bool { sink("READY=1") }

    /// `STATUS=...`: one line shown by `systemctl status`. Newlines become spaces.
    @discardableResult public func status(_ text: String) -> Bool {
        sink("STATUS=" + text.replacingOccurrences(of: "\n", with: " "))
    }

    /// `WATCHDOG=1`: the keep-alive ping, at least every ``watchdogInterval()``.
    @discardableResult public func watchdog() -> Bool { sink("WATCHDOG=1") }

    /// `STOPPING=1`: graceful shutdown started.
    @discardableResult public func stopping() -> Bool { sink("STOPPING=1") }

    /// `RELOADING=1` with `MONOTONIC_USEC` (systemd ≥ 253 requires it for `Type=notify-reload`;
    /// older versions ignore it). Send ``ready()`` when the reload is done.
    @discardableResult public func reloading() -> Bool {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let usec = UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1_000
        return sink("RELOADING=1\nMONOTONIC_USEC=\(usec)")
    }

    /// How often to ping: half the `WatchdogSec=` period systemd set, or nil when the watchdog
    /// is off for this process (no `WATCHDOG_USEC`, or `WATCHDOG_PID` names another process),
    /// as `sd_watchdog_enabled(3)` decides.
    public static func watchdogInterval(environment: NotifyEnvironment = .process, pid: Int32 = getpid()) -> Duration? {
        guard let text = environment.watchdogUSec, let usec = UInt64(text), usec > 0 else { return nil }
        if let owner = environment.watchdogPID, Int32(owner) != pid { return nil }
        return .microseconds(Int64(usec / 2))
    }
}
