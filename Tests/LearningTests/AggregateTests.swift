import Foundation
import Testing
@testable import Learning

/// The production aggregate's pure parts: Hedge with Fixed Share follows the best candidate
/// within its regret bound, and the calibration is monotone and tracks a drifting base rate.
@Suite struct AggregateTests {
    /// A seeded stream of `n` outcomes with base rate `rate(t)`: candidate "good" knows each
    /// outcome's probability, "noise" is a random guess, "flat" predicts 0.5.
    static func outcomes(n: Int, seed: UInt64, rate: (Int) -> Double, informative: (Int) -> Int) -> [EvidenceOutcome] {
        var rng = SplitMix64(seed: seed)
        return (0..<n).map { t in
            let signal = rng.nextUniform()
            let p = min(0.95, max(0.05, rate(t) + 0.35 * (signal - 0.5)))
            let y = rng.nextUniform() < p ? 1 : 0
            let noise = 0.2 + 0.6 * rng.nextUniform()
            // The informative candidate, then the other one's random guess.
            var probabilities: [Double?] = [noise, noise]
            probabilities[informative(t)] = p
            probabilities[1 - informative(t)] = noise
            return EvidenceOutcome(probabilities: probabilities + [0.5], label: y)
        }
    }

    @Test func weightsFollowTheBestCandidateWhenItChanges() {
        // A is informative for the first 1,500 outcomes, then B.
        let stream = Self.outcomes(n: 3000, seed: 11, rate: { _ in 0.4 }, informative: { $0 < 1500 ? 0 : 1 })
        var hedge = HedgeAggregate(names: ["A", "B", "flat"], settings: HedgeSettings(eta: 1, share: 0.01))
        for o in stream.prefix(1500) { hedge.update(o) }
        #expect(hedge.weights[0] > 0.6 && hedge.weights[0] == hedge.weights.max(), "A leads after its stretch: \(hedge.weights)")
        var switched: Int?
        for (t, o) in stream.dropFirst(1500).enumerated() {
            hedge.update(o)
            if switched == nil, hedge.weights[1] > hedge.weights[0] { switched = t }
        }
        // Fixed Share keeps every weight ≥ α/N, so the switch takes a bounded number of outcomes.
        #expect(switched != nil && switched! < 150, "B overtook A after \(switched.map(String.init) ?? "never")")
        #expect(hedge.weights[1] > 0.6 && hedge.weights[1] == hedge.weights.max())
        #expect(hedge.weights.allSatisfy { $0 >= 0.01 / 3 - 1e-12 })
    }

    @Test func cumulativeLossStaysWithinTheBoundOfTheBestCandidate() {
        for (eta, share) in [(1.0, 0.0), (1.0, 0.01), (0.5, 0.05), (0.1, 0.0)] {
            let stream = Self.outcomes(n: 2000, seed: 3, rate: { 0.3 + 0.2 * Double($0) / 2000 }, informative: { ($0 / 400) % 2 })
            let hedge = HedgeAggregate.run(names: ["A", "B", "flat"], settings: HedgeSettings(eta: eta, share: share), outcomes: stream)
            #expect(hedge.updates == 2000)
            #expect(hedge.aggregateLoss <= hedge.best.loss + hedge.regretBound, "η \(eta) α \(share): \(hedge.aggregateLoss) vs \(hedge.best.loss) + \(hedge.regretBound)")
        }
    }

    @Test func aMissingScoreIsChargedTheMixturesLoss() {
        var hedge = HedgeAggregate(names: ["A", "B"], settings: HedgeSettings(eta: 1, share: 0))
        hedge.update(EvidenceOutcome(probabilities: [0.9, nil], label: 1))
        // The mixture is A's 0.9 alone; B is charged the same loss, so the weights stay equal.
        #expect(abs(hedge.weights[0] - 0.5) < 1e-12)
        hedge.update(EvidenceOutcome(probabilities: [0.9, 0.1], label: 1))
        #expect(hedge.weights[0] > 0.85)
        #expect(hedge.combine([nil, nil]) == nil)
    }

    @Test func calibrationIsIncreasingAndTracksADriftingBaseRate() {
        // Scores that rank well but are centred at 0.5 while the true rate drifts from 0.2 to 0.45.
        var rng = SplitMix64(seed: 7)
        var scores = [Double](), labels = [Int](), truth = [Double]()
        for t in 0..<6000 {
            let rate = 0.2 + 0.25 * Double(t) / 6000
            let s = rng.nextUniform()
            let p = min(0.95, max(0.02, rate + 0.3 * (s - 0.5)))
            scores.append(0.3 + 0.4 * s)
            truth.append(p)
            labels.append(rng.nextUniform() < p ? 1 : 0)
        }
        for end in stride(from: 1000, through: 6000, by: 1000) {
            let window = (end - 1000)..<end
            let map = MonotoneCalibration.fit(scores: Array(scores[window]), labels: Array(labels[window]))
            #expect(map.slope > 0)
            // The next 500 (or the last 500): the calibrated mean is near the realised rate there.
            let next = end < 6000 ? end..<(end + 500) : (end - 500)..<end
            let calibrated = next.map { map.apply(scores[$0]) }.reduce(0, +) / Double(next.count)
            let realised = Double(next.map { labels[$0] }.reduce(0, +)) / Double(next.count)
            let se = (realised * (1 - realised) / Double(next.count)).squareRoot()
            #expect(abs(calibrated - realised) < 2.5 * se + 0.02, "to \(end): calibrated \(calibrated), realised \(realised)")
            // Monotone: the ranking is kept.
            let sorted = scores[window].sorted()
            let mapped = sorted.map(map.apply)
            #expect(zip(mapped, mapped.dropFirst()).allSatisfy { $0 <= $1 })
        }
    }

    @Test func aReversedRelationBecomesAShiftNotAnInversion() {
        var rng = SplitMix64(seed: 9)
        var scores = [Double](), labels = [Int]()
        for _ in 0..<2000 {
            let s = rng.nextUniform()
            scores.append(s)
            labels.append(rng.nextUniform() < 0.6 - 0.4 * s ? 1 : 0) // higher score, fewer successes
        }
        let map = MonotoneCalibration.fit(scores: scores, labels: labels)
        #expect(map.kind == "shift" && map.slope == 1)
        let mean = scores.map(map.apply).reduce(0, +) / Double(scores.count)
        let rate = Double(labels.reduce(0, +)) / Double(labels.count)
        #expect(abs(mean - rate) < 1e-6)
        #expect(MonotoneCalibration.fit(scores: Array(scores.prefix(100)), labels: Array(labels.prefix(100))) == .identity)
    }
}
