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
}
