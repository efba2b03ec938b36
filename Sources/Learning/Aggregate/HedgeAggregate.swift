import Foundation

/// The settings of the production aggregate (README.md, "The production aggregate"): the
/// learning rate of exponential weighting and the Fixed Share returned to every candidate after
/// each update, so the weights can follow a best candidate that changes over time.
public struct HedgeSettings: Codable, Sendable, Hashable {
    /// η in w ← w·exp(−η·loss). For log loss η ≤ 1 keeps the mixture's regret bound.
    public var eta: Double
    /// α in w ← (1 − α)·w + α/N after each update; 0 is plain Hedge.
    public var share: Double

    public init(eta: Double = 0.2, share: Double = 0.01) {
        self.eta = eta
        self.share = share
    }
}

/// One outcome known to the aggregate: each candidate's live probability for the signal (nil
/// when that candidate did not score it) and the signal's 0/1 outcome.
public struct EvidenceOutcome: Sendable, Hashable {
    public var probabilities: [Double?]
    public var label: Int

    public init(probabilities: [Double?], label: Int) {
        self.probabilities = probabilities
        self.label = label
    }
}

/// Exponentially weighted aggregation (Hedge) of candidates' probabilities with Fixed Share,
/// on log loss: a pure function of the outcomes it is given, in their order.
///
/// Why: choosing one candidate on noisy folds lost to a plain model refitted monthly; a mixture
/// whose weights are earned by live log loss cannot do much worse than its best candidate in
/// hindsight. Log loss is 1-exp-concave, so for η ≤ 1 the mixture Σ wₖ pₖ has cumulative log
/// loss ≤ minₖ Lₖ + (ln N + T·ln(1/(1−α)))/η over T sequential updates (``regretBound``).
/// A candidate that did not score a row is charged the mixture's own loss there (a "sleeping"
/// expert), which leaves the others' bound intact. Weights are never negative.
public struct HedgeAggregate: Sendable, Hashable {
    public let names: [String]
    public let settings: HedgeSettings
    /// The current weights (non-negative, summing to 1).
    public private(set) var weights: [Double]
    /// Updates applied (outcomes seen).
    public private(set) var updates = 0
    /// Each candidate's cumulative log loss over the outcomes seen (the mixture's loss where
    /// it did not score).
    public private(set) var candidateLoss: [Double]
    /// The mixture's cumulative log loss when each outcome is predicted with the weights before it.
    public private(set) var aggregateLoss = 0.0

    /// Probabilities are clipped to [ε, 1 − ε] before a log loss.
    public static let epsilon = 1e-6

    public init(names: [String], settings: HedgeSettings) {
        precondition(!names.isEmpty, "an aggregate needs at least one candidate")
        self.names = names
        self.settings = settings
        weights = [Double](repeating: 1 / Double(names.count), count: names.count)
        candidateLoss = [Double](repeating: 0, count: names.count)
    }

    /// The aggregate after `outcomes`, in order, from equal weights.
    public static func run(names: [String], settings: HedgeSettings, outcomes: [EvidenceOutcome]) -> HedgeAggregate {
        var out = HedgeAggregate(names: names, settings: settings)
        for o in outcomes { out.update(o) }
        return out
    }

    /// log loss of probability `p` for 0/1 `label`.
    public static func logLoss(_ p: Double, _ label: Int) -> Double {
        let q = min(1 - epsilon, max(epsilon, p))
        return label == 1 ? -log(q) : -log(1 - q)
    }

    /// The mixture's probability: Σ wₖ pₖ over the candidates that scored, their weights
    /// renormalised; nil when none did.
    public func combine(_ probabilities: [Double?]) -> Double? {
        var sum = 0.0, mass = 0.0
        for (w, p) in zip(weights, probabilities) {
            guard let p else { continue }
            sum += w * p
            mass += w
        }
        guard mass > 0 else { return nil }
        return min(1, max(0, sum / mass))
    }

    /// One outcome: the mixture predicts it with the current weights, every candidate is charged
    /// its log loss, then the weights are multiplied by exp(−η·loss), normalised and shared.
    public mutating func update(_ outcome: EvidenceOutcome) {
        precondition(outcome.probabilities.count == names.count, "one probability (or nil) per candidate")
        guard let mixture = combine(outcome.probabilities) else { return }
        let mixtureLoss = Self.logLoss(mixture, outcome.label)
        aggregateLoss += mixtureLoss
        let losses = outcome.probabilities.map { $0.map { Self.logLoss($0, outcome.label) } ?? mixtureLoss }
        // Subtracting the smallest loss before exponentiating changes nothing after normalising
        // and keeps exp from underflowing.
        let least = losses.min() ?? 0
        var total = 0.0
        for k in weights.indices {
            weights[k] *= exp(-settings.eta * (losses[k] - least))
            total += weights[k]
            candidateLoss[k] += losses[k]
        }
        let n = Double(weights.count)
        for k in weights.indices {
            weights[k] = total > 0 ? weights[k] / total : 1 / n
            weights[k] = (1 - settings.share) * weights[k] + settings.share / n
        }
        updates += 1
    }

    /// The regret bound against the best single candidate after ``updates`` outcomes:
    /// (ln N + T·ln(1/(1−α)))/η. Valid as stated for η ≤ 1 (log loss is 1-exp-concave).
    public var regretBound: Double {
        let n = Double(names.count)
        let shareCost = settings.share > 0 ? Double(updates) * log(1 / (1 - settings.share)) : 0
        return (log(n) + shareCost) / settings.eta
    }

    /// The candidate with the smallest cumulative loss (the best in hindsight), and its loss.
    public var best: (name: String, loss: Double) {
        let k = candidateLoss.indices.min { candidateLoss[$0] < candidateLoss[$1] } ?? 0
        return (names[k], candidateLoss[k])
    }
}
