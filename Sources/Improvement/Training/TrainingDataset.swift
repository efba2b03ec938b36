import Foundation
import Learning
import Store
import TradingDomain

/// The labeled signals a model learns from, in time order, with their stored feature rows.
public struct TrainingDataset: Sendable {
    public var signalIds: [String]
    public var x: FeatureMatrix
    public var labels: [Int]
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

extension App {
    /// Labeled (not pending, not expired) signals within `training.lookback_days`, sorted by
    /// entry date, with features of the current schema.
    public func trainingDataset() throws -> TrainingDataset {
        let features = try computeFeatures()
        let labelChange = try store.lastLabelChange()
        let stored = try store.features(schemaHash: features.schemaHash)
        let outcomes = try store.outcomes()
        var rows: [(Signal, Outcome, [Double])] = []
        for s in try store.signals() {
            guard let o = outcomes[s.id], o.status == .labeled, let _ = o.label, let exit = o.exitDate, exit >= s.entryDate,
                  let f = stored[s.id] else { continue }
            rows.append((s, o, f.values))
        }
        rows.sort { ($0.0.entryDate, $0.0.id) < ($1.0.entryDate, $1.0.id) }
        if config.trainingLookbackDays > 0, let last = rows.last?.0.entryDate {
            let start = last.adding(days: -config.trainingLookbackDays)
            rows.removeAll { $0.0.entryDate < start }
        }
        let names = try store.featureNames(schemaHash: features.schemaHash) ?? []
        let x = try FeatureMatrix(rowArrays: rows.map(\.2), columnNames: names)
        return TrainingDataset(
            signalIds: rows.map(\.0.id), x: x, labels: rows.map { $0.1.label! },
            entryDays: rows.map { Int($0.0.entryDate.number) }, exitDays: rows.map { Int($0.1.exitDate!.number) },
            schemaHash: features.schemaHash, schemaVersion: features.schemaVersion, labelChange: labelChange
        )
    }
}
