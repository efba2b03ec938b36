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
    /// Seconds of the untuned comparison: the walk-forward CV seconds of every candidate (the
    /// sum over folds and algorithms of each fit's single-thread seconds).
    public var untunedSeconds: Double
    /// The proportional budget: `tuningBudgetFactor` × `untunedSeconds`, in the same unit (the
    /// single-thread seconds of the trials' fits, summed).
    public var budgetSeconds: Double
    /// The trials' single-thread seconds, summed.
    public var spentSeconds: Double
    /// Draws not run because a budget (proportional, `tuningSeconds` or a stop) ran out.
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

/// The tuning stage's spending: the trials' single-thread seconds, summed across workers, against
/// the proportional budget, and the wall-clock deadline of `tuningSeconds`.
final class TuningBudget: @unchecked Sendable {
    let budgetSeconds: Double
    let deadline: Double
    private let lock = NSLock()
    private var spentValue = 0.0

    init(budgetSeconds: Double, deadline: Double) {
        self.budgetSeconds = budgetSeconds
        self.deadline = deadline
    }

    var spent: Double { lock.withLock { spentValue } }

    func add(_ seconds: Double) { lock.withLock { spentValue += seconds } }

    /// Why a trial may not start now, or nil when it may.
    func exhausted(now: Double) -> String? {
        if now >= deadline { return "tuning_seconds" }
        if spent >= budgetSeconds { return "the proportional budget" }
        return nil
    }
}
