import CSystemd
import Foundation

/// Tells systemd about the service's state with `sd_notify` (`Type=notify`, SPEC §7): READY once
/// started, STATUS lines for `systemctl status`, WATCHDOG pings, STOPPING and RELOADING.
///
/// Outside systemd (no `NOTIFY_SOCKET`) every call is a no-op that returns false. The sink is
/// injectable so tests record the messages. `NotifyAccess=main` in the unit: only the main
/// process's messages count, so call these from the daemon itself, not from a child.
public struct Notifier: Sendable {
    private let sink: @Sendable (String) -> Bool

    /// - Parameter sink: sends one notification string and returns whether it was delivered;
    ///   defaults to ``systemd(_:)``.
    public init(sink: @escaping @Sendable (String) -> Bool = Notifier.systemd) {
        self.sink = sink
    }

    /// `sd_notify(0, message)`; true when a notification socket exists and the send succeeded.
    @Sendable
    public static func systemd(_ message: String) -> Bool {
        sd_notify(0, message) > 0
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

    /// How often to ping: half the `WatchdogSec=` period systemd set (`sd_watchdog_enabled`),
    /// or nil when the watchdog is off for this process.
    public static func watchdogInterval() -> Duration? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return .microseconds(Int64(usec / 2))
    }
}
