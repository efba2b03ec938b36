import Foundation
import ModelMetrics

/// Whether tuning replaced the base hyperparameters, and why: kept in the training result and
/// the report (README.md, "Training, the registry and scoring").
///
/// The rule: the best draw of the search replaces the base configuration only when, on the same
/// walk-forward folds, its pooled out-of-fold AUC beats the base's by more than one standard error
/// of the paired DeLong difference. Why: on real signals fold AUCs move by 0.01-0.03 between draws
/// of equal worth, so the highest of a dozen draws beats the base by chance alone; one standard
/// error is the least evidence that the gain is not the search's own selection noise.
public struct TuningDecision: Codable, Sendable, Equatable {
    /// The tuned draw replaced the base hyperparameters.
    public var adopted: Bool
    /// Tuned (a) against base (b) on the pooled out-of-fold predictions of every fold; nil when no
    /// draw was measured on every fold.
    public var test: PairedAUCTest?
    /// Out-of-fold rows compared.
    public var rows: Int
    /// Fold fits of the untuned comparison: every base candidate on every walk-forward fold.
    public var untunedFits: Int
    /// The proportional budget in fold fits: `tuningBudgetFactor` × `untunedFits`.
    public var budgetFits: Double
    /// The draws the budget allows (at most `tuningTrials`), planned before the search starts.
    public var plannedDraws: Int
    /// Fold fits the trials ran.
    public var spentFits: Int
    /// The trials' single-thread seconds, summed (reported, never decided on).
    public var spentSeconds: Double
    /// Draws not run because the wall-clock cap (`tuningSeconds`) or a stop request came first.
    public var skipped: Int
    /// The reason as shown: `tuned +0.0040 ± 0.0060: within one SE, kept the base (...)`.
    public var reason: String
}

/// The pure adoption rule of ``TuningDecision``, on fixed predictions.
public enum TuningRule {
    /// Decides from the pooled out-of-fold `labels`, the tuned draw's and the base's predictions
    /// on the same rows. Adopted when difference > standard error; never when the standard error
    /// cannot be estimated (a class with fewer than two rows).
    public static func decide(labels: [Int], tuned: [Double], base: [Double]) -> (adopted: Bool, test: PairedAUCTest, reason: String) {
        let test = DeLong.compare(labels: labels, a: tuned, b: base)
        let head = "tuned \(String(format: "%+.4f", test.difference))"
        let detail = "pooled out-of-fold AUC \(String(format: "%.4f", test.aucA)) against the base's \(String(format: "%.4f", test.aucB)) on the same \(min(labels.count, tuned.count, base.count)) rows"
        guard let se = test.standardError else {
            return (false, test, "\(head) (its standard error cannot be estimated): kept the base (\(detail))")
        }
        let adopted = test.difference > se
        let verdict = adopted ? "beyond one SE, adopted" : "within one SE, kept the base"
        return (adopted, test, "\(head) ± \(String(format: "%.4f", se)): \(verdict) (\(detail); ± is one standard error of the paired DeLong difference)")
    }
}

/// How many draws successive halving may run within a budget counted in fold fits.
///
/// Why fits and not seconds: a budget in measured time makes the trials run, hence the model,
/// depend on the machine's speed and load; counted in fits, the same data and configuration give
/// the same search on any machine, in the daemon and in a replay alike. The plan is made before
/// the search from an upper bound of its cost, so the search never stops half way for budget.
public enum TuningPlan {
    /// Fold fits of a search of `draws` draws (besides the base configuration) at most: rung r
    /// evaluates its survivors on `foldCounts[r]` folds, each rung keeping 1/`halvingFactor` of
    /// the configurations before it, the base's fits reused.
    public static func maximumFits(draws: Int, foldCounts: [Int], halvingFactor: Int) -> Int {
        guard draws > 0, let first = foldCounts.first else { return 0 }
        var fits = draws * first
        var alive = draws + 1
        for count in foldCounts.dropFirst() {
            alive = (alive + halvingFactor - 1) / halvingFactor
            fits += min(alive, draws) * count
        }
        return fits
    }

    /// The most draws, up to `trials`, whose search fits within `budgetFits`.
    public static func draws(trials: Int, budgetFits: Double, foldCounts: [Int], halvingFactor: Int) -> Int {
        var n = 0
        while n < trials, Double(maximumFits(draws: n + 1, foldCounts: foldCounts, halvingFactor: halvingFactor)) <= budgetFits {
            n += 1
        }
        return n
    }

    /// Successive halving's rungs over `folds` folds: the last fold, the last two, the last
    /// four, ..., then all.
    public static func foldCounts(folds: Int) -> [Int] {
        var counts = [Int]()
        var k = 1
        while k < folds { counts.append(k); k *= 2 }
        counts.append(folds)
        return counts
    }
}

/// The tuning stage's wall-clock cap (`tuningSeconds`) and the single-thread seconds its trials
/// spent, summed across workers (reported only: the proportional budget is ``TuningPlan``'s).
final class TuningBudget: @unchecked Sendable {
    let deadline: Double
    private let lock = NSLock()
    private var spentValue = 0.0
    private var fitsValue = 0

    init(deadline: Double) {
        self.deadline = deadline
    }

    var spent: Double { lock.withLock { spentValue } }
    var fits: Int { lock.withLock { fitsValue } }

    func add(_ seconds: Double, fits: Int) { lock.withLock { spentValue += seconds; fitsValue += fits } }

    /// Why a trial may not start now, or nil when it may.
    func exhausted(now: Double) -> String? {
        now >= deadline ? "tuning_seconds" : nil
    }
}
