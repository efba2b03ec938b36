import Foundation
import Policy

/// `policy:`: how each model version turns a probability into take or skip (README.md, "For
/// trading-system authors"); the threshold itself is chosen per version at training.
public struct PolicySection: Sendable, Equatable, Codable {
    /// What the take threshold maximizes on the out-of-fold predictions: `success_rate` or
    /// `mean_return` (mean directional `return_pct` of the taken signals).
    public var objective = TakeObjective.successRate
    /// The threshold takes at least this fraction of the out-of-fold signals.
    public var minTakeFraction = 0.3
    /// Whether predictions carry López de Prado's bet size from the probability (`predictions.size`).
    public var size = false

    public init() {}

    /// The policy a version with these out-of-fold predictions gets (`skillDemonstrated`: its
    /// holdout AUC interval excludes 0.5).
    public func choose(probabilities: [Double], labels: [Int], returns: [Double?], skillDemonstrated: Bool) -> TakePolicy {
        TakePolicy.choose(probabilities: probabilities, labels: labels, returns: returns, objective: objective,
                          minTakeFraction: minTakeFraction, sizing: size, skillDemonstrated: skillDemonstrated)
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case objective, minTakeFraction = "min_take_fraction", size
    }

    static let keys = CodingKeys.allCases.map(\.rawValue)

    enum Rules {
        static let objective = ValueRule<String>(
            expected: "expected one of \(TakeObjective.allCases.map(\.rawValue).joined(separator: ", "))"
        ) { TakeObjective(rawValue: $0) != nil }
        static let fraction = ValueRule<Double>.number(0...1, openLower: true)
        static let flag = ValueRule<Bool>(expected: "expected true or false") { _ in true }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = PolicySection()
        let name = try c.string(.objective, or: d.objective.rawValue)
        guard let objective = TakeObjective(rawValue: name) else {
            throw ConfigurationError(refusing: c.path(.objective), expected: Rules.objective.expected, got: name)
        }
        self.objective = objective
        minTakeFraction = try c.number(.minTakeFraction, or: d.minTakeFraction, Rules.fraction)
        if c.contains(.size) {
            guard let flag = try? c.decode(Bool.self, forKey: .size) else { throw c.refusal(.size, Rules.flag.expected) }
            size = flag
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(objective.rawValue, forKey: .objective)
        try c.encode(minTakeFraction, forKey: .minTakeFraction)
        try c.encode(size, forKey: .size)
    }

    public func validate() throws(ConfigurationError) {
        try Rules.objective.check(objective.rawValue, at: Self.key(.objective))
        try Rules.fraction.check(minTakeFraction, at: Self.key(.minTakeFraction))
    }

    static func key(_ key: CodingKeys) -> String { "\(Configuration.CodingKeys.policy.rawValue).\(key.rawValue)" }
}
