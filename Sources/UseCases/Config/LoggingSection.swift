import Foundation

/// `logging:`: how much the daemon logs.
public struct LoggingSection: Sendable, Equatable, Codable {
    /// trace, debug, info, notice, warning, error or critical (swift-log's level names).
    public var level = "info"

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case level
    }

    static let keys = CodingKeys.allCases.map(\.rawValue)

    static let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    enum Rules {
        static let level = ValueRule<String>(expected: "expected trace, debug, info, notice, warning, error or critical") {
            levels.contains($0)
        }
    }

    /// Level names are case-insensitive (`INFO` reads as `info`).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        level = try c.string(.level, or: LoggingSection().level).lowercased()
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(level, forKey: .level)
    }

    public func validate() throws(ConfigurationError) {
        try Rules.level.check(level, at: "\(Configuration.CodingKeys.logging.rawValue).\(CodingKeys.level.rawValue)")
    }
}
