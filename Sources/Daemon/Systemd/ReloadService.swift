import Logging
import ServiceLifecycle
import UnixSignals

/// Calls a reload closure on each SIGHUP (`ExecReload=/bin/kill -HUP $MAINPID`), as a service of
/// the daemon's ServiceGroup, which traps only the shutdown signals; ends on graceful shutdown.
///
/// SIGHUP arrives through swift-service-lifecycle's `UnixSignalsSequence`. On Linux its Dispatch
/// source does not change the signal's disposition, whose default ends the process: the daemon
/// blocks SIGHUP in every thread from the start of `main`, so a SIGHUP waits, pending, until this
/// service listens. The closure runs the reload between ``Notifier/reloading()`` and
/// ``Notifier/ready()``. Reloads run one after another, never two at a time.
public struct ReloadService<Signals: AsyncSequence & Sendable>: Service, CustomStringConvertible
where Signals.Element: Sendable {
    private let signals: @Sendable () async -> Signals
    private let reload: @Sendable () async -> Void
    private let logger: Logger

    /// - Parameters:
    ///   - signals: makes the sequence whose every element is one reload request (tests inject
    ///     their own; the daemon uses SIGHUP).
    ///   - reload: re-reads the configuration.
    public init(signals: @escaping @Sendable () async -> Signals, logger: Logger, reload: @escaping @Sendable () async -> Void) {
        self.signals = signals
        self.logger = logger
        self.reload = reload
    }

    /// "ReloadService" (swift-service-lifecycle logs services by their description).
    public var description: String { "ReloadService" }

    public func run() async throws {
        let requests = await signals()
        do {
            for try await _ in requests.cancelOnGracefulShutdown() {
                logger.info("reload requested", metadata: ["event": "reload"])
                await reload()
            }
        } catch is CancellationError {
            // graceful shutdown or cancellation of the service: a normal end
        }
    }
}

extension ReloadService where Signals == UnixSignalsSequence {
    /// Reloads on each SIGHUP.
    public init(logger: Logger, reload: @escaping @Sendable () async -> Void) {
        self.init(signals: { await UnixSignalsSequence(trapping: .sighup) }, logger: logger, reload: reload)
    }
}
