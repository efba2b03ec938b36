import Foundation
import Testing
@testable import Learning

/// The selection rules on fixed candidates.
@Suite struct SelectionRuleTests {
    static func candidate(_ a: Algorithm, cv: Double, pooled: Double, se: Double? = 0.02) -> SelectionRule.Candidate {
        .init(algorithm: a, meanCV: cv, pooledOOF: pooled, pooledSE: se)
    }

    /// gb has the best mean CV, rf the best pooled AUC; lr is within one SE of rf, voting too.
    static let candidates = [
        candidate(.gb, cv: 0.560, pooled: 0.540), candidate(.rf, cv: 0.550, pooled: 0.555, se: 0.02),
        candidate(.lr, cv: 0.530, pooled: 0.540), candidate(.nn, cv: 0.520, pooled: 0.500),
        candidate(.voting, cv: 0.545, pooled: 0.550), candidate(.stacking, cv: 0.540, pooled: 0.552),
    ]

    @Test func meanCVTakesTheHighestMeanFoldAUC() throws {
        let c = try #require(SelectionRule.meanCV.choose(Self.candidates))
        #expect(c.algorithm == .gb)
        #expect(c.reason == "mean_cv: highest mean walk-forward AUC, gb 0.5600; next rf 0.5500")
        // A tie goes to the earlier algorithm, as before the rules existed.
        let tie = [Self.candidate(.lr, cv: 0.55, pooled: 0.5), Self.candidate(.rf, cv: 0.55, pooled: 0.6)]
        #expect(SelectionRule.meanCV.choose(tie)?.algorithm == .rf)
    }

    @Test func pooledOOFTakesTheHighestPooledAUC() throws {
        let c = try #require(SelectionRule.pooledOOF.choose(Self.candidates))
        #expect(c.algorithm == .rf)
        #expect(c.reason == "pooled_oof: highest pooled out-of-fold AUC, rf 0.5550; next stacking 0.5520")
    }

    @Test func oneSETakesTheSimplestWithinOneStandardErrorOfTheBest() throws {
        // Best pooled: rf 0.555, SE 0.02 → threshold 0.535: gb, lr, voting, stacking qualify; lr is simplest.
        let c = try #require(SelectionRule.oneSE.choose(Self.candidates))
        #expect(c.algorithm == .lr)
        #expect(c.reason == "one_se: best pooled out-of-fold AUC rf 0.5550 (SE 0.0200); lr 0.5400 is the simplest within one SE (≥ 0.5350)")
        // A tighter SE leaves only the ensembles near rf: rf itself is simpler than both.
        var tight = Self.candidates
        tight[1].pooledSE = 0.004
        #expect(SelectionRule.oneSE.choose(tight)?.algorithm == .rf)
        #expect(SelectionRule.oneSE.choose(tight)?.reason.hasSuffix("no simpler candidate within one SE (≥ 0.5510)") == true)
        // Only ensembles within reach: the simpler ensemble (voting before stacking) wins.
        let ensembles = [Self.candidate(.nn, cv: 0.5, pooled: 0.50), Self.candidate(.stacking, cv: 0.5, pooled: 0.56, se: 0.015),
                         Self.candidate(.voting, cv: 0.5, pooled: 0.55)]
        #expect(SelectionRule.oneSE.choose(ensembles)?.algorithm == .voting)
        // An unknown SE counts as 0: the best itself.
        #expect(SelectionRule.oneSE.choose([Self.candidate(.lr, cv: 0.5, pooled: 0.54), Self.candidate(.gb, cv: 0.5, pooled: 0.55, se: nil)])?.algorithm == .gb)
        #expect(SelectionRule.simplicityOrder.count == Algorithm.allCases.count && Set(SelectionRule.simplicityOrder) == Set(Algorithm.allCases))
    }

    @Test func fixedAlwaysTakesItsCandidateAndFallsBackWhenItDidNotTrain() throws {
        let c = try #require(SelectionRule.fixed(.voting).choose(Self.candidates))
        #expect(c.algorithm == .voting && c.reason.hasPrefix("fixed:voting: always soft voting"))
        let without = Self.candidates.filter { $0.algorithm != .voting }
        let fallback = try #require(SelectionRule.fixed(.voting).choose(without))
        #expect(fallback.algorithm == .gb)
        #expect(fallback.reason == "fixed:voting: voting did not train, so mean_cv: highest mean walk-forward AUC, gb 0.5600; next rf 0.5500")
        #expect(SelectionRule.meanCV.choose([]) == nil)
    }

    @Test func parsesAndPrintsTheConfigurationSpellings() throws {
        #expect(SelectionRule("mean_cv") == .meanCV && SelectionRule("pooled_oof") == .pooledOOF && SelectionRule("one_se") == .oneSE)
        #expect(SelectionRule("fixed:voting") == .fixed(.voting) && SelectionRule("voting") == .fixed(.voting) && SelectionRule("fixed:lr") == .fixed(.lr))
        #expect(SelectionRule("best") == nil && SelectionRule("fixed:xgb") == nil && SelectionRule("") == nil)
        for rule in [SelectionRule.meanCV, .pooledOOF, .oneSE, .fixed(.stacking)] {
            #expect(SelectionRule(rule.description) == rule)
            let json = try JSONEncoder().encode([rule])
            #expect(try JSONDecoder().decode([SelectionRule].self, from: json) == [rule])
        }
        #expect(SelectionRule.fixed(.voting).description == "fixed:voting")
    }
}
