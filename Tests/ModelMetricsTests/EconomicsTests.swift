import Foundation
import Testing
@testable import ModelMetrics

/// The take policy's economics against a hand computation (README.md, "For trading-system authors").
@Suite struct EconomicsTests {
    // Six trades in entry order; the policy takes 1, 3, 4 and 6.
    static let returns: [Double?] = [2, -3, 3, -4, 1, -0.5]
    static let labels = [1, 0, 1, 0, 1, 0]
    static let take = [true, false, true, true, false, true]

    @Test func sharpeProfitFactorAndDrawdownEqualAHandComputation() throws {
        let e = Economics(labels: Self.labels, take: Self.take, returns: Self.returns)
        #expect(e.n == 6 && e.taken == 4)
        #expect(abs(e.takenFraction - 4.0 / 6.0) < 1e-15)
        // Success: taken 2 of 4, skipped 1 of 2, all 3 of 6.
        #expect(e.successTaken.estimate == 0.5 && e.successSkipped.estimate == 0.5 && e.successAll.estimate == 0.5)
        #expect(e.successTaken == Wilson.interval(successes: 2, n: 4))

        // All: mean (2 − 3 + 3 − 4 + 1 − 0.5) / 6 = −0.25; squared deviations 5.0625 + 7.5625 +
        // 10.5625 + 14.0625 + 1.5625 + 0.0625 = 38.875, variance 38.875 / 5 = 7.775.
        #expect(abs(try #require(e.all.meanReturnPct) - -0.25) < 1e-12)
        #expect(abs(try #require(e.all.sharpe) - -0.25 / 7.775.squareRoot()) < 1e-12)
        // Gains 2 + 3 + 1 = 6, losses 3 + 4 + 0.5 = 7.5.
        #expect(abs(try #require(e.all.profitFactor) - 0.8) < 1e-12)
        // Equity 2, −1, 2, −2, −1, −1.5 from a peak of 2: the deepest fall is 4.
        #expect(e.all.maxDrawdownPct == 4)

        // Taken: 2, 3, −4, −0.5: mean 0.125; squared deviations 3.515625 + 8.265625 + 17.015625
        // + 0.390625 = 29.1875, variance 29.1875 / 3.
        #expect(abs(try #require(e.taking.meanReturnPct) - 0.125) < 1e-12)
        #expect(abs(try #require(e.taking.sharpe) - 0.125 / (29.1875 / 3).squareRoot()) < 1e-12)
        // Gains 5, losses 4.5.
        #expect(abs(try #require(e.taking.profitFactor) - 5 / 4.5) < 1e-12)
        // Equity 2, 5, 1, 0.5: from the peak 5 down to 0.5.
        #expect(e.taking.maxDrawdownPct == 4.5)
    }

    @Test func edgeCasesSayNothingRatherThanInventAFigure() {
        #expect(Economics.sharpe([1]) == nil)
        #expect(Economics.sharpe([1, 1, 1]) == nil) // no spread
        #expect(Economics.profitFactor([1, 2, 0]) == nil) // no loss
        #expect(Economics.maxDrawdown([1, 2, 3]) == 0)
        #expect(Economics.maxDrawdown([-1, -2]) == 3) // the start, 0, is the first peak
        let none = Economics(labels: [1, 0], take: [false, false], returns: [nil, nil])
        #expect(none.taken == 0 && none.successTaken == Interval(estimate: 0, lower: 0, upper: 1))
        #expect(none.taking.meanReturnPct == nil && none.all.maxDrawdownPct == nil)
        #expect(none.summary.contains("taken 0 of 2 (0.0 %)"))
    }
}
