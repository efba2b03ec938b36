import Foundation
import TradingDomain

/// The calendar day of a stored time stamp in one time zone: a replay's jobs run at the
/// configured times of `schedule.timezone`, so a prediction scored, a decision made or a model
/// promoted at a simulated day's job is dated that day there (the monthly job at 03:00 India
/// time on the 1st is still the 31st in UTC).
struct ReplayCalendar {
    let timeZone: TimeZone
    private let calendar: Calendar
    private let parser: ISO8601DateFormatter

    init(timeZoneIdentifier: String) {
        timeZone = TimeZone(identifier: timeZoneIdentifier) ?? TimeZone(identifier: "UTC")!
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
        parser = ISO8601DateFormatter()
        parser.formatOptions = [.withInternetDateTime]
    }

    /// The day of `stamp` (an ISO 8601 time stamp with a zone, as the store writes them) in the
    /// time zone; a bare `YYYY-MM-DD` (or anything else starting with a date) is that date.
    func day(of stamp: String) -> Day? {
        guard let date = parser.date(from: stamp) else { return Day(iso: stamp) }
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return Day(year: c.year!, month: c.month!, day: c.day!)
    }
}
