import Foundation
import Learning
import ModelMetrics

/// The per-model table of CV and holdout metrics, shown by `improvementd train`, `--once`,
/// `models show` and in the report: each AUC with its 95 % DeLong interval.
public enum ModelTable {
    public static func render(_ models: [ModelEvaluation], chosen: String) -> String {
        func f(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "-" }
        func i(_ v: Interval?) -> String { v?.formatted(decimals: 3) ?? "-" }
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
        let widths = [8, 22, 22, 10, 11, 8, 8, 8, 9]
        let header = ["CV AUC", "pooled CV AUC", "holdout AUC", "accuracy", "precision", "recall", "F1", "Brier", "train s"]
        var lines = ["  " + "model".padding(toLength: 20, withPad: " ", startingAt: 0) + zip(header, widths).map { pad($0, $1) }.joined()]
        for m in models {
            let h = m.holdout
            let auc = m.holdoutIntervals?.auc ?? h.map { Interval(estimate: $0.auc, lower: .nan, upper: .nan) }
            let cells = [f(m.cvAUC), i(m.pooledCVAUC), m.holdoutIntervals == nil ? f(auc?.estimate) : i(auc), f(h?.accuracy),
                         f(h?.precision), f(h?.recall), f(h?.f1), f(h?.brier), String(format: "%.2f", m.trainSeconds)]
            var line = (m.algorithm.rawValue == chosen ? "* " : "  ") + m.algorithm.displayName.padding(toLength: 20, withPad: " ", startingAt: 0)
            for (c, w) in zip(cells, widths) { line += pad(c, w) }
            if let e = m.error { line += "  error: \(e)" }
            lines.append(line)
        }
        lines.append("  (AUC intervals: 95 % DeLong; pooled CV: every walk-forward fold's out-of-fold predictions together)")
        return lines.joined(separator: "\n")
    }
}
