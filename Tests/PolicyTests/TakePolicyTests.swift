import Foundation
import Testing
@testable import Policy
import ModelMetrics

/// The take threshold's choice on out-of-fold predictions (README.md, "For trading-system authors").
@Suite struct TakePolicyTests {
    @Test func aVersionWithoutDemonstratedSkillTakesEverySignal() {
        let p = TakePolicy.choose(probabilities: [0.9, 0.1, 0.5], labels: [1, 0, 1], returns: [1, -1, 2], skillDemonstrated: false)
        #expect(p.takesEverySignal && p.threshold == 0)
        #expect(p.reason.contains("no demonstrated skill"))
        #expect([0, 0.01, 0.5, 1].allSatisfy(p.take))
    }

    @Test func theThresholdMaximizesTheSuccessRateSubjectToTheMinimumTakeFraction() {
        // Ten signals by descending probability; the top one alone wins (1/1) but takes 10 %.
        let probabilities = [0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2]
        let labels = [1, 0, 1, 1, 0, 1, 0, 0, 1, 0]
        let returns: [Double?] = [5, -2, 4, 3, -2, 1, -1, -3, 9, -2]
        // At least 30 %: candidates take 3 (2/3), 4 (3/4), 5 (3/5), 6 (4/6) ... : 0.8 wins.
        let p = TakePolicy.choose(probabilities: probabilities, labels: labels, returns: returns, minTakeFraction: 0.3, skillDemonstrated: true)
        #expect(!p.takesEverySignal && p.threshold == 0.8)
        #expect(p.outOfFold == 10 && p.outOfFoldTakenFraction == 0.4 && p.outOfFoldObjectiveTaken == 0.75 && p.outOfFoldObjectiveAll == 0.5)
        #expect(p.take(0.8) && !p.take(0.79))
        // At least 50 %: 5 (3/5), 6 (4/6), 7 (4/7), ...: 0.6.
        #expect(TakePolicy.choose(probabilities: probabilities, labels: labels, returns: returns, minTakeFraction: 0.5, skillDemonstrated: true).threshold == 0.6)
        // Mean return: top 3 (7/3), 4 (10/4), 5 (8/5), ..., 9 (14/9), all 12/10: 0.8 again; at
        // least 90 %: 9 (14/9 = 1.56) beats all 10 (1.2): 0.3.
        let r = TakePolicy.choose(probabilities: probabilities, labels: labels, returns: returns, objective: .meanReturn, minTakeFraction: 0.9, skillDemonstrated: true)
        #expect(r.threshold == 0.3 && r.objective == .meanReturn)
    }

    @Test func aTieGoesToTheRuleThatTakesMoreAndNoBetterRuleTakesEverything() {
        // Taking 2 (1/2) ties taking 4 (2/4), taking 3 (1/3) is worse: the lower threshold.
        let p = TakePolicy.choose(probabilities: [0.9, 0.8, 0.7, 0.6], labels: [1, 0, 0, 1], returns: [nil, nil, nil, nil],
                                  minTakeFraction: 0.5, skillDemonstrated: true)
        #expect(p.takesEverySignal && p.threshold == 0)
        // Tied probabilities join together.
        let q = TakePolicy.choose(probabilities: [0.9, 0.9, 0.5, 0.5], labels: [1, 1, 0, 0], returns: [nil, nil, nil, nil],
                                  minTakeFraction: 0.25, skillDemonstrated: true)
        #expect(q.threshold == 0.9 && q.outOfFoldTakenFraction == 0.5)
        // Nothing to choose on.
        #expect(TakePolicy.choose(probabilities: [], labels: [], returns: [], skillDemonstrated: true).takesEverySignal)
    }

    @Test func theBetSizeIsLopezDePradosFormula() {
        #expect(TakePolicy.betSize(0.5) == 0 && TakePolicy.betSize(0.3) == 0 && TakePolicy.betSize(1) == 1)
        // p = 0.75: z = 0.25 / √0.1875 = 0.57735, 2Φ(z) − 1 = 0.43628.
        #expect(abs(TakePolicy.betSize(0.75) - 0.43628) < 1e-4)
        let sized = TakePolicy.choose(probabilities: [0.9, 0.8, 0.3, 0.2], labels: [1, 1, 0, 0], returns: [nil, nil, nil, nil],
                                      minTakeFraction: 0.5, sizing: true, skillDemonstrated: true)
        #expect(sized.size(0.2) == 0) // skipped
        #expect(sized.size(0.9) == TakePolicy.betSize(0.9))
        #expect(TakePolicy.choose(probabilities: [0.9], labels: [1], returns: [nil], skillDemonstrated: true).size(0.9) == nil)
    }
}
