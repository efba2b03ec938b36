import Foundation

/// `metrics:`: the Prometheus textfile the daemon writes after each job (README.md, "Metrics").
public struct MetricsSection: Sendable, Equatable, Codable {
    /// The folder of node_exporter's textfile collector; `improvementd.prom` is written there
    /// atomically after each job ("" = off).
    public var textfileDir = ""

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case textfileDir = "textfile_dir"
    }

    static let keys = CodingKeys.allCases.map(\.rawValue)

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        textfileDir = try c.string(.textfileDir, or: MetricsSection().textfileDir)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(textfileDir, forKey: .textfileDir)
    }

    public func validate() throws(ConfigurationError) {}
}
