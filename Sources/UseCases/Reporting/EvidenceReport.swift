import Foundation
import Learning
import ModelMetrics
import Store
import TradingDomain

/// One candidate's live record (README.md, "The production aggregate"): its probabilities for
/// the signals whose outcomes are known, each scored before its entry by a fit that never saw
/// the outcome.
public struct CandidateEvidence: Codable, Sendable, Equatable {
    public var name: String
    public var n: Int
    /// Live AUC with its 95 % DeLong interval (nil with one class).
    public var auc: Interval?
    /// Mean log loss with its seeded bootstrap interval.
    public var logLoss: Interval?
    public var brier: Interval?
    /// Brier skill against the pooled success rate of the same signals (> 0: better than it).
    public var brierSkill: Double?
    /// The current Hedge weight (nil for production itself).
    public var weight: Double?
    /// Cumulative log loss in the aggregate's order (the mixture's loss where it did not score).
    public var cumulativeLoss: Double?
    /// Paired DeLong test of production against this candidate on the signals both scored
    /// (`aucA` production, `aucB` the candidate).
    public var versusProduction: PairedAUCTest?
}

/// The calibration diagnostic of production's live probabilities for one year of exits:
/// the Platt fit of the outcomes on logit(p) (calibrated: intercept 0, slope 1).
public struct YearCalibration: Codable, Sendable, Equatable {
    public var year: Int
    public var n: Int
    public var meanProbability: Double
    public var successRate: Double
    public var intercept: Double?
    public var slope: Double?
}

/// `models evidence`: every candidate's live figures paired against production, the Hedge
/// weights now and by month, the regret bound, and production's calibration.
public struct EvidenceReport: Codable, Sendable, Equatable {
    public var day: String
    public var outcomes: Int
    public var settings: HedgeSettings
    public var production: CandidateEvidence?
    public var candidates: [CandidateEvidence]
    /// The mixture's cumulative log loss (weights before each outcome), the best candidate's, and
    /// the bound on their difference.
    public var aggregateLoss: Double
    public var best: String?
    public var bestLoss: Double?
    public var regretBound: Double
    public var calibration: MonotoneCalibration?
    /// The calibration Hedge's weight on the calibrated mixture (the rest is on the mixture itself).
    public var calibrationWeight: Double?
    public var calibrationByYear: [YearCalibration]
    /// The weights at the start of each month (yyyy-mm → weight per candidate).
    public var weightsByMonth: [MonthWeights]

    public struct MonthWeights: Codable, Sendable, Equatable {
        public var month: String
        public var weights: [String: Double]
    }
}

extension EvidenceReport {
    /// The report for `day` (outcomes with an exit before it) from `store`'s evidence.
    public static func make(config: Configuration, store: SignalStore, day: Day, seed: UInt64 = 0x5EED) throws -> EvidenceReport {
        let aggregate = ProductionAggregate(config: config, store: store)
        let rows = try aggregate.evidence.outcomes(exitBefore: day)
        var names = Set(rows.flatMap(\.probabilities.keys))
        names.subtract(EvidenceLog.derived)
        let order = Algorithm.baseCases.map(\.rawValue) + [ProductionAggregate.online, ProductionAggregate.baseRate]
        let candidates = names.sorted { (order.firstIndex(of: $0) ?? 99, $0) < (order.firstIndex(of: $1) ?? 99, $1) }
        let production = try aggregate.evidence.firstPredictions()

        // The weights by month, in the aggregate's order.
        var hedge = HedgeAggregate(names: candidates.isEmpty ? ["none"] : candidates, settings: config.training.hedge)
        var months: [MonthWeights] = []
        for row in rows {
            let month = String(row.exitDate.iso.prefix(7))
            if months.last?.month != month {
                months.append(MonthWeights(month: month, weights: Dictionary(uniqueKeysWithValues: zip(hedge.names, hedge.weights))))
            }
            hedge.update(EvidenceOutcome(probabilities: hedge.names.map { row.probabilities[$0] }, label: row.outcome))
        }

        func figures(_ name: String, _ pick: (EvidenceRow) -> Double?) -> CandidateEvidence {
            let covered = rows.compactMap { r in pick(r).map { (r, $0) } }
            let labels = covered.map(\.0.outcome), p = covered.map(\.1)
            var out = CandidateEvidence(name: name, n: covered.count)
            guard !covered.isEmpty else { return out }
            if Set(labels).count == 2 { out.auc = DeLong.interval(labels: labels, scores: p) }
            let losses = zip(p, labels).map { HedgeAggregate.logLoss($0, $1) }
            out.logLoss = Bootstrap.interval(n: losses.count, seed: seed) { rows in rows.reduce(0) { $0 + losses[$1] } / Double(rows.count) }
            out.brier = Bootstrap.brierInterval(labels: labels, probabilities: p, seed: seed)
            let rate = Double(labels.reduce(0, +)) / Double(labels.count)
            let reference = labels.map { pow(Double($0) - rate, 2) }.reduce(0, +) / Double(labels.count)
            if reference > 0, let brier = out.brier { out.brierSkill = 1 - brier.estimate / reference }
            // Paired against production on the signals both scored.
            let both = covered.filter { production[$0.0.signalId] != nil }
            if Set(both.map(\.0.outcome)).count == 2 {
                out.versusProduction = DeLong.compare(labels: both.map(\.0.outcome), a: both.map { production[$0.0.signalId]! }, b: both.map(\.1))
            }
            return out
        }
        var list = candidates.map { name in figures(name) { $0.probabilities[name] } }
        for k in list.indices {
            if let i = hedge.names.firstIndex(of: list[k].name) {
                list[k].weight = hedge.weights[i]
                list[k].cumulativeLoss = hedge.candidateLoss[i]
            }
        }
        var productionFigures = figures("production") { production[$0.signalId] }
        productionFigures.versusProduction = nil

        // Production's calibration by year of exit.
        var byYear: [YearCalibration] = []
        let scored = rows.filter { production[$0.signalId] != nil }
        for (year, group) in Dictionary(grouping: scored, by: \.exitDate.year).sorted(by: { $0.key < $1.key }) {
            let p = group.map { production[$0.signalId]! }, y = group.map(\.outcome)
            let fit = MonotoneCalibration.platt(scores: p, labels: y)
            byYear.append(YearCalibration(year: year, n: group.count, meanProbability: p.reduce(0, +) / Double(p.count),
                                          successRate: Double(y.reduce(0, +)) / Double(y.count), intercept: fit?.intercept, slope: fit?.slope))
        }
        let state = candidates.isEmpty ? nil : try aggregate.state(candidates: candidates, rows: rows, on: day)
        return EvidenceReport(
            day: day.iso, outcomes: rows.count, settings: config.training.hedge, production: productionFigures.n > 0 ? productionFigures : nil,
            candidates: list, aggregateLoss: hedge.aggregateLoss, best: candidates.isEmpty ? nil : hedge.best.name,
            bestLoss: candidates.isEmpty ? nil : hedge.best.loss, regretBound: hedge.regretBound, calibration: state?.calibration,
            calibrationWeight: state?.calibrationHedge.weights.last,
            calibrationByYear: byYear, weightsByMonth: months
        )
    }

    /// The text `models evidence` prints.
    public var text: String {
        guard !candidates.isEmpty else {
            return "no live evidence yet: candidates are scored from the first retrain of the aggregate (training.production: aggregate), and count once their outcomes are known"
        }
        func i(_ v: Interval?) -> String { v?.formatted(decimals: 3) ?? "n/a" }
        var lines = ["live evidence on \(outcomes) outcomes with an exit before \(day) (each scored before its entry by a fit that never saw it)",
                     "candidate     n      live AUC               log loss               Brier                  Brier skill  weight  vs production (AUC difference, p)"]
        for c in ([production].compactMap { $0 } + candidates) {
            let paired = c.versusProduction.map { t in
                String(format: "%+.3f ", t.difference) + "[\(String(format: "%+.3f", t.interval.lower)), \(String(format: "%+.3f", t.interval.upper))] " + String(format: "p=%.3f", t.pGreater)
            } ?? "-"
            lines.append(c.name.padding(toLength: 12, withPad: " ", startingAt: 0) + " "
                         + String(c.n).padding(toLength: 6, withPad: " ", startingAt: 0) + " "
                         + i(c.auc).padding(toLength: 22, withPad: " ", startingAt: 0) + " "
                         + i(c.logLoss).padding(toLength: 22, withPad: " ", startingAt: 0) + " "
                         + i(c.brier).padding(toLength: 22, withPad: " ", startingAt: 0) + " "
                         + (c.brierSkill.map { String(format: "%+.4f", $0) } ?? "n/a").padding(toLength: 12, withPad: " ", startingAt: 0) + " "
                         + (c.weight.map { String(format: "%.3f", $0) } ?? "-").padding(toLength: 7, withPad: " ", startingAt: 0) + " " + paired)
        }
        lines.append("(intervals 95 %: AUC DeLong, log loss and Brier seeded bootstrap; vs production: production's AUC minus the candidate's on the signals both scored, one-sided p that production is better)")
        if let best, let bestLoss {
            lines.append(String(format: "Hedge (eta %.2f, share %.3f): cumulative log loss %.1f, best candidate in hindsight %@ %.1f, regret %.1f within the bound %.1f",
                                settings.eta, settings.share, aggregateLoss, best, bestLoss, aggregateLoss - bestLoss, regretBound))
        }
        if let c = calibration {
            lines.append(String(format: "calibration now: %@ on %d outcomes, σ(%.3f + %.3f·logit(mixture)), earning weight %.3f against the mixture itself",
                                c.kind, c.rows, c.intercept, c.slope, calibrationWeight ?? 0))
        }
        if !calibrationByYear.isEmpty {
            lines.append("production's calibration by year of exit (calibrated: intercept 0, slope 1):")
            for y in calibrationByYear {
                lines.append(String(format: "  %d  n %5d  mean p %.3f  success %.3f  intercept %@  slope %@", y.year, y.n, y.meanProbability, y.successRate,
                                    y.intercept.map { String(format: "%+.3f", $0) } ?? "n/a", y.slope.map { String(format: "%.3f", $0) } ?? "n/a"))
            }
        }
        if let last = weightsByMonth.last {
            let names = candidates.map(\.name)
            lines.append("weights at the start of each month (" + names.joined(separator: ", ") + "):")
            for m in weightsByMonth where m.month == weightsByMonth.first?.month || m.month.hasSuffix("-01") || m.month.hasSuffix("-07") || m.month == last.month {
                lines.append("  \(m.month)  " + names.map { String(format: "%.3f", m.weights[$0] ?? 0) }.joined(separator: "  "))
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension App {
    /// The evidence report on the outcomes with an exit before `day` (default: every exit through
    /// `now`'s day in the exchange's time zone), its bootstrap seeded by `training.seed`.
    public func evidenceReport(before day: Day? = nil, now: Date = Date()) throws -> EvidenceReport {
        try EvidenceReport.make(config: config, store: store, day: day ?? config.exchangeDay(of: now).adding(days: 1),
                                seed: UInt64(config.training.seed))
    }
}
