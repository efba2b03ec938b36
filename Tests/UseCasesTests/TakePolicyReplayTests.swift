import Foundation
import ModelMetrics
import Testing
@testable import UseCases

/// The replay summary's economics of the take policy (README.md, "For trading-system authors"),
/// on `ReplayReportTests`' scratch store, whose predictions were stored without a decision (as
/// before the take policy existed: each counts as taken).
// On the main actor: the fixture's replay report blocks for tens of seconds (see TakePolicyIntegrationTests).
@MainActor @Suite struct TakePolicyReplayTests {
    @Test func theSummaryCarriesEconomicsOverallPerYearAndPerBaseline() throws {
        _ = ReplayReportTests.fixture
        let s = try ReplayReportTests.summary()
        let e = try #require(s.economics)
        #expect(e.n == s.daemon.n && e.taken == e.n && e.successAll.estimate == s.daemon.baseRate.estimate)
        #expect(e.successTaken == e.successAll && e.successSkipped == Interval(estimate: 0, lower: 0, upper: 1))
        #expect(s.years.map { $0.economics?.n ?? -1 } == s.years.map(\.scores.n))
        #expect(s.years.map { $0.economics!.n }.reduce(0, +) == e.n)
        #expect(!s.baselines.isEmpty && s.baselines.allSatisfy { $0.economics?.n == $0.covered && $0.policy != nil })
        let baseRate = try #require(s.baselines.first { $0.kind == "a" })
        #expect(baseRate.economics?.taken == baseRate.covered)
        // The monthly refits choose a threshold walk-forward: at least one of them skips some.
        let monthly = s.baselines.filter { $0.kind == "c" }
        #expect(monthly.count == 5 && monthly.contains { ($0.economics?.taken ?? 0) < $0.covered })
        let text = ReplayReportTests.fixture.text
        #expect(text.contains("take policy: taken \(e.taken) of \(e.n)") && text.contains("max drawdown"))
        #expect(text.contains("take rule: a threshold chosen at the start of each month"))
    }
}
