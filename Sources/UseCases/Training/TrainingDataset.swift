import Foundation
import Learning
import Store
import TradingDomain

/// The labeled signals a model learns from, in time order, with their stored feature rows.
public struct TrainingDataset: Sendable {
    public var signalIds: [String]
    public var x: FeatureMatrix
    public var labels: [Int]
    /// Directional `return_pct` per row (nil when not stored), for the take policy's economics.
    public var returns: [Double?] = []
    public var entryDays: [Int]
    public var exitDays: [Int]
    public var schemaHash: String
    public var schemaVersion: Int
    /// The store's label change sequence when the dataset was read: later changes are "new".
    public var labelChange: Int

    public var firstEntry: Day? { entryDays.first.map { Day(number: Int32($0)) } }
    public var lastEntry: Day? { entryDays.last.map { Day(number: Int32($0)) } }
}

/// Too little to train on, said plainly.
public struct NotEnoughData: Error, CustomStringConvertible {
    public var description: String
}

extension Training {
    /// Labeled (not pending, not expired) signals within `training.lookback_days`, sorted by
    /// entry date, with features of the current schema (`features`: this run's feature report).
    public func dataset(features: FeatureReport) throws -> TrainingDataset {
        let labelChange = try store.lastLabelChange()
        var rows = try store.labeledRows(schemaHash: features.schemaHash)
        if config.training.lookbackDays > 0, let last = rows.entryDays.last {
            let first = rows.entryDays.firstIndex { $0 >= last - config.training.lookbackDays } ?? 0
            rows.signalIds.removeFirst(first); rows.entryDays.removeFirst(first); rows.exitDays.removeFirst(first)
            rows.labels.removeFirst(first); rows.values.removeFirst(first * rows.width); rows.returns.removeFirst(first)
        }
        let names = try store.featureNames(schemaHash: features.schemaHash) ?? []
        let x = rows.signalIds.isEmpty
            ? try FeatureMatrix(rowArrays: [], columnNames: names)
            : try FeatureMatrix(rows: rows.signalIds.count, cols: rows.width, values: rows.values, columnNames: names)
        return TrainingDataset(
            signalIds: rows.signalIds, x: x, labels: rows.labels, returns: rows.returns, entryDays: rows.entryDays, exitDays: rows.exitDays,
            schemaHash: features.schemaHash, schemaVersion: features.schemaVersion, labelChange: labelChange
        )
    }
}
