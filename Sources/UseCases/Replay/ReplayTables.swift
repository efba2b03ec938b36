import Foundation
import Policy
import Store
import TradingDomain

/// The CSV files of a replay: `predictions.csv` (the live predictions), `decisions.csv` (every
/// check with each trigger's value, threshold, n, fired and trusted) and `models.csv` (every
/// version with its promotion periods and holdout AUC).
///
/// Numbers are printed by one fixed rule, Swift's shortest text that reads back as the same
/// double (`"\(x)"`, as `improvementd export`), so identical data gives byte-identical files;
/// a missing value is an empty field; booleans are `true` / `false`.
enum ReplayTables {
    static func number(_ x: Double) -> String { "\(x)" }
    static func number(_ x: Double?) -> String { x.map(number) ?? "" }
    static func field(_ s: String?) -> String { Importer.csvField(s ?? "") }

    static let predictionsHeader = [
        "signal_id", "symbol", "strategy", "signal_type", "entry_date", "scored_on", "model_version",
        "probability", "blended_probability", "outcome", "return_pct",
    ]

    /// One row per live prediction, in their order (entry date, signal id); outcome and
    /// return_pct are empty while pending or expired.
    static func predictions(_ live: [LivePrediction]) -> String {
        var lines = [predictionsHeader.joined(separator: ",")]
        lines.reserveCapacity(live.count + 1)
        for p in live {
            lines.append([
                field(p.signalId), field(p.symbol), field(p.strategy), field(p.signalType), p.entryDate.iso, p.scoredOn.iso,
                String(p.modelVersion), number(p.probability), number(p.blendedProbability),
                p.outcome.map(String.init) ?? "", p.outcome == nil ? "" : number(p.returnPct),
            ].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The five columns of each trigger, `accuracy_value` ... `insufficient_data_trusted`.
    static let triggerColumns = TriggerName.allCases.flatMap { name in
        ["value", "threshold", "n", "fired", "trusted"].map { "\(name.rawValue)_\($0)" }
    }

    /// One row per decision, by id. The trigger columns come from the stored `triggers` JSON
    /// decoded as the Policy module's `TriggerReport`; a row whose JSON does not decode has
    /// them empty.
    static func decisions(_ decisions: [DecisionRecord], calendar: ReplayCalendar) -> String {
        var lines = [(["decision_id", "date", "decided_at", "job"] + triggerColumns + ["fired", "action", "reason", "result", "model_version"]).joined(separator: ",")]
        let decoder = JSONDecoder()
        for d in decisions {
            let report = try? decoder.decode(TriggerReport.self, from: Data(d.triggers.utf8))
            var row = [String(d.id), calendar.day(of: d.decidedAt)?.iso ?? "", field(d.decidedAt), field(d.job)]
            for name in TriggerName.allCases {
                if let t = report?[name] {
                    row += [number(t.value), number(t.threshold), String(t.n), String(t.fired), String(t.trusted)]
                } else {
                    row += ["", "", "", "", ""]
                }
            }
            row.append(field(report.map { $0.firedTriggers.map(\.rawValue).joined(separator: ";") }))
            row += [field(d.action), field(d.reason), field(d.result), d.modelVersion.map(String.init) ?? ""]
            lines.append(row.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One row per version: trained_on is the day of its `created_at`; promoted_on and
    /// retired_on list the days its promotion periods opened and closed (`;`-separated, a
    /// version restored by a rollback has several); the holdout AUC is read from the stored
    /// holdout metrics.
    static func models(_ versions: [ModelVersionRecord], history: [PromotionRecord], calendar: ReplayCalendar) -> String {
        var lines = ["version,algorithm,status,trained_on,promoted_on,retired_on,holdout_auc,n_train,data_end,feature_schema"]
        for v in versions {
            let periods = history.filter { $0.version == v.version }
            lines.append([
                String(v.version), field(v.algorithm), field(v.status), calendar.day(of: v.createdAt)?.iso ?? "",
                periods.compactMap { calendar.day(of: $0.promotedAt)?.iso }.joined(separator: ";"),
                periods.compactMap { $0.demotedAt.flatMap { calendar.day(of: $0)?.iso } }.joined(separator: ";"),
                number(v.holdout?.auc), String(v.nTrain), field(v.dataEnd), field(v.featureSchemaHash),
            ].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
