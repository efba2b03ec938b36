/// One walk-forward fold: train on the past, validate on the block that follows.
public struct WalkForwardFold: Codable, Sendable, Equatable {
    /// Training row indices, in time order, purged against `validation`.
    public var train: [Int]
    /// Validation row indices, in time order.
    public var validation: [Int]
    /// Rows of earlier blocks dropped because their label window reaches the validation start.
    public var purged: [Int]
}

/// Time-ordered validation (README.md, "Training, the registry and scoring"): a purged holdout and walk-forward folds, as row indices.
///
/// Rows may come in any order; they are ordered by entry day (ties by exit day, then by index).
/// A row's label window is `[entry, exit]`. Purge rule: a training row is kept only when its
/// exit day is strictly before the first entry day of the rows it is evaluated against, so no
/// training label can be decided by prices inside the evaluation period.
public struct TimeSplit: Codable, Sendable, Equatable {
    /// Training row indices in time order (purged).
    public var train: [Int]
    /// Holdout row indices in time order: the last `fraction` of rows by entry day.
    public var holdout: [Int]
    /// Rows before the holdout dropped by the purge.
    public var purged: [Int]
    /// The first entry day of the holdout.
    public var holdoutStart: Int

    /// The last `fraction` of rows by entry day is the holdout (at least one row); the rest,
    /// purged, is the training part. Throws `shapeMismatch` for unequal arrays or an exit day
    /// before its entry day, `insufficientData` for fewer than two rows.
    public static func holdout(entry: [Int], exit: [Int], fraction: Double = 0.2) throws -> TimeSplit {
        try validate(entry: entry, exit: exit)
        guard fraction > 0, fraction < 1 else {
            throw LearningError(.invalidParameters, "holdout fraction must be in (0, 1), got \(fraction)")
        }
        guard entry.count >= 2 else { throw LearningError(.insufficientData, "\(entry.count) rows cannot be split") }
        let order = timeOrder(entry: entry, exit: exit)
        let holdoutCount = min(order.count - 1, max(1, Int((Double(order.count) * fraction).rounded())))
        let holdout = Array(order.suffix(holdoutCount))
        let start = entry[holdout[0]]
        var train = [Int](), purged = [Int]()
        for r in order.prefix(order.count - holdoutCount) {
            if exit[r] < start { train.append(r) } else { purged.append(r) }
        }
        return TimeSplit(train: train, holdout: holdout, purged: purged, holdoutStart: start)
    }

    /// Expanding-window walk-forward folds over `rows` (e.g. `train` of a holdout split): the
    /// rows, in time order, are cut into `folds + 1` nearly equal blocks; fold k validates on
    /// block k (k = 1...folds) and trains on blocks 0..<k, purged against block k's first entry
    /// day. Folds whose training part has fewer than `minimumTrainRows` rows are left out;
    /// throws `insufficientData` when none remain.
    public static func walkForward(
        rows: [Int], entry: [Int], exit: [Int], folds: Int = 4,
        minimumTrainRows: Int = LearningError.minimumTrainingRows
    ) throws -> [WalkForwardFold] {
        try validate(entry: entry, exit: exit)
        guard folds >= 1 else { throw LearningError(.invalidParameters, "folds must be >= 1") }
        let order = rows.sorted { less($0, $1, entry, exit) }
        let blocks = folds + 1
        guard order.count >= blocks else {
            throw LearningError(.insufficientData, "\(order.count) rows cannot make \(folds) walk-forward folds")
        }
        func bound(_ b: Int) -> Int { b * order.count / blocks }
        var result = [WalkForwardFold]()
        for k in 1...folds {
            let validation = Array(order[bound(k)..<bound(k + 1)])
            let start = entry[validation[0]]
            var train = [Int](), purged = [Int]()
            for r in order[0..<bound(k)] {
                if exit[r] < start { train.append(r) } else { purged.append(r) }
            }
            if train.count >= minimumTrainRows {
                result.append(WalkForwardFold(train: train, validation: validation, purged: purged))
            }
        }
        guard !result.isEmpty else {
            throw LearningError(.insufficientData, "no walk-forward fold has \(minimumTrainRows) training rows after the purge")
        }
        return result
    }

    /// Row indices ordered by entry day, then exit day, then index.
    public static func timeOrder(entry: [Int], exit: [Int]) -> [Int] {
        entry.indices.sorted { less($0, $1, entry, exit) }
    }

    private static func less(_ a: Int, _ b: Int, _ entry: [Int], _ exit: [Int]) -> Bool {
        (entry[a], exit[a], a) < (entry[b], exit[b], b)
    }

    private static func validate(entry: [Int], exit: [Int]) throws {
        guard entry.count == exit.count else {
            throw LearningError(.shapeMismatch, "\(entry.count) entry days but \(exit.count) exit days")
        }
        if let r = entry.indices.first(where: { exit[$0] < entry[$0] }) {
            throw LearningError(.shapeMismatch, "row \(r) exits (day \(exit[r])) before it enters (day \(entry[r]))")
        }
    }
}
