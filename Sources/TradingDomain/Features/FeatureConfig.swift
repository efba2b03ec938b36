/// Settings of the feature engine (README.md, "Features"); decoding fills missing keys with the defaults.
public struct FeatureConfig: Sendable, Codable, Equatable, Hashable {
    /// The market index every market feature and the correlation use.
    public var indexSymbol: String
    /// The calendar for `is_earnings_season` when a symbol has no known results event.
    public var resultsSeason: ResultsSeasonCalendar
    /// The event kind that marks a results announcement.
    public var resultsEventKind: String

    public init(
        indexSymbol: String = "^NSEI", resultsSeason: ResultsSeasonCalendar = .nse,
        resultsEventKind: String = "results"
    ) {
        self.indexSymbol = indexSymbol
        self.resultsSeason = resultsSeason
        self.resultsEventKind = resultsEventKind
    }

    /// Keys are the property names (`.convertFromSnakeCase` reads `index_symbol` too).
    enum CodingKeys: String, CodingKey {
        case indexSymbol, resultsSeason, resultsEventKind
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = FeatureConfig()
        indexSymbol = try c.decodeIfPresent(String.self, forKey: .indexSymbol) ?? d.indexSymbol
        resultsSeason = try c.decodeIfPresent(ResultsSeasonCalendar.self, forKey: .resultsSeason) ?? d.resultsSeason
        resultsEventKind = try c.decodeIfPresent(String.self, forKey: .resultsEventKind) ?? d.resultsEventKind
    }
}
