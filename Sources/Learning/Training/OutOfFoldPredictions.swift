import Foundation

/// A model's out-of-fold walk-forward predictions, pooled over the folds: each training-part row
/// that some fold validated on, with the probability of the model fitted on that fold's earlier
/// rows. What the take threshold is chosen on (the Policy module's `TakePolicy`), since none of
/// these predictions saw its own label and none comes from the holdout.
public struct OutOfFoldPredictions: Codable, Sendable, Equatable {
    /// Row indices into the training matrix (all in `TrainingResult.trainRows`), fold by fold.
    public var rows: [Int]
    /// The probabilities, aligned with `rows`.
    public var probabilities: [Double]

    public init(rows: [Int], probabilities: [Double]) {
        precondition(rows.count == probabilities.count, "one probability per row")
        self.rows = rows
        self.probabilities = probabilities
    }
}
