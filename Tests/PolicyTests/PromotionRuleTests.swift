import ModelMetrics
import Policy
import Testing

/// The promotion rule on fixed scores: pure values, no store, no training.
struct PromotionRuleTests {
    /// 400 holdout rows with a 35 % success rate and a weak, noisy signal in `signal`.
    static let labels: [Int] = (0..<400).map { ($0 * 7919) % 100 < 35 ? 1 : 0 }
    static func scores(seed: UInt64, skill: Double) -> [Double] {
        var state = seed
        return labels.map { y in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let noise = Double(state >> 11) / Double(1 << 53)
            return min(1, max(0, 0.35 + skill * (Double(y) - 0.35) + (noise - 0.5) * 0.4))
        }
    }

    @Test func aFirstModelIsPromotedAndSaysWhenItShowsNoSkill() {
        let flat = PromotionRule().decide(labels: Self.labels, candidate: Self.scores(seed: 1, skill: 0), production: .none)
        #expect(flat.promoted && flat.noDemonstratedSkill)
        #expect(flat.text.hasPrefix("first model: no production model yet (holdout AUC 0."))
        #expect(flat.text.hasSuffix("no demonstrated skill: the holdout AUC interval contains 0.5"))
        let skilled = PromotionRule().decide(labels: Self.labels, candidate: Self.scores(seed: 1, skill: 0.5), production: .none)
        #expect(skilled.promoted && !skilled.noDemonstratedSkill && skilled.candidateAUC.lower > 0.5)
    }

    @Test func aProductionModelOfAnotherSchemaIsReplaced() {
        let d = PromotionRule().decide(labels: Self.labels, candidate: Self.scores(seed: 2, skill: 0.1),
                                       production: .cannotScore(version: 3, schema: "aaaa", current: "bbbb"))
        #expect(d.promoted && d.test == nil)
        #expect(d.reason.description.hasPrefix("production v3 was trained on feature schema aaaa and cannot score the current schema bbbb"))
    }

    @Test func anEqualOrNoisierCandidateIsKept() {
        let production = Self.scores(seed: 3, skill: 0.3)
        // The same scores: difference 0, p = 0.5.
        let same = PromotionRule().decide(labels: Self.labels, candidate: production, production: .scored(version: 1, probabilities: production))
        #expect(!same.promoted && same.test?.difference == 0 && same.test?.pGreater == 0.5)
        #expect(same.reason.description.hasSuffix("not better beyond sampling error; production kept"))
        // Other draws of the same skill are higher or lower by chance: a raw comparison would
        // promote about half of them, the test at most one in ten.
        var higher = 0, promoted = 0
        for seed in UInt64(10)..<UInt64(20) {
            let d = PromotionRule().decide(labels: Self.labels, candidate: Self.scores(seed: seed, skill: 0.3),
                                           production: .scored(version: 1, probabilities: production))
            if (d.test?.difference ?? 0) > 0 { higher += 1 }
            if d.promoted { promoted += 1 }
        }
        #expect(higher >= 2 && promoted <= 1)
    }

    @Test func aClearlyBetterCandidateIsPromotedWithItsTestInTheReason() throws {
        let production = Self.scores(seed: 4, skill: 0.05)
        let d = PromotionRule().decide(labels: Self.labels, candidate: Self.scores(seed: 5, skill: 0.8),
                                       production: .scored(version: 2, probabilities: production))
        let test = try #require(d.test)
        #expect(d.promoted && test.difference > 0 && test.pGreater < 0.05)
        #expect(d.reason.description.contains("against production v2's"))
        #expect(d.reason.description.contains("on the same 400 holdout signals"))
        #expect(d.reason.description.hasSuffix("the candidate is better beyond sampling error"))
        // The same difference held to a margin larger than itself is kept.
        let held = PromotionRule(alpha: 0.05, margin: test.difference + 0.01).decide(
            labels: Self.labels, candidate: Self.scores(seed: 5, skill: 0.8), production: .scored(version: 2, probabilities: production))
        #expect(!held.promoted && held.reason.description.contains("not above the margin"))
    }

    // MARK: - The monthly mode, `unless_worse`

    @Test func unlessWorsePromotesAnEqualCandidateAndSaysWhy() throws {
        let production = Self.scores(seed: 3, skill: 0.3)
        let rule = PromotionRule(alpha: 0.05, mode: .unlessWorse)
        let same = rule.decide(labels: Self.labels, candidate: production, production: .scored(version: 1, probabilities: production))
        let test = try #require(same.test)
        #expect(same.promoted && test.difference == 0 && PromotionRule.pLess(test) == 0.5)
        #expect(same.reason.description.contains("difference +0.0000 [+0.0000, +0.0000], one-sided paired DeLong p(worse) = 0.5000"))
        #expect(same.reason.description.hasSuffix("≥ alpha 0.05: not significantly worse; the retrain replaces production (unless_worse)"))
        // The paired test (every other retrain) keeps production for the very same scores.
        #expect(!PromotionRule(alpha: 0.05).decide(labels: Self.labels, candidate: production,
                                                   production: .scored(version: 1, probabilities: production)).promoted)
    }

    @Test func unlessWorseKeepsProductionAgainstASignificantlyWorseCandidate() throws {
        let production = Self.scores(seed: 5, skill: 0.8)
        let worse = Self.scores(seed: 4, skill: 0.05)
        let d = PromotionRule(alpha: 0.05, mode: .unlessWorse).decide(
            labels: Self.labels, candidate: worse, production: .scored(version: 2, probabilities: production))
        let test = try #require(d.test)
        #expect(!d.promoted && test.difference < 0 && PromotionRule.pLess(test) < 0.05)
        #expect(abs(PromotionRule.pLess(test) - (1 - test.pGreater)) < 1e-12)
        #expect(d.reason.description.contains(String(format: "p(worse) = %.4f < alpha 0.05", PromotionRule.pLess(test))))
        #expect(d.reason.description.hasSuffix("significantly worse; production kept (unless_worse)"))
        // The margin is a bar for "better": it does not hold back an unless_worse promotion.
        let better = PromotionRule(alpha: 0.05, margin: 0.5, mode: .unlessWorse).decide(
            labels: Self.labels, candidate: production, production: .scored(version: 2, probabilities: worse))
        #expect(better.promoted)
    }

    /// Candidates of the same skill as production (other noise draws): the paired test promotes
    /// at most one in ten, `unless_worse` at least nine in ten (it keeps production only when
    /// the draw is worse beyond sampling error).
    @Test func theTwoModesOnDrawsOfEqualSkill() {
        let production = Self.scores(seed: 3, skill: 0.3)
        var paired = 0, unlessWorse = 0
        for seed in UInt64(10)..<UInt64(20) {
            let candidate = Self.scores(seed: seed, skill: 0.3)
            let against = PromotionRule.Production.scored(version: 1, probabilities: production)
            if PromotionRule(mode: .pairedTest).decide(labels: Self.labels, candidate: candidate, production: against).promoted { paired += 1 }
            if PromotionRule(mode: .unlessWorse).decide(labels: Self.labels, candidate: candidate, production: against).promoted { unlessWorse += 1 }
        }
        #expect(paired <= 1 && unlessWorse >= 9)
    }

    /// Only the holdout rows production never trained on are compared: a production model that
    /// learned the first half (and so ranks it perfectly) is judged on the second half alone.
    @Test func rowsProductionTrainedOnAreLeftOut() throws {
        let seenByProduction = 200
        let production = Self.labels.enumerated().map { i, y in i < seenByProduction ? Double(y) : 0.5 + Double((i * 37) % 11) / 100 }
        let candidate = Self.scores(seed: 6, skill: 0.15)
        let everything = PromotionRule().decide(labels: Self.labels, candidate: candidate, production: .scored(version: 4, probabilities: production))
        #expect(!everything.promoted) // the memorised half hides the candidate's skill
        let unseen = Array(seenByProduction..<Self.labels.count)
        let fair = PromotionRule().decide(labels: Self.labels, candidate: candidate,
                                          production: .scored(version: 4, probabilities: production, unseen: unseen))
        let test = try #require(fair.test)
        #expect(fair.promoted && fair.leftOut == seenByProduction)
        #expect(fair.reason.description.contains("on the same 200 holdout signals"))
        #expect(fair.text.contains("; 200 holdout signal(s) production had trained on were left out of the comparison"))
        let expected = DeLong.compare(labels: Array(Self.labels[200...]), a: Array(candidate[200...]), b: Array(production[200...]))
        #expect(test == expected)
        // The candidate's interval (and "no demonstrated skill") is over the whole holdout.
        #expect(fair.candidateAUC == DeLong.interval(labels: Self.labels, scores: candidate))
        // No unseen row: nothing to compare, no evidence either way.
        let none = PromotionRule(mode: .unlessWorse).decide(labels: Self.labels, candidate: candidate,
                                                            production: .scored(version: 4, probabilities: production, unseen: []))
        #expect(none.promoted && none.test?.variance == nil && PromotionRule.pLess(none.test!) == 0.5)
        #expect(!PromotionRule().decide(labels: Self.labels, candidate: candidate,
                                        production: .scored(version: 4, probabilities: production, unseen: [])).promoted)
    }
}
