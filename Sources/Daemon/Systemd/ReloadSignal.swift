import Dispatch
import Foundation

/// SIGHUP as an async sequence, for `ExecReload=/bin/kill -HUP $MAINPID`.
///
/// Why: swift-service-lifecycle's `ServiceGroup` handles only the shutdown signals; SIGHUP's
/// default action terminates the process, so without this `systemctl reload improvementd`
/// would kill the daemon. ``stream()`` sets SIGHUP to ignored (process-wide) and delivers each
/// one through a `DispatchSourceSignal`. The consumer reloads its configuration between
/// ``Notifier/reloading()`` and ``Notifier/ready()``. Call it early at start-up, right after
/// the ServiceGroup is created, before anything else can receive the signal.
public enum ReloadSignal {
    /// Each SIGHUP yields one element; the stream ends when the consuming task is cancelled.
    public static func stream() -> AsyncStream<Void> {
        signal(SIGHUP, SIG_IGN)
        return AsyncStream { continuation in
            let source = SignalSource(DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global()))
            source.value.setEventHandler { continuation.yield() }
            continuation.onTermination = { _ in source.value.cancel() }
            source.value.resume()
        }
    }
}

/// Dispatch sources are thread-safe; the box only tells the compiler so.
private final class SignalSource: @unchecked Sendable {
    let value: any DispatchSourceSignal
    init(_ value: any DispatchSourceSignal) { self.value = value }
}
