import Testing
@testable import Daemon

/// The daemon's malloc settings are accepted by the C library it runs on (their effect on the
/// idle RSS is measured by bench/idle.sh, not timed here: other suites allocate in this process).
@Suite("Heap policy")
struct HeapPolicyTests {
    @Test func glibcAcceptsTheDaemonsSettings() {
        #expect(HeapPolicy.configureForDaemon())
    }
}
