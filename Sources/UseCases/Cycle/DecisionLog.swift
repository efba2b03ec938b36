import Logging

/// One structured log record per decision (the journal's DECISION, TRIGGER, MODEL_VERSION, ...
/// fields; README.md, "Logging"), and one per promotion.
struct DecisionLog {
    let logger: Logger

    /// One structured record per decision: DECISION, TRIGGER (the first that fired), MODEL_VERSION, ...
    func record(_ d: CycleDecision) {
        var metadata: Logger.Metadata = [
            "event": "decision", "job": "\(d.job)", "decision": "\(d.action)", "decision_id": "\(d.id)",
            "reason": "\(d.reason)", "n": "\(d.evaluation.predictions.count)",
        ]
        if let first = d.triggers.firedTriggers.first { metadata["trigger"] = "\(first.rawValue)" }
        metadata["triggers_fired"] = "\(d.triggers.firedTriggers.map(\.rawValue).joined(separator: ","))"
        for t in d.triggers.triggers {
            metadata["trigger_\(t.name.rawValue)"] = "\(t.value.map { String(format: "%.4f", $0) } ?? "n/a")/\(String(format: "%g", t.threshold))\(t.fired ? " fired" : "")\(t.trusted ? "" : " untrusted")"
        }
        if let v = d.modelVersion { metadata["model_version"] = "\(v)" }
        for (key, value) in d.evaluation.policy?.journalFields ?? [:] { metadata[key] = "\(value)" }
        if let r = d.result { metadata["result"] = "\(r)" }
        logger.notice("\(d.job) check: \(d.action) — \(d.reason)\(d.result.map { "; \($0)" } ?? "")", metadata: metadata)
        if let t = d.training, t.promoted {
            logger.notice("model v\(t.version) promoted", metadata: ["event": "promotion", "model_version": "\(t.version)", "reason": "\(t.reason)"])
        }
    }
}
