import Foundation
import TradingDomain

/// `features:`: settings of the point-in-time features (README.md, "Features").
public struct FeaturesSection: Sendable, Equatable, Codable {
    /// The results-season calendar used when a symbol has no known results dates; (month, day)
    /// ranges, inclusive.
    public var earningsSeason: [Configuration.SeasonRange] = [
        .init(from: (1, 10), to: (2, 15)), .init(from: (4, 10), to: (5, 15)),
        .init(from: (7, 10), to: (8, 15)), .init(from: (10, 10), to: (11, 15)),
    ]

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case earningsSeason = "earnings_season"
    }

    static let keys = CodingKeys.allCases.map(\.rawValue)

    enum Rules {
        static let list = "expected a list of \"MM-DD..MM-DD\""
        static let items = ValueRule<[Configuration.SeasonRange]>(expected: "expected \"MM-DD..MM-DD\" items") { seasons in
            seasons.allSatisfy { s in
                [(s.fromMonth, s.fromDay), (s.toMonth, s.toDay)].allSatisfy { (1...12).contains($0.0) && (1...31).contains($0.1) }
            }
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard c.contains(.earningsSeason) else { return }
        guard let items = try c.textList(.earningsSeason, itemExpected: Rules.items.expected) else {
            throw c.refusal(.earningsSeason, Rules.list)
        }
        earningsSeason = try items.map { item in
            // "MM-DD..MM-DD": the form here, the ranges in validate().
            func monthDay(_ s: String) -> (Int, Int)? {
                let p = s.split(separator: "-")
                guard p.count == 2, let m = Int(p[0]), let d = Int(p[1]) else { return nil }
                return (m, d)
            }
            let parts = item.components(separatedBy: "..")
            guard parts.count == 2, let from = monthDay(parts[0]), let to = monthDay(parts[1]) else {
                throw c.refusal(.earningsSeason, Rules.items.expected)
            }
            return Configuration.SeasonRange(from: from, to: to)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(earningsSeason.map {
            String(format: "%02d-%02d..%02d-%02d", $0.fromMonth, $0.fromDay, $0.toMonth, $0.toDay)
        }, forKey: .earningsSeason)
    }

    public func validate() throws(ConfigurationError) {
        try Rules.items.check(earningsSeason, at: "\(Configuration.CodingKeys.features.rawValue).\(CodingKeys.earningsSeason.rawValue)")
    }

    /// The feature settings these describe, with the market index from the top level.
    public func featureConfig(indexSymbol: String) -> FeatureConfig {
        FeatureConfig(
            indexSymbol: indexSymbol,
            resultsSeason: ResultsSeasonCalendar(seasons: earningsSeason.map {
                .init(startMonth: $0.fromMonth, startDay: $0.fromDay, endMonth: $0.toMonth, endDay: $0.toDay)
            })
        )
    }
}
