/// The ordered feature columns (README.md, "Features") with a version and a stable hash.
///
/// A model records `hash` at training and refuses rows of another schema. The hash is the
/// 64-bit FNV-1a of the UTF-8 text `"<version>|<name1>,<name2>,..."`, printed as 16 lower-case
/// hex digits: stable across processes, platforms and Swift versions (unlike `Hasher`).
public struct FeatureSchema: Sendable, Equatable, Hashable, Codable {
    /// Bump when a definition changes without a name changing.
    public static let currentVersion = 1

    /// The 30 named features (README.md, "Features"), in table order.
    public static let baseColumns: [String] = [
        "confidence", "strategy_encoded", "entry_price_normalized", "market_volatility",
        "market_momentum", "bull_market", "bear_market", "rsi", "macd", "volume_ratio",
        "price_momentum_20d", "volatility", "month", "quarter", "is_earnings_season",
        "confidence_x_momentum", "volatility_x_momentum", "rsi_x_confidence", "high_confidence",
        "positive_momentum", "low_volatility_market", "high_volume", "rsi_oversold",
        "rsi_overbought", "days_since_signal", "sector_performance", "market_cap_category",
        "correlation_with_index", "relative_strength_vs_sector", "results_proximity",
    ]

    /// Prefix of the columns joined from external series.
    public static let externalPrefix = "external:"

    public var version: Int
    /// The 30 base columns, then `external:NAME` for each external name, names sorted.
    public var columns: [String]

    /// The schema for a set of external series names (order and duplicates do not matter).
    public init(externalNames: some Sequence<String> = [String](), version: Int = FeatureSchema.currentVersion) {
        self.version = version
        let names = Set(externalNames).sorted()
        self.columns = FeatureSchema.baseColumns + names.map { FeatureSchema.externalPrefix + $0 }
    }

    /// The external names in column order.
    public var externalNames: [String] {
        columns.dropFirst(FeatureSchema.baseColumns.count).map { String($0.dropFirst(FeatureSchema.externalPrefix.count)) }
    }

    /// 16 hex digits of FNV-1a 64 over `"<version>|<columns joined by ,>"`.
    public var hash: String {
        FeatureSchema.fnv1a64Hex("\(version)|\(columns.joined(separator: ","))")
    }

    /// The 64-bit FNV-1a hash of the UTF-8 bytes of `text`, as 16 lower-case hex digits.
    public static func fnv1a64Hex(_ text: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01b3
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Position of a column, or nil.
    public func index(of column: String) -> Int? { columns.firstIndex(of: column) }
}
