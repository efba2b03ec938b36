import Foundation

/// `backup:`: the daily job's rotating copies of the store (README.md, "Operations").
public struct BackupSection: Sendable, Equatable, Codable {
    /// Where the daily job writes `improvementd-YYYYMMDD.sqlite` ("" = no daily backups).
    public var dir = ""
    /// How many daily copies are kept; older ones are deleted.
    public var keep = 7

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case dir, keep
    }

    static let keys = CodingKeys.allCases.map(\.rawValue)

    enum Rules {
        static let keep = ValueRule<Int>.wholeNumber(1...3650)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = BackupSection()
        dir = try c.string(.dir, or: d.dir)
        keep = try c.wholeNumber(.keep, or: d.keep, Rules.keep)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(dir, forKey: .dir)
        try c.encode(keep, forKey: .keep)
    }

    public func validate() throws(ConfigurationError) {
        try Rules.keep.check(keep, at: Self.key(.keep))
    }

    static func key(_ key: CodingKeys) -> String { "\(Configuration.CodingKeys.backup.rawValue).\(key.rawValue)" }
}
