import Foundation
import ModelMetrics
import Plot

/// The page of one training run (`run-vN.html`): the version's skill on its holdout against
/// production's, calibration, the score distributions at the decision threshold, feature
/// importance, and the decision with its test. Built from what the registry stores.
public struct TrainingRunPage: Sendable {
    /// A model scored on the holdout: a candidate of the run, or production on the same rows.
    public struct Curve: Sendable, Equatable {
        public var name: String
        public var auc: Interval?
        public var labels: [Int]
        public var scores: [Double]
        public var dashed: Bool

        public init(name: String, auc: Interval?, labels: [Int], scores: [Double], dashed: Bool = false) {
            self.name = name
            self.auc = auc
            self.labels = labels
            self.scores = scores
            self.dashed = dashed
        }
    }

    /// One row of the compared models' table.
    public struct ModelRow: Sendable, Equatable {
        public var name: String
        public var chosen: Bool
        public var cvAUC: Double?
        public var holdoutAUC: Interval?
        public var note: String?

        public init(name: String, chosen: Bool, cvAUC: Double?, holdoutAUC: Interval?, note: String? = nil) {
            self.name = name
            self.chosen = chosen
            self.cvAUC = cvAUC
            self.holdoutAUC = holdoutAUC
            self.note = note
        }
    }

    public var version: Int
    public var createdAt: String
    public var algorithm: String
    public var status: String
    public var decisionReason: String
    /// Holdout figures of the version (AUC with its interval first).
    public var figures: [Figure]
    /// The version's holdout AUC interval contains 0.5.
    public var noDemonstratedSkill: Bool
    public var curves: [Curve]
    public var calibration: [ReliabilityBin]
    public var successScores: [Double]
    public var failureScores: [Double]
    /// The probability at or above which a signal is predicted a success (and taken).
    public var threshold: Threshold
    public var importance: [(label: String, value: Double)]
    public var importanceMeasure: String
    public var stability: Double?
    public var previousVersion: Int?
    public var hyperparameters: [(String, String)]
    public var models: [ModelRow]
    /// The paired test against production, in words, when there was one.
    public var test: String?
    /// Promotion history rows of this version: (promoted, demoted, reason).
    public var promotions: [(String, String?, String)]
    /// What the page could not show and why.
    public var notes: [String]

    public init(version: Int, createdAt: String, algorithm: String, status: String, decisionReason: String, figures: [Figure],
                noDemonstratedSkill: Bool, curves: [Curve], calibration: [ReliabilityBin], successScores: [Double], failureScores: [Double],
                threshold: Threshold, importance: [(label: String, value: Double)], importanceMeasure: String, stability: Double?,
                previousVersion: Int?, hyperparameters: [(String, String)], models: [ModelRow], test: String?,
                promotions: [(String, String?, String)], notes: [String]) {
        self.version = version
        self.createdAt = createdAt
        self.algorithm = algorithm
        self.status = status
        self.decisionReason = decisionReason
        self.figures = figures
        self.noDemonstratedSkill = noDemonstratedSkill
        self.curves = curves
        self.calibration = calibration
        self.successScores = successScores
        self.failureScores = failureScores
        self.threshold = threshold
        self.importance = importance
        self.importanceMeasure = importanceMeasure
        self.stability = stability
        self.previousVersion = previousVersion
        self.hyperparameters = hyperparameters
        self.models = models
        self.test = test
        self.promotions = promotions
        self.notes = notes
    }

    /// The file name of version `v`'s page.
    public static func fileName(_ v: Int) -> String { "run-v\(v).html" }

    public func render() -> String {
        let skill = noDemonstratedSkill ? "no demonstrated skill (the holdout AUC interval contains 0.5)" : "skill demonstrated on the holdout"
        var sections: [BodyNode] = []
        sections.append(Page.section("Decision", id: "decision", [
            .p(.strong(.text(status.uppercased())), .text(" — " + decisionReason)),
            Page.paragraph(skill, class: noDemonstratedSkill ? "warning" : nil),
            .if(test != nil, Page.paragraph(test ?? "")),
            Page.figures(figures),
        ]))
        sections.append(Page.section("Holdout ROC", id: "roc", [
            Chart.roc(title: "ROC on the holdout, v\(version)", description: "ROC curves of the models scored on the same time-ordered holdout rows",
                      curves: curves.map { c in
                          RocCurve(c.auc.map { "\(c.name) AUC \($0.formatted(decimals: 3))" } ?? c.name, labels: c.labels, scores: c.scores, dashed: c.dashed)
                      }),
        ]))
        sections.append(.div(.class("grid"),
            Page.section("Calibration", id: "calibration", [
                Chart.reliability(title: "Calibration on the holdout, v\(version)", description: "Observed success rate against predicted probability per bin, with counts", bins: calibration),
            ]),
            Page.section("Scores at the threshold", id: "scores", [
                Chart.histogram(title: "Holdout scores by outcome, v\(version)", description: "Distribution of the predicted probability of successes and failures, with the decision threshold",
                                a: ("successes", successScores), b: ("failures", failureScores), threshold: threshold),
            ])
        ))
        let stabilityText = stability.map { s in "rank stability against v\(previousVersion ?? 0) (Spearman): " + Page.format(s, decimals: 3) }
            ?? "rank stability: no previous version with the same features to compare"
        sections.append(Page.section("Feature importance", id: "importance", [
            Page.paragraph("Ranked by \(importanceMeasure); \(stabilityText)."),
            Chart.bars(title: "Feature importance, v\(version)", description: "The most important features by \(importanceMeasure)",
                       bars: Array(importance.prefix(15)), format: .decimal(4), axis: importanceMeasure),
        ]))
        sections.append(Page.section("Models compared", id: "models", [
            Page.table(["model", "CV AUC", "holdout AUC (95 %)", "note"], models.map { m in
                [.text((m.chosen ? "* " : "") + m.name),
                 Page.figure(Figure("CV AUC", key: "model.\(m.name).cv_auc", value: m.cvAUC, decimals: 4)),
                 Page.figure(Figure("holdout AUC", key: "model.\(m.name).holdout_auc", interval: m.holdoutAUC)),
                 Page.cell(m.note)]
            }),
        ]))
        sections.append(Page.section("Parameters", id: "parameters", [
            Page.table(["hyperparameter", "value"], hyperparameters.map { [.text($0.0), .text($0.1)] }),
            Page.table(["promoted", "demoted", "reason"], promotions.map { [.text($0.0), Page.cell($0.1), .text($0.2)] }),
        ]))
        if !notes.isEmpty {
            sections.append(Page.section("Notes", id: "notes", [.ul(.forEach(notes) { .li(.text($0)) })]))
        }
        return Page.document(
            title: "Model v\(version) — \(algorithm)", subtitle: "trained \(createdAt); status \(status)",
            nav: [("History", "index.html")], sections
        )
    }
}
