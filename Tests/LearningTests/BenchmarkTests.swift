import Foundation
import Testing
@testable import Learning

/// Timing of a whole training run on a realistic size (20,000 x 30), printed, not asserted.
/// Runs only with `IMPROVEMENTD_BENCH=1` (e.g. `IMPROVEMENTD_BENCH=1 swift test -c release
/// --filter BenchmarkTests`); `IMPROVEMENTD_BENCH_ROWS` changes the row count,
/// `IMPROVEMENTD_BENCH_ALGORITHMS` (e.g. `gb,rf`) the algorithms, `IMPROVEMENTD_BENCH_PARAMS` (a JSON
/// array of `Hyperparameters`) the base parameters, `IMPROVEMENTD_BENCH_NO_TUNE=1` skips tuning.
@Suite struct BenchmarkTests {
    static let enabled = ProcessInfo.processInfo.environment["IMPROVEMENTD_BENCH"] == "1"

    /// Noisy data like real signals: a weak signal in 5 of 30 features, 10 % missing values.
    static func realistic(rows: Int, seed: UInt64) -> (FeatureMatrix, [Int], [Int], [Int]) {
        var rng = SplitMix64(seed: seed)
        var values = [Double](), labels = [Int](), entry = [Int](), exit = [Int]()
        values.reserveCapacity(rows * 30)
        for r in 0..<rows {
            var row = (0..<30).map { _ in rng.nextGaussian() }
            let score = 0.5 * row[0] + 0.3 * row[1] - 0.3 * row[2] + 0.3 * row[3] * row[4] + 0.2 * (row[5] > 1 ? 1 : 0)
            for c in 0..<30 where rng.nextUniform() < 0.1 { row[c] = .nan }
            values += row
            labels.append(score + rng.nextGaussian() > 0 ? 1 : 0)
            entry.append(r / 10)
            exit.append(r / 10 + 1 + rng.nextInt(below: 30))
        }
        return (try! FeatureMatrix(rows: rows, cols: 30, values: values), labels, entry, exit)
    }

    @Test(.enabled(if: enabled, "set IMPROVEMENTD_BENCH=1 to time a 20,000 x 30 training run"))
    func wholeTrainingRun() throws {
        let rows = Int(ProcessInfo.processInfo.environment["IMPROVEMENTD_BENCH_ROWS"] ?? "") ?? 20_000
        let (x, y, entry, exit) = Self.realistic(rows: rows, seed: 1)
        var config = TrainingConfiguration()
        if let a = ProcessInfo.processInfo.environment["IMPROVEMENTD_BENCH_ALGORITHMS"] {
            config.algorithms = a.split(separator: ",").compactMap { Algorithm(rawValue: String($0)) }
        }
        if let json = ProcessInfo.processInfo.environment["IMPROVEMENTD_BENCH_PARAMS"] {
            config.baseHyperparameters = try JSONDecoder().decode([Hyperparameters].self, from: Data(json.utf8))
        }
        if ProcessInfo.processInfo.environment["IMPROVEMENTD_BENCH_NO_TUNE"] == "1" { config.tune = false }
        let result = try Trainer.train(x, labels: y, entryDays: entry, exitDays: exit, configuration: config)
        print("BENCH rows=\(rows) cols=30 train=\(result.trainRows.count) holdout=\(result.holdoutRows.count) purged=\(result.purgedRows.count)")
        for e in result.evaluations {
            print(String(format: "BENCH %@ cvAUC=%.4f holdoutAUC=%.4f train=%.2fs cv(sum of %d folds)=%.2fs %@",
                         e.algorithm.rawValue, e.cvAUC ?? .nan, e.holdout?.auc ?? .nan, e.trainSeconds,
                         e.foldAUCs.count, e.cvSeconds, e.notes.joined(separator: "; ")))
        }
        let ran = result.tuningTrials.filter { $0.seconds > 0 }.count
        print(String(format: "BENCH chosen=%@ baseCV=%.4f finalCV=%.4f tuning=%.2fs (%d trial evaluations) holdoutAUC=%.4f total=%.2fs",
                     result.chosen.rawValue, result.baseCVAUC, result.finalCVAUC, result.tuningSeconds, ran,
                     result.holdout.auc, result.totalSeconds))
    }
}
