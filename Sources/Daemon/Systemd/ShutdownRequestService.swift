import ServiceLifecycle

/// Ends at the first shutdown request of its sequence; added to a ServiceGroup with
/// `successTerminationBehavior: .gracefullyShutdownGroup`, that request shuts the group down.
///
/// Why: a ServiceGroup installs its signal handlers only when it runs, but the daemon must catch
/// SIGTERM from the start, while the configuration loads and the store opens. The daemon traps
/// SIGTERM/SIGINT in a `UnixSignalsSequence` first thing; this service hands a signal caught
/// before the group listened (or any later one) to the group as a graceful shutdown.
public struct ShutdownRequestService<Requests: AsyncSequence & Sendable>: Service, CustomStringConvertible
where Requests.Element: Sendable {
    private let requests: Requests

    public init(requests: Requests) {
        self.requests = requests
    }

    /// "ShutdownRequestService" (swift-service-lifecycle logs services by their description).
    public var description: String { "ShutdownRequestService" }

    public func run() async throws {
        do {
            for try await _ in requests.cancelOnGracefulShutdown() { return }
        } catch is CancellationError {
            // the group shuts down for another reason: a normal end
        }
    }
}
