import CivilCalendar
import Foundation

/// A calendar date (proleptic Gregorian) with no time and no time zone: the "local date" of a
/// scheduled job.
///
/// The schedule maths uses the integer day arithmetic of `Gregorian` (CivilCalendar, shared with
/// the domain's `Day`) rather than `Calendar`, so results never depend on a `Calendar`'s locale,
/// first weekday or on how a given Foundation build resolves non-existent local times. Only the
/// time zone's UTC offsets come from `TimeZone`.
public struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var year: Int
    /// 1...12
    public var month: Int
    /// 1...31
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Days since 1970-01-01.
    public var daysSinceEpoch: Int { Gregorian.daysSinceEpoch(year: year, month: month, day: day) }

    /// The date `daysSinceEpoch` days after 1970-01-01.
    public init(daysSinceEpoch: Int) {
        let (year, month, day) = Gregorian.civil(daysSinceEpoch: daysSinceEpoch)
        self.init(year: year, month: month, day: day)
    }

    /// Day of the week, 1 = Monday ... 7 = Sunday (ISO 8601, the configuration's numbering).
    public var weekday: Int { Gregorian.weekday(daysSinceEpoch: daysSinceEpoch) }

    public func adding(days: Int) -> CivilDate { CivilDate(daysSinceEpoch: daysSinceEpoch + days) }

    public static func isLeapYear(_ year: Int) -> Bool { Gregorian.isLeapYear(year) }

    public static func daysIn(year: Int, month: Int) -> Int { Gregorian.daysInMonth(year: year, month: month) }

    /// `2026-11-28`
    public var description: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }

    public static func < (a: CivilDate, b: CivilDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }
}

extension TimeZone {
    /// The local date of `instant` in this zone.
    func civilDate(of instant: Date) -> CivilDate {
        let local = instant.timeIntervalSince1970 + Double(secondsFromGMT(for: instant))
        return CivilDate(daysSinceEpoch: Int((local / 86_400).rounded(.down)))
    }

    /// The instant at which local wall-clock time reads `date hour:minute`.
    ///
    /// - A wall time that occurs twice (the repeated hour when clocks go back) resolves to its
    ///   FIRST occurrence.
    /// - A wall time that does not exist (the skipped hour when clocks go forward) resolves to
    ///   the wall time shifted forward by the length of the gap, i.e. the instant computed with
    ///   the offset in force before the change: 02:30 on a New York spring-forward day is
    ///   03:30 EDT (07:30 UTC). This is what cron and RFC 5545 do, and the job still runs
    ///   that day.
    func instant(of date: CivilDate, hour: Int, minute: Int) -> Date {
        let wall = Double(date.daysSinceEpoch * 86_400 + hour * 3_600 + minute * 60)
        let early = secondsFromGMT(for: Date(timeIntervalSince1970: wall - 86_400))
        let late = secondsFromGMT(for: Date(timeIntervalSince1970: wall + 86_400))
        var valid: [Double] = []
        for offset in Set([early, late]) {
            let t = wall - Double(offset)
            if secondsFromGMT(for: Date(timeIntervalSince1970: t)) == offset { valid.append(t) }
        }
        if let first = valid.min() { return Date(timeIntervalSince1970: first) }
        // In a gap: use the offset before the change (the smaller one when clocks go forward).
        return Date(timeIntervalSince1970: wall - Double(Swift.min(early, late)))
    }
}
