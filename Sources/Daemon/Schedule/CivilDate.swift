import Foundation

/// A calendar date (proleptic Gregorian) with no time and no time zone: the "local date" of a
/// scheduled job.
///
/// The schedule maths uses its own day arithmetic (Howard Hinnant's `days_from_civil`) rather
/// than `Calendar`, so results never depend on a `Calendar`'s locale, first weekday or on how a
/// given Foundation build resolves non-existent local times. Only the time zone's UTC offsets
/// come from `TimeZone`.
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
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date `daysSinceEpoch` days after 1970-01-01.
    public init(daysSinceEpoch z0: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)
    }

    /// Day of the week, 1 = Monday ... 7 = Sunday (ISO 8601, the configuration's numbering).
    public var weekday: Int {
        let d = daysSinceEpoch
        // 1970-01-01 was a Thursday (4).
        return ((d % 7 + 7 + 3) % 7) + 1
    }

    public func adding(days: Int) -> CivilDate { CivilDate(daysSinceEpoch: daysSinceEpoch + days) }

    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

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
