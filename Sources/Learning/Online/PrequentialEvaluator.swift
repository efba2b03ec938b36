import Foundation
import ModelMetrics

/// Runs labeled examples through an `OnlineLogisticModel` test-then-train: each example is
/// first predicted, the prediction recorded, and only then learned from.
///
/// Why: this is how the online model is evaluated without look-ahead (every recorded
/// probability comes from a model that had not seen that example), and the recorded
/// probabilities are exactly the "online" side of `BlendObservation`.
public struct PrequentialEvaluator: Sendable, Equatable {
    /// The model after every example seen so far.
    public private(set) var model: OnlineLogisticModel
    /// For each example, the probability predicted before the model learned it.
    public private(set) var predictions: [Double] = []
    /// The labels of the examples, in order.
    public private(set) var labels: [Int] = []

    /// Starts from `model` (a fresh or a persisted one).
    public init(model: OnlineLogisticModel) {
        self.model = model
    }

    /// Predicts `x`, records the prediction, then updates the model with `label`; returns the
    /// prediction. When the update throws (wrong width, invalid label) nothing is recorded
    /// and the model is unchanged.
    @discardableResult
    public mutating func step(_ x: [Double], label: Int) throws -> Double {
        let p = model.predict(x)
        try model.update(x, label: label)
        predictions.append(p)
        labels.append(label)
        return p
    }

    /// Steps through the rows in order. Throws `shapeMismatch` when the counts differ (before
    /// any step); on a failing row, the rows before it stay applied.
    public mutating func run(_ rows: [[Double]], labels: [Int]) throws {
        guard rows.count == labels.count else {
            throw LearningError(.shapeMismatch, "\(rows.count) rows but \(labels.count) labels")
        }
        for (x, y) in zip(rows, labels) { try step(x, label: y) }
    }

    /// Steps through the rows of a matrix in order (see `run(_:labels:)`).
    public mutating func run(_ matrix: FeatureMatrix, labels: [Int]) throws {
        guard matrix.rows == labels.count else {
            throw LearningError(.shapeMismatch, "\(matrix.rows) rows but \(labels.count) labels")
        }
        for r in 0..<matrix.rows { try step(Array(matrix.row(r)), label: labels[r]) }
    }

    /// The holdout metrics (`Metrics`) of the recorded predictions, over the last `last` examples (all when
    /// nil).
    public func metrics(last: Int? = nil) throws -> Metrics {
        let n = max(0, min(last ?? predictions.count, predictions.count))
        return try Metrics(labels: Array(labels.suffix(n)), probabilities: Array(predictions.suffix(n)))
    }
}
