/// The results-season calendar used by `is_earnings_season` for symbols with no known `results`
/// event (README.md, "Features"): inclusive month/day ranges, the same every year.
public struct ResultsSeasonCalendar: Sendable, Codable, Equatable, Hashable {
    /// One inclusive range from (startMonth, startDay) to (endMonth, endDay) within a year.
    public struct Season: Sendable, Codable, Equatable, Hashable {
        public var startMonth: Int
        public var startDay: Int
        public var endMonth: Int
        public var endDay: Int

        public init(startMonth: Int, startDay: Int, endMonth: Int, endDay: Int) {
            self.startMonth = startMonth
            self.startDay = startDay
            self.endMonth = endMonth
            self.endDay = endDay
        }

        /// Whether (month, day) lies in the range; a range may wrap over the new year.
        public func contains(month: Int, day: Int) -> Bool {
            let v = month * 100 + day, a = startMonth * 100 + startDay, b = endMonth * 100 + endDay
            return a <= b ? (a <= v && v <= b) : (v >= a || v <= b)
        }
    }

    public var seasons: [Season]

    public init(seasons: [Season]) { self.seasons = seasons }

    /// 10 Jan-15 Feb, 10 Apr-15 May, 10 Jul-15 Aug, 10 Oct-15 Nov.
    public static let nse = ResultsSeasonCalendar(seasons: [
        Season(startMonth: 1, startDay: 10, endMonth: 2, endDay: 15),
        Season(startMonth: 4, startDay: 10, endMonth: 5, endDay: 15),
        Season(startMonth: 7, startDay: 10, endMonth: 8, endDay: 15),
        Season(startMonth: 10, startDay: 10, endMonth: 11, endDay: 15),
    ])

    /// Whether `day` falls in any season.
    public func contains(_ day: Day) -> Bool {
        let (_, m, d) = day.civil
        return seasons.contains { $0.contains(month: m, day: d) }
    }
}
