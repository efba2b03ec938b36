import Foundation
import Logging
import ModelMetrics
import Policy

/// One structured log record per decision (the journal's DECISION, TRIGGER, MODEL_VERSION, ...
/// fields; README.md, "Logging"), and one per promotion. Every rate and AUC carries its 95 %
/// interval: in the message (`accuracy 0.534 [0.512, 0.556]`) and as `..._LOWER` / `..._UPPER`
/// fields beside the value's.
struct DecisionLog {
    let logger: Logger

    /// One structured record per decision: DECISION, TRIGGER (the first that fired), MODEL_VERSION, ...
    func record(_ d: CycleDecision) {
        logger.notice("\(Self.message(d))", metadata: Self.metadata(d))
        if let t = d.training, t.promoted {
            var fields: Logger.Metadata = ["event": "promotion", "model_version": "\(t.version)", "reason": "\(t.reason)"]
            var auc = ""
            if let p = t.promotion {
                Self.add(p.candidateAUC, as: "holdout_auc", to: &fields)
                fields["demonstrated_skill"] = "\(!p.noDemonstratedSkill)"
                auc = " (holdout AUC \(p.candidateAUC.formatted(decimals: 4))\(p.noDemonstratedSkill ? ", no demonstrated skill" : ""))"
            } else if let a = t.aggregateAUC {
                Self.add(a, as: "aggregate_auc", to: &fields)
                fields["demonstrated_skill"] = "\(!a.contains(0.5))"
                auc = " (aggregate refit; \(t.aggregateAUCSource ?? "AUC") \(a.formatted(decimals: 4)))"
            }
            logger.notice("model v\(t.version) promoted\(auc)", metadata: fields)
        }
    }

    /// The window's metrics with their intervals, in the order the message and fields give them.
    static func windowFigures(_ i: MetricIntervals) -> [(name: String, field: String, interval: Interval)] {
        [("AUC", "window_auc", i.auc), ("accuracy", "window_accuracy", i.accuracy), ("precision", "window_precision", i.precision),
         ("recall", "window_recall", i.recall), ("success rate", "window_success_rate", i.baseRate), ("Brier", "window_brier", i.brier)]
    }

    /// `weekly check: retrain — fired: accuracy; promoted v3 (...); window of 120: AUC 0.534
    /// [0.512, 0.556], accuracy ...` (the window part when the window had predictions).
    static func message(_ d: CycleDecision) -> String {
        var text = "\(d.job) check: \(d.action) — \(d.reason)\(d.result.map { "; \($0)" } ?? "")\(d.caused.isEmpty ? "" : "; caused \(d.caused)")"
        if let i = d.triggers.intervals {
            text += "; window of \(i.count): " + windowFigures(i).map { "\($0.name) \($0.interval)" }.joined(separator: ", ")
        }
        return text
    }

    /// The record's fields: each trigger's `trigger_<name>` (`value/threshold[ fired][ untrusted]`)
    /// with `trigger_<name>_lower` / `_upper` for a rate, and `window_<metric>` with its bounds.
    static func metadata(_ d: CycleDecision) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "event": "decision", "job": "\(d.job)", "decision": "\(d.action)", "decision_id": "\(d.id)",
            "reason": "\(d.reason)", "n": "\(d.evaluation.predictions.count)",
        ]
        if let first = d.triggers.firedTriggers.first { metadata["trigger"] = "\(first.rawValue)" }
        metadata["triggers_fired"] = "\(d.triggers.firedTriggers.map(\.rawValue).joined(separator: ","))"
        for t in d.triggers.triggers {
            metadata["trigger_\(t.name.rawValue)"] = "\(t.value.map { String(format: "%.4f", $0) } ?? "n/a")/\(String(format: "%g", t.threshold))\(t.fired ? " fired" : "")\(t.trusted ? "" : " untrusted")"
            if let i = t.interval {
                metadata["trigger_\(t.name.rawValue)_lower"] = "\(f(i.lower))"
                metadata["trigger_\(t.name.rawValue)_upper"] = "\(f(i.upper))"
            }
        }
        if let i = d.triggers.intervals {
            for figure in windowFigures(i) { add(figure.interval, as: figure.field, to: &metadata) }
        }
        if let p = d.training?.promotion {
            add(p.candidateAUC, as: "holdout_auc", to: &metadata)
            metadata["demonstrated_skill"] = "\(!p.noDemonstratedSkill)"
        }
        if let v = d.modelVersion { metadata["model_version"] = "\(v)" }
        for (key, value) in d.evaluation.policy?.journalFields ?? [:] { metadata[key] = "\(value)" }
        if let r = d.result { metadata["result"] = "\(r)" }
        if !d.caused.isEmpty { metadata["caused"] = "\(d.caused)" }
        if let s = d.strategiesSuccessRate { add(s, as: "strategies_success_rate", to: &metadata) }
        return metadata
    }

    /// `name`, `name_lower`, `name_upper`, four decimals each.
    static func add(_ i: Interval, as name: String, to metadata: inout Logger.Metadata) {
        metadata[name] = "\(f(i.estimate))"
        metadata["\(name)_lower"] = "\(f(i.lower))"
        metadata["\(name)_upper"] = "\(f(i.upper))"
    }

    static func f(_ x: Double) -> String { String(format: "%.4f", x) }
}
