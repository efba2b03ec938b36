import CivilCalendar
import Foundation
import Testing

/// The shared civil-date core against Foundation's Gregorian calendar.
@Suite struct GregorianTests {
    /// Every day of 1900-2100: the same date, weekday and round trip as Foundation's Gregorian
    /// calendar in UTC, and the same month lengths and leap years.
    @Test func agreesWithFoundationFrom1900Through2100() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        let first = Gregorian.daysSinceEpoch(year: 1900, month: 1, day: 1)
        let last = Gregorian.daysSinceEpoch(year: 2100, month: 12, day: 31)
        var checked = 0
        var wrong: [String] = []
        for days in first...last {
            let date = Date(timeIntervalSince1970: Double(days) * 86_400)
            let theirs = calendar.dateComponents([.year, .month, .day, .weekday], from: date)
            let ours = Gregorian.civil(daysSinceEpoch: days)
            // Foundation numbers weekdays 1 = Sunday ... 7 = Saturday; ours are ISO (7 = Sunday).
            let isoWeekday = (theirs.weekday! + 5) % 7 + 1
            if ours.year != theirs.year || ours.month != theirs.month || ours.day != theirs.day
                || Gregorian.weekday(daysSinceEpoch: days) != isoWeekday
                || Gregorian.daysSinceEpoch(year: ours.year, month: ours.month, day: ours.day) != days {
                wrong.append("day \(days): ours \(ours), Foundation \(theirs)")
            }
            if ours.day == 1 {
                let length = calendar.range(of: .day, in: .month, for: date)!.count
                if Gregorian.daysInMonth(year: ours.year, month: ours.month) != length {
                    wrong.append("\(ours.year)-\(ours.month): ours \(Gregorian.daysInMonth(year: ours.year, month: ours.month)) days, Foundation \(length)")
                }
                if ours.month == 1, Gregorian.isLeapYear(ours.year) != (calendar.range(of: .day, in: .year, for: date)!.count == 366) {
                    wrong.append("\(ours.year): leap year disagrees")
                }
            }
            checked += 1
        }
        #expect(checked == 73_414)  // 201 years, 49 of them leap (1900 and 2100 are not)
        #expect(wrong.isEmpty, "\(wrong.count) disagreements, first: \(wrong.prefix(5))")
    }

    @Test func knownDates() {
        #expect(Gregorian.daysSinceEpoch(year: 1970, month: 1, day: 1) == 0)
        #expect(Gregorian.civil(daysSinceEpoch: -1) == (1969, 12, 31))
        #expect(Gregorian.weekday(daysSinceEpoch: 0) == 4)   // Thursday
        #expect(Gregorian.weekday(daysSinceEpoch: -4) == 7)  // 1969-12-28, a Sunday
        #expect(Gregorian.isLeapYear(2000) && !Gregorian.isLeapYear(1900) && !Gregorian.isLeapYear(2100))
    }
}
