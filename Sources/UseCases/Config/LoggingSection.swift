import Foundation
import Logging

/// `logging:`: how much the daemon logs.
public struct LoggingSection: Sendable, Equatable, Codable {
    /// trace, debug, info, notice, warning, error or critical (swift-log's level names).
    public var level = Logger.Level.info

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case level
    }

    static let keys = CodingKeys.allCases.map(\.rawValue)

    static let expectedLevel = "expected trace, debug, info, notice, warning, error or critical"

    /// Level names are case-insensitive (`INFO` reads as `info`); any other name is refused here,
    /// so a decoded section needs no further check.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let name = try c.string(.level, or: LoggingSection().level.rawValue).lowercased()
        guard let level = Logger.Level(rawValue: name) else { throw c.refusal(.level, Self.expectedLevel) }
        self.level = level
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(level.rawValue, forKey: .level)
    }
}
