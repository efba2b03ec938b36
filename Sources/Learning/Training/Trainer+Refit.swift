import Foundation

/// Which fit of the chosen configuration becomes the version's artifact (`training.ship`).
public enum ShippedFit: String, Codable, Sendable, Hashable, CaseIterable {
    /// The fit on the purged training part: the one the holdout measured.
    case measured
    /// The chosen configuration refitted on every labeled row (training part, purged rows and
    /// holdout) with the same seed: it learns from the most recent signals the measured fit
    /// never saw, and its figures are the measured fit's (nothing unseen is left to measure it).
    case refit
}

/// A refitted artifact and what it learned from.
public struct RefitModel: Sendable {
    /// The refitted model's `serialize()` bytes.
    public var model: Data
    /// The rows it was fitted on (every row of the matrix given).
    public var rows: Int
    public var notes: [String]
    public var seconds: Double
}

extension Trainer {
    /// The final stage of `ship = refit`: `Classifiers.make(result.hyperparameters)` fitted on
    /// every row of `x` with the seed the measured fit used. Blocking, like `train`.
    ///
    /// The result's holdout figures and predictions stay those of the measured fit: the refit has
    /// seen the holdout, so its own predictions there measure nothing, and a promotion test must
    /// use `result.holdoutPredictions`, never the refit's.
    public static func refit(
        _ result: TrainingResult, _ x: FeatureMatrix, labels: [Int], shouldStop: StopCheck? = nil
    ) throws -> RefitModel {
        guard x.rows == labels.count else { throw LearningError(.shapeMismatch, "\(x.rows) rows, \(labels.count) labels") }
        try FitValidation.check(x, labels)
        defer { CLibraries.releaseFreedMemory() }
        let t0 = now()
        let model = Classifiers.make(result.hyperparameters)
        try model.fit(x, y: labels, seed: modelSeed(result.configuration.seed, result.chosen), shouldStop: shouldStop)
        return RefitModel(model: Data(try model.serialize()), rows: x.rows, notes: model.notes, seconds: now() - t0)
    }
}
