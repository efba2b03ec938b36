import Foundation
import ModelMetrics
import UseCases

/// The human-readable result of `--once`.
enum OnceReport {
    static func print(daily: DailyReport, decision: CycleDecision) {
        let l = daily.labels
        Swift.print("labels: \(l.signals) signals — \(l.success) success, \(l.failure) failure, \(l.pending) pending, \(l.expired) expired (\(l.changed) new or changed)")
        if !daily.imports.isEmpty { Swift.print("inbox: \(daily.imports.count) file(s) imported") }
        for e in daily.importErrors { Swift.print("inbox error: \(e)") }
        if let o = daily.online {
            Swift.print(String(format: "online model: %d new update(s), %d in all; blend weight of the batch model %.2f (%@)", o.updates, o.totalUpdates, o.blendWeight, o.blendReason) + (o.note.map { "; \($0)" } ?? ""))
        }
        if let v = daily.scoring.modelVersion {
            Swift.print("scoring: model v\(v) scored \(daily.scoring.scored) new signal(s)" + (daily.scoring.scored > 0 ? ", \(daily.scoring.taken) taken by its policy" : ""))
        }
        let e = decision.evaluation
        Swift.print(e.windowLine(unseen: true))
        if let m = e.metrics, let v = e.modelVersion {
            Swift.print("model v\(v) on the \(m.count) unseen signals (95 % intervals: AUC DeLong, rates Wilson, Brier seeded bootstrap):")
            for line in e.metricLines() { Swift.print(line) }
        }
        if let p = e.policy { Swift.print(p.summary) }
        Swift.print("triggers:")
        // A rate's value with its 95 % Wilson interval; the column widens only when one has it.
        let width = decision.triggers.triggers.contains { $0.interval != nil } ? 25 : 9
        for t in decision.triggers.triggers {
            let value = t.value.map { v in t.interval.map { $0.formatted(decimals: 4) } ?? String(format: "%.4f", v) } ?? "n/a"
            Swift.print("  \(t.name.rawValue.padding(toLength: 18, withPad: " ", startingAt: 0)) value \(value.padding(toLength: width, withPad: " ", startingAt: 0)) threshold \(String(format: "%g", t.threshold).padding(toLength: 6, withPad: " ", startingAt: 0)) n \(String(t.n).padding(toLength: 5, withPad: " ", startingAt: 0)) \(t.fired ? "FIRED" : "-")\(t.trusted ? "" : " (not trusted: n < min_signals)")")
        }
        if let s = decision.strategiesSuccessRate {
            Swift.print("  (the strategies' own success rate over the last 365 days of exits: \(s.formatted(decimals: 4)))")
        }
        Swift.print("decision #\(decision.id): \(decision.action.rawValue.uppercased()) — \(decision.reason)")
        if !decision.caused.isEmpty { Swift.print("caused: \(decision.caused)") }
        if let t = decision.training {
            if !t.models.isEmpty { Swift.print(ModelTable.render(t.models, chosen: t.algorithm)) }
            if let a = t.aggregateAUC {
                Swift.print("training: v\(t.version) aggregate, \(t.aggregateAUCSource ?? "AUC") \(a.formatted(decimals: 4))\(a.contains(0.5) ? " (no demonstrated skill)" : ""), grade \(t.grade)")
                Swift.print("aggregate: \(t.reason)")
            } else {
                let auc = t.promotion.map { $0.candidateAUC.formatted(decimals: 4) } ?? String(format: "%.4f", t.candidateAUC)
                let skill = t.promotion?.noDemonstratedSkill == true ? " (no demonstrated skill)" : ""
                Swift.print("training: v\(t.version) \(t.algorithm), holdout AUC \(auc)\(skill), grade \(t.grade)")
            }
            if let policy = t.policy { Swift.print(policy.summary) }
            if let p = t.reportPath { Swift.print("report: \(p)") }
        }
        if let r = decision.result { Swift.print("result: \(r)") }
    }
}
