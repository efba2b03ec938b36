import Foundation

/// One recent labeled signal as the blend sees it: the batch model's probability, the online
/// model's prequential probability (predicted *before* the online model learned this signal)
/// and the outcome.
///
/// Why: the blend weight must be judged on predictions neither model made with hindsight.
public struct BlendObservation: Codable, Sendable, Equatable {
    /// Probability from the production (batch) model.
    public var batch: Double
    /// Probability from the online model before it was updated with this signal.
    public var online: Double
    /// The outcome: 1 success, 0 failure.
    public var label: Int

    public init(batch: Double, online: Double, label: Int) {
        self.batch = batch
        self.online = online
        self.label = label
    }
}

/// One candidate blend weight and its mean log loss on the observations.
///
/// Why: reports show how the chosen weight compares with the others, not just the winner.
public struct BlendCandidate: Codable, Sendable, Equatable {
    /// Weight of the batch model, `w` in `w * batch + (1 - w) * online`.
    public var weight: Double
    /// Mean log loss of the blend with this weight (probabilities clipped to [1e-15, 1 - 1e-15]).
    public var logLoss: Double

    public init(weight: Double, logLoss: Double) {
        self.weight = weight
        self.logLoss = logLoss
    }
}

/// The outcome of `BlendWeight.choose`: the weight, every candidate's log loss and why.
///
/// Why: the daemon persists and reports the decision, including when it fell back to the
/// batch model for lack of evidence.
public struct BlendChoice: Codable, Sendable, Equatable {
    /// Weight of the batch model in `w * batch + (1 - w) * online`, in [0, 1].
    public var weight: Double
    /// Every candidate weight (0, 0.05, ..., 1, ascending) with its mean log loss; empty when
    /// the choice fell back to the batch model.
    public var candidates: [BlendCandidate]
    /// Number of observations the choice was made on.
    public var observations: Int
    /// True when there were too few observations and the batch model was used alone.
    public var isFallback: Bool
    /// A human-readable explanation of the choice.
    public var reason: String

    public init(weight: Double, candidates: [BlendCandidate], observations: Int, isFallback: Bool, reason: String) {
        self.weight = weight
        self.candidates = candidates
        self.observations = observations
        self.isFallback = isFallback
        self.reason = reason
    }
}

/// Chooses how much to trust the batch model against the online model (README.md, "Online model": the online
/// model "is blended with the batch model by a weight chosen on recent performance").
///
/// Why a grid and log loss: the weight is picked from `0, 0.05, ..., 1` by the lowest mean log
/// loss of the blended probability on recent observations, which rewards calibration as well
/// as ranking; a coarse grid is robust with few observations and easy to report. Ties go to
/// the larger weight (the batch model, which went through validation and promotion); with too
/// few observations the batch model is used alone.
public enum BlendWeight {
    /// Fewer observations than this and the batch model is used alone.
    public static let defaultMinimumObservations = 30
    /// Two losses closer than this count as a tie.
    public static let tieTolerance = 1e-12

    /// The candidate weights 0, 0.05, ..., 1 (21 values, ascending).
    public static let grid: [Double] = (0...20).map { Double($0) / 20 }

    /// The blended probability `weight * batch + (1 - weight) * online`.
    public static func blend(batch: Double, online: Double, weight: Double) -> Double {
        weight * batch + (1 - weight) * online
    }

    /// Mean log loss of the blend with `weight` over `observations` (0 when there are none).
    /// Expects valid observations (see `choose`).
    public static func logLoss(_ observations: [BlendObservation], weight: Double) -> Double {
        guard !observations.isEmpty else { return 0 }
        var total = 0.0
        for o in observations {
            let p = min(max(blend(batch: o.batch, online: o.online, weight: weight), 1e-15), 1 - 1e-15)
            total -= o.label == 1 ? log(p) : log(1 - p)
        }
        return total / Double(observations.count)
    }

    /// Chooses the weight on the last `window` observations (all when `window` is nil).
    ///
    /// Returns weight 1 (batch only) with `isFallback` set when fewer than
    /// `minimumObservations` remain. Throws `invalidLabels` for a label other than 0 or 1 and
    /// `invalidParameters` for a probability that is not in [0, 1] or a negative minimum or
    /// non-positive window.
    public static func choose(
        _ observations: [BlendObservation],
        minimumObservations: Int = defaultMinimumObservations,
        window: Int? = nil
    ) throws -> BlendChoice {
        guard minimumObservations >= 0 else {
            throw LearningError(.invalidParameters, "minimum observations must be >= 0, got \(minimumObservations)")
        }
        if let window, window <= 0 {
            throw LearningError(.invalidParameters, "blend window must be > 0, got \(window)")
        }
        let recent = window.map { Array(observations.suffix($0)) } ?? observations
        for o in recent {
            guard o.label == 0 || o.label == 1 else {
                throw LearningError(.invalidLabels, "labels must be 0 or 1, got \(o.label)")
            }
            guard o.batch >= 0, o.batch <= 1, o.online >= 0, o.online <= 1 else {
                throw LearningError(.invalidParameters, "blend probabilities must be in [0, 1], got batch \(o.batch), online \(o.online)")
            }
        }
        guard recent.count >= max(minimumObservations, 1) else {
            return BlendChoice(
                weight: 1, candidates: [], observations: recent.count, isFallback: true,
                reason: "batch model only: \(recent.count) recent observation(s), fewer than the \(max(minimumObservations, 1)) needed to choose a blend weight")
        }
        let candidates = grid.map { BlendCandidate(weight: $0, logLoss: logLoss(recent, weight: $0)) }
        // From the largest weight down, so a tie keeps the larger weight.
        var best = candidates[candidates.count - 1]
        for candidate in candidates.reversed().dropFirst() where candidate.logLoss < best.logLoss - tieTolerance {
            best = candidate
        }
        let batchOnly = candidates[candidates.count - 1].logLoss
        let onlineOnly = candidates[0].logLoss
        let reason = "weight \(format(best.weight)) on \(recent.count) recent observations: log loss \(format(best.logLoss))"
            + " (batch only \(format(batchOnly)), online only \(format(onlineOnly)))"
        return BlendChoice(weight: best.weight, candidates: candidates, observations: recent.count, isFallback: false, reason: reason)
    }

    private static func format(_ x: Double) -> String { String(format: "%.4f", x) }
}
