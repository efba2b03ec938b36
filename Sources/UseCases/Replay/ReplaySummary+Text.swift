import Foundation
import ModelMetrics

/// `summary.txt`: the summary for a reader, every figure with its 95 % interval.
extension ReplaySummary {
    public var text: String {
        var out: [String] = []
        out.append("Replay \(from) through \(through): the daemon's live predictions")
        out.append("")
        out.append("Live prediction: \(liveRule). Time zone: \(timeZone).")
        out.append("Signals with a live prediction: \(live) (labeled \(labeled), pending \(pending), expired \(expired), no outcome yet \(unlabeled)); measured: the \(labeled) labeled, on the `probability` column.")
        out.append("Method: \(method).")
        out.append("")
        out.append("Daemon")
        out += Self.table(daemon, calibration: true)
        if let economics { out += Self.economics(economics) }
        if let blended {
            out.append("  blended with the online model (blended_probability, the \(blended.n) that have one): " + Self.line(blended))
        }
        if !years.isEmpty {
            out.append("")
            out.append("Per calendar year of entry date")
            for y in years {
                out.append("  \(y.year): " + Self.line(y.scores))
                if let e = y.economics { out.append("        policy: " + e.summary) }
            }
        }
        out.append("")
        out.append("Retrains, promotions and rollbacks in the period")
        let byJob = counts.decisionsByJob.map { "\($0.job) \($0.count)" }.joined(separator: ", ")
        out.append("  decisions \(counts.decisions)\(byJob.isEmpty ? "" : " (\(byJob))"); retrains \(counts.retrains); promotions \(counts.promotions); rollbacks \(counts.rollbacks)")
        let triggers = counts.retrainsByTrigger.map { "\($0.trigger) \($0.retrains)" }.joined(separator: ", ")
        out.append("  retrains by trigger (a retrain counts for every trigger that fired in it): \(triggers); schema change \(counts.schemaChangeRetrains); monthly \(counts.monthlyRetrains)")
        out.append("")
        out.append("Baselines on the same signals (the daemon's AUC against each by DeLong's paired test; it beats one when the 95 % interval of the difference lies above 0)")
        for b in baselines {
            out.append("")
            out.append("(\(b.kind)) \(b.name): \(b.description); \(b.covered) of \(labeled) signals scored, \(String(format: "%.2f", b.seconds)) s")
            out += Self.table(b.scores, calibration: false)
            if let e = b.economics {
                if let p = b.policy { out.append("  take rule: \(p)") }
                out += Self.economics(e)
            }
            out.append("  The daemon \(b.verdict).")
            for note in b.notes { out.append("  note: \(note)") }
        }
        if let evidence {
            out.append("")
            out.append("The production aggregate's candidates, each refitted at every retrain (weekly when a trigger fires, and monthly) and scoring every signal live")
            out.append(evidence.text)
        }
        out.append("")
        out.append("Time: \(String(format: "%.2f", seconds)) s for the report, of which \(String(format: "%.2f", baselineSeconds)) s for the baselines.")
        return out.joined(separator: "\n") + "\n"
    }

    /// The full table of one set of scores, two-space indented.
    static func table(_ s: ReplayScores, calibration: Bool) -> [String] {
        guard s.n > 0 else { return ["  no labeled signal to measure"] }
        var out: [String] = []
        out.append("  n \(s.n), base rate \(s.baseRate) (Wilson)")
        out.append("  AUC \(s.auc) (95 % DeLong)")
        let skill = s.brierSkill.map { ReplaySummary.signed($0) } ?? "n/a"
        out.append("  Brier \(s.brier.formatted(decimals: 4)) (bootstrap); Brier skill \(skill) against the pooled base rate (reference Brier \(String(format: "%.4f", s.brierReference)))")
        out.append("  log loss \(String(format: "%.4f", s.logLoss))")
        if calibration {
            out.append("  calibration (10 equal-width bins of probability)")
            out.append("    bin          n  mean p  observed rate")
            for b in s.calibration {
                let range = String(format: "%.1f-%.1f", b.lower, b.upper)
                let mean = b.meanPredicted.map { String(format: "%.3f", $0) } ?? "    -"
                let observed = b.count > 0 ? b.observed.description : "-"
                out.append("    \(range.padding(toLength: 9, withPad: " ", startingAt: 0))\(String(format: "%5d", b.count))  \(mean)  \(observed)")
            }
        }
        out.append("  by probability       n  success rate           mean return %")
        for g in s.top {
            let name = g.percent == 100 ? "all" : "top \(g.percent) %"
            let mean = g.meanReturnPct.map { ReplaySummary.signed($0, decimals: 2) } ?? "-"
            out.append("    \(name.padding(toLength: 14, withPad: " ", startingAt: 0))\(String(format: "%6d", g.n))  \(g.successRate.description.padding(toLength: 22, withPad: " ", startingAt: 0)) \(mean)")
        }
        return out
    }

    /// The take policy's economics, taken against all signals (README.md, "For trading-system authors").
    static func economics(_ e: Economics) -> [String] {
        func f(_ x: Double?, _ d: Int, signed: Bool = false) -> String {
            guard let x, x.isFinite else { return "n/a" }
            return signed ? ReplaySummary.signed(x, decimals: d) : String(format: "%.\(d)f", x)
        }
        return [
            "  take policy: taken \(e.taken) of \(e.n) (\(String(format: "%.1f", e.takenFraction * 100)) %)",
            "    success rate   taken \(e.successTaken), skipped \(e.successSkipped), all \(e.successAll) (Wilson)",
            "    mean return %  taken \(f(e.taking.meanReturnPct, 3, signed: true)), all \(f(e.all.meanReturnPct, 3, signed: true))",
            "    Sharpe/trade   taken \(f(e.taking.sharpe, 3)), all \(f(e.all.sharpe, 3))",
            "    profit factor  taken \(f(e.taking.profitFactor, 3)), all \(f(e.all.profitFactor, 3))",
            "    max drawdown   taken \(f(e.taking.maxDrawdownPct, 1)) pp, all \(f(e.all.maxDrawdownPct, 1)) pp (cumulative equal-weight return in entry order)",
        ]
    }

    /// One line of the essentials (the per-year rows).
    static func line(_ s: ReplayScores) -> String {
        guard s.n > 0 else { return "no labeled signal" }
        let skill = s.brierSkill.map { ReplaySummary.signed($0) } ?? "n/a"
        let top = s.top.filter { $0.percent < 100 }.map { "top \($0.percent) % \($0.successRate)" }.joined(separator: ", ")
        return "n \(s.n), base rate \(s.baseRate), AUC \(s.auc), Brier \(String(format: "%.4f", s.brier.estimate)), skill \(skill), \(top)"
    }
}
