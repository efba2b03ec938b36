import Foundation
import Learning
import TradingDomain

/// The artifact a training run registers (`training.ship`) and the rows it learned from: the
/// measured fit, or the chosen configuration refitted on every labeled row. The version's figures
/// (CV, holdout, importance) and the promotion test are the measured fit's either way.
struct ShippedArtifact {
    var fit: ShippedFit
    /// The artifact's `serialize()` bytes.
    var bytes: Data
    /// The dataset rows the artifact was fitted on, in time order.
    var rows: [Int]
    /// What the version and the report say about it.
    var text: String

    /// The measured fit, or (`refit`) `Trainer.refit` on every row of `data`.
    static func make(_ fit: ShippedFit, result: TrainingResult, data: TrainingDataset, shouldStop: StopCheck?) throws -> ShippedArtifact {
        let measured = result.trainRows.count
        switch fit {
        case .measured:
            return ShippedArtifact(fit: fit, bytes: result.model, rows: result.trainRows,
                                   text: "the fit on the purged training part (\(measured) rows), the one the holdout measured")
        case .refit:
            let refit = try Trainer.refit(result, data.x, labels: data.labels, shouldStop: shouldStop)
            return ShippedArtifact(fit: fit, bytes: refit.model, rows: Array(0..<refit.rows),
                                   text: "refitted on all \(refit.rows) rows; figures are of the fit on the first \(measured)")
        }
    }

    /// The first and last entry days of the artifact's rows, as stored in `data_start` and
    /// `data_end` (a signal entered after `data_end` is one the artifact never learned).
    func window(_ data: TrainingDataset) -> (start: String?, end: String?) {
        let entries = rows.map { data.entryDays[$0] }
        return (entries.min().map { Day(number: Int32($0)).iso }, entries.max().map { Day(number: Int32($0)).iso })
    }
}
