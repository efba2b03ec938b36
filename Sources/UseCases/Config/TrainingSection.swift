import Foundation
import Learning
import Policy

/// What production is: the live-weighted aggregate of every candidate, or one selected candidate.
public enum ProductionMode: String, Codable, Sendable, CaseIterable {
    case aggregate, single
}

/// `training:`: what trains, on which signals, and when a candidate is promoted (README.md,
/// "Training, the registry and scoring").
public struct TrainingSection: Sendable, Equatable, Codable {
    /// Only signals with entry_date in the last N days train (0 = all history).
    public var lookbackDays = 0
    /// The last fraction of signals by entry_date held out for evaluation.
    public var holdoutFraction = 0.2
    /// The candidates compared: base models (gb, rf, lr, svm, nn) and ensembles of them
    /// (voting, stacking, blending, regime, bma).
    public var algorithms = ["gb", "rf", "lr", "svm", "nn", "voting", "stacking", "blending", "regime", "bma"]
    /// How the candidate is chosen (`SelectionRule`: mean_cv, pooled_oof, one_se, fixed:<algorithm>).
    public var selection = "one_se"
    /// Regime selection: a market regime with fewer validation rows than this uses the overall best member.
    public var regimeMinRows = 100
    /// The seed of every random choice; same data + seed = same model.
    public var seed = 42
    /// Hyperparameter trials for the best algorithm (0 = no tuning).
    public var tuningTrials = 24
    /// Wall-clock budget in seconds for tuning: an absolute cap.
    public var tuningSeconds = 30.0
    /// Tuning's search may run at most this many times the fold fits of the untuned comparison
    /// (every base candidate on every walk-forward fold), planned before it starts.
    public var tuningBudgetFactor = 1.0
    /// A candidate replaces production only when a one-sided paired DeLong test on the holdout
    /// signals neither trained on finds it better at this significance level.
    public var promotionAlpha = 0.05
    /// And only when its holdout AUC is higher by more than this (0: the test alone decides).
    public var promotionMargin = 0.0
    /// What the version's artifact is: the fit the holdout measured, or that configuration
    /// refitted on every labeled row (its figures stay the measured fit's).
    public var ship = ShippedFit.measured
    /// How the monthly full retrain is promoted: `paired_test` (only when better, as every other
    /// retrain) or `unless_worse` (unless significantly worse by the same test).
    public var monthlyPromotion = PromotionRule.Mode.pairedTest
    /// What production is (README.md, "The production aggregate"): `aggregate`, the calibrated
    /// mixture of every candidate weighted by its live log loss, or `single`, one candidate
    /// chosen on walk-forward folds and guarded by the paired promotion test.
    public var production = ProductionMode.aggregate
    /// The aggregate's learning rate η (≤ 1 keeps its regret bound).
    public var aggregateEta = 0.2
    /// The aggregate's Fixed Share α: the weight returned to every candidate after each outcome.
    public var aggregateShare = 0.01
    /// The aggregate's calibration is fitted on its most recent N known outcomes.
    public var calibrationWindow = 1000
    /// The base-rate candidate predicts the success rate of the outcomes of the last N days.
    public var baseRateDays = 365

    public init() {}

    /// The Hedge settings of the aggregate.
    public var hedge: HedgeSettings { HedgeSettings(eta: aggregateEta, share: aggregateShare) }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case lookbackDays = "lookback_days", holdoutFraction = "holdout_fraction", algorithms, seed
        case tuningTrials = "tuning_trials", tuningSeconds = "tuning_seconds", tuningBudgetFactor = "tuning_budget_factor"
        case promotionAlpha = "promotion_alpha", promotionMargin = "promotion_margin", selection
        case regimeMinRows = "regime_min_rows", ship, monthlyPromotion = "monthly_promotion"
        case production, aggregateEta = "aggregate_eta", aggregateShare = "aggregate_share"
        case calibrationWindow = "calibration_window", baseRateDays = "base_rate_days"
    }

    static let keys = CodingKeys.allCases.map(\.rawValue)

    /// The algorithm names `algorithms` accepts.
    static let knownAlgorithms = Algorithm.allCases.map(\.rawValue)

    enum Rules {
        static let lookbackDays = ValueRule<Int>.wholeNumber(0...36500)
        static let holdoutFraction = ValueRule<Double>.number(0...0.5, openLower: true)
        static let algorithms = ValueRule<[String]>(expected: "expected a non-empty list of \(knownAlgorithms.joined(separator: ", "))") {
            !$0.isEmpty && $0.allSatisfy(knownAlgorithms.contains)
        }
        static let seed = ValueRule<Int>.wholeNumber(0...Int(Int32.max))
        static let tuningTrials = ValueRule<Int>.wholeNumber(0...10000)
        static let tuningSeconds = ValueRule<Double>.number(0...86400, openLower: true)
        static let promotionAlpha = ValueRule<Double>.number(0...0.5, openLower: true)
        static let promotionMargin = ValueRule<Double>.number(0...1)
        static let selection = ValueRule<String>(expected: "expected one of \(SelectionRule.spellings)") { SelectionRule($0) != nil }
        static let regimeMinRows = ValueRule<Int>.wholeNumber(0...1_000_000)
        static let tuningBudgetFactor = ValueRule<Double>.number(0...1000, openLower: true)
        static let ship = choice(ShippedFit.allCases.map(\.rawValue))
        static let monthlyPromotion = choice(PromotionRule.Mode.allCases.map(\.rawValue))
        static let production = choice(ProductionMode.allCases.map(\.rawValue))
        static let aggregateEta = ValueRule<Double>.number(0...1, openLower: true)
        static let aggregateShare = ValueRule<Double>.number(0...0.5)
        static let calibrationWindow = ValueRule<Int>.wholeNumber(200...1_000_000)
        static let baseRateDays = ValueRule<Int>.wholeNumber(1...36500)

        /// One of `names`, as written in lower case.
        static func choice(_ names: [String]) -> ValueRule<String> {
            ValueRule(expected: "expected " + names.dropLast().joined(separator: ", ") + " or " + names.last!) { names.contains($0) }
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TrainingSection()
        lookbackDays = try c.wholeNumber(.lookbackDays, or: d.lookbackDays, Rules.lookbackDays)
        holdoutFraction = try c.number(.holdoutFraction, or: d.holdoutFraction, Rules.holdoutFraction)
        if c.contains(.algorithms) {
            // A list (`[gb, lr]`) or a comma-separated string (`gb,lr`, handy in the environment).
            if let list = try c.textList(.algorithms, itemExpected: Rules.algorithms.expected) {
                algorithms = list
            } else {
                algorithms = try c.string(.algorithms, or: "")
                    .split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            }
        }
        seed = try c.wholeNumber(.seed, or: d.seed, Rules.seed)
        tuningTrials = try c.wholeNumber(.tuningTrials, or: d.tuningTrials, Rules.tuningTrials)
        tuningSeconds = try c.number(.tuningSeconds, or: d.tuningSeconds, Rules.tuningSeconds)
        promotionAlpha = try c.number(.promotionAlpha, or: d.promotionAlpha, Rules.promotionAlpha)
        promotionMargin = try c.number(.promotionMargin, or: d.promotionMargin, Rules.promotionMargin)
        selection = try c.string(.selection, or: d.selection)
        regimeMinRows = try c.wholeNumber(.regimeMinRows, or: d.regimeMinRows, Rules.regimeMinRows)
        tuningBudgetFactor = try c.number(.tuningBudgetFactor, or: d.tuningBudgetFactor, Rules.tuningBudgetFactor)
        // Names are case-insensitive (`REFIT` reads as `refit`); another word is refused here,
        // naming the key and the words it accepts.
        let shipName = try c.string(.ship, or: d.ship.rawValue).lowercased()
        guard let ship = ShippedFit(rawValue: shipName) else { throw c.refusal(.ship, Rules.ship.expected) }
        self.ship = ship
        let modeName = try c.string(.monthlyPromotion, or: d.monthlyPromotion.rawValue).lowercased()
        guard let mode = PromotionRule.Mode(rawValue: modeName) else { throw c.refusal(.monthlyPromotion, Rules.monthlyPromotion.expected) }
        monthlyPromotion = mode
        let productionName = try c.string(.production, or: d.production.rawValue).lowercased()
        guard let production = ProductionMode(rawValue: productionName) else { throw c.refusal(.production, Rules.production.expected) }
        self.production = production
        aggregateEta = try c.number(.aggregateEta, or: d.aggregateEta, Rules.aggregateEta)
        aggregateShare = try c.number(.aggregateShare, or: d.aggregateShare, Rules.aggregateShare)
        calibrationWindow = try c.wholeNumber(.calibrationWindow, or: d.calibrationWindow, Rules.calibrationWindow)
        baseRateDays = try c.wholeNumber(.baseRateDays, or: d.baseRateDays, Rules.baseRateDays)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(lookbackDays, forKey: .lookbackDays)
        try c.encode(holdoutFraction, forKey: .holdoutFraction)
        try c.encode(algorithms, forKey: .algorithms)
        try c.encode(seed, forKey: .seed)
        try c.encode(tuningTrials, forKey: .tuningTrials)
        try c.encode(tuningSeconds, forKey: .tuningSeconds)
        try c.encode(promotionAlpha, forKey: .promotionAlpha)
        try c.encode(promotionMargin, forKey: .promotionMargin)
        try c.encode(selection, forKey: .selection)
        try c.encode(regimeMinRows, forKey: .regimeMinRows)
        try c.encode(tuningBudgetFactor, forKey: .tuningBudgetFactor)
        try c.encode(ship.rawValue, forKey: .ship)
        try c.encode(monthlyPromotion.rawValue, forKey: .monthlyPromotion)
        try c.encode(production.rawValue, forKey: .production)
        try c.encode(aggregateEta, forKey: .aggregateEta)
        try c.encode(aggregateShare, forKey: .aggregateShare)
        try c.encode(calibrationWindow, forKey: .calibrationWindow)
        try c.encode(baseRateDays, forKey: .baseRateDays)
    }

    public func validate() throws(ConfigurationError) {
        try Rules.lookbackDays.check(lookbackDays, at: Self.key(.lookbackDays))
        try Rules.holdoutFraction.check(holdoutFraction, at: Self.key(.holdoutFraction))
        try Rules.algorithms.check(algorithms, at: Self.key(.algorithms))
        try Rules.seed.check(seed, at: Self.key(.seed))
        try Rules.tuningTrials.check(tuningTrials, at: Self.key(.tuningTrials))
        try Rules.tuningSeconds.check(tuningSeconds, at: Self.key(.tuningSeconds))
        try Rules.promotionAlpha.check(promotionAlpha, at: Self.key(.promotionAlpha))
        try Rules.promotionMargin.check(promotionMargin, at: Self.key(.promotionMargin))
        try Rules.selection.check(selection, at: Self.key(.selection))
        try Rules.regimeMinRows.check(regimeMinRows, at: Self.key(.regimeMinRows))
        try Rules.tuningBudgetFactor.check(tuningBudgetFactor, at: Self.key(.tuningBudgetFactor))
        try Rules.ship.check(ship.rawValue, at: Self.key(.ship))
        try Rules.monthlyPromotion.check(monthlyPromotion.rawValue, at: Self.key(.monthlyPromotion))
        try Rules.production.check(production.rawValue, at: Self.key(.production))
        try Rules.aggregateEta.check(aggregateEta, at: Self.key(.aggregateEta))
        try Rules.aggregateShare.check(aggregateShare, at: Self.key(.aggregateShare))
        try Rules.calibrationWindow.check(calibrationWindow, at: Self.key(.calibrationWindow))
        try Rules.baseRateDays.check(baseRateDays, at: Self.key(.baseRateDays))
    }

    static func key(_ key: CodingKeys) -> String { "\(Configuration.CodingKeys.training.rawValue).\(key.rawValue)" }
}
