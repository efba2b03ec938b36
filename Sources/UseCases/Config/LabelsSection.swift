import Foundation
import TradingDomain

/// `labels:`: the triple-barrier labeling rule (README.md, "Outcome labels").
public struct LabelsSection: Sendable, Equatable, Codable {
    /// Calendar days a signal's barrier window lasts.
    public var horizonDays = 30
    /// Directional return above which a time exit is a success.
    public var successThreshold = 0.02
    /// Target when a signal has none (BUY entry x 1.10, SELL entry x 0.90).
    public var defaultTargetPct = 0.10
    /// Stop when a signal has none (BUY entry x 0.95, SELL entry x 1.05).
    public var defaultStopPct = 0.05
    /// Days the index must run past the horizon before a silent symbol's signal expires.
    public var expiryGraceDays = 10

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case horizonDays = "horizon_days", successThreshold = "success_threshold"
        case defaultTargetPct = "default_target_pct", defaultStopPct = "default_stop_pct"
        case expiryGraceDays = "expiry_grace_days"
    }

    static let keys = CodingKeys.allCases.map(\.rawValue)

    enum Rules {
        static let horizonDays = ValueRule<Int>.wholeNumber(1...3650)
        static let fraction = ValueRule<Double>.number(0...1, openLower: true)
        static let expiryGraceDays = ValueRule<Int>.wholeNumber(0...3650)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = LabelsSection()
        horizonDays = try c.wholeNumber(.horizonDays, or: d.horizonDays, Rules.horizonDays)
        successThreshold = try c.number(.successThreshold, or: d.successThreshold, Rules.fraction)
        defaultTargetPct = try c.number(.defaultTargetPct, or: d.defaultTargetPct, Rules.fraction)
        defaultStopPct = try c.number(.defaultStopPct, or: d.defaultStopPct, Rules.fraction)
        expiryGraceDays = try c.wholeNumber(.expiryGraceDays, or: d.expiryGraceDays, Rules.expiryGraceDays)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(horizonDays, forKey: .horizonDays)
        try c.encode(successThreshold, forKey: .successThreshold)
        try c.encode(defaultTargetPct, forKey: .defaultTargetPct)
        try c.encode(defaultStopPct, forKey: .defaultStopPct)
        try c.encode(expiryGraceDays, forKey: .expiryGraceDays)
    }

    public func validate() throws(ConfigurationError) {
        try Rules.horizonDays.check(horizonDays, at: Self.key(.horizonDays))
        try Rules.fraction.check(successThreshold, at: Self.key(.successThreshold))
        try Rules.fraction.check(defaultTargetPct, at: Self.key(.defaultTargetPct))
        try Rules.fraction.check(defaultStopPct, at: Self.key(.defaultStopPct))
        try Rules.expiryGraceDays.check(expiryGraceDays, at: Self.key(.expiryGraceDays))
    }

    static func key(_ key: CodingKeys) -> String { "\(Configuration.CodingKeys.labels.rawValue).\(key.rawValue)" }

    /// The labeling rule these settings describe.
    public var labelConfig: LabelConfig {
        LabelConfig(
            horizonDays: horizonDays, successThreshold: successThreshold,
            defaultTargetPct: defaultTargetPct, defaultStopPct: defaultStopPct,
            expiryGraceDays: expiryGraceDays
        )
    }
}
