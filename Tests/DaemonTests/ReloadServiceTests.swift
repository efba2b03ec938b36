import Foundation
import Logging
import ServiceLifecycle
import Testing

@testable import Daemon

@Suite("Reload service")
struct ReloadServiceTests {
    /// Each request reloads once, in order; graceful shutdown ends the service and the group.
    @Test func reloadsOnEachRequestAndEndsOnGracefulShutdown() async throws {
        let (requests, send) = AsyncStream.makeStream(of: Void.self)
        let (reloads, reloaded) = AsyncStream.makeStream(of: Void.self)
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let service = ReloadService(signals: { requests }, logger: logger) {
            reloaded.yield()
        }
        let group = ServiceGroup(configuration: .init(services: [.init(service: service)], logger: logger))
        let running = Task { try await group.run() }
        var done = reloads.makeAsyncIterator()
        send.yield()
        #expect(await done.next() != nil)
        send.yield()
        send.yield()
        #expect(await done.next() != nil)
        #expect(await done.next() != nil)
        await group.triggerGracefulShutdown()
        try await running.value  // returns: the service ended although its sequence did not
        reloaded.finish()
        #expect(await done.next() == nil)  // no reload beyond the three requested
    }
}
