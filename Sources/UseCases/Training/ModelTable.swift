import Foundation
import Learning

/// The per-model table of CV and holdout metrics, shown by `improvementd train` and in the report.
public enum ModelTable {
    public static func render(_ models: [ModelEvaluation], chosen: String) -> String {
        func f(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "-" }
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
        var lines = ["  model                 CV AUC  hold AUC  accuracy  precision  recall      F1   Brier  train s"]
        for m in models {
            let h = m.holdout
            let cells = [f(m.cvAUC), f(h?.auc), f(h?.accuracy), f(h?.precision), f(h?.recall), f(h?.f1), f(h?.brier), String(format: "%.2f", m.trainSeconds)]
            var line = (m.algorithm.rawValue == chosen ? "* " : "  ") + m.algorithm.displayName.padding(toLength: 20, withPad: " ", startingAt: 0)
            for (c, w) in zip(cells, [8, 10, 10, 11, 8, 8, 8, 9]) { line += pad(c, w) }
            if let e = m.error { line += "  error: \(e)" }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
