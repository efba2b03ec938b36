import CivilCalendar

/// A calendar date as a day number (days since 1970-01-01), the unit all bar and signal maths use.
///
/// Dates in the store and in files are ISO `YYYY-MM-DD`; a plain integer keeps sorting, window
/// arithmetic and hashing cheap and free of time-zone surprises.
public struct Day: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var number: Int32

    public init(number: Int32) { self.number = number }

    /// The proleptic Gregorian date `year-month-day`; nil when it does not exist.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= Day.daysInMonth(year: year, month: month),
              (1...9999).contains(year) else { return nil }
        self.number = Int32(Gregorian.daysSinceEpoch(year: year, month: month, day: day))
    }

    /// Parses `YYYY-MM-DD`, also the date part of `YYYY-MM-DDThh:mm...` or `YYYY-MM-DD hh:mm...`.
    public init?(iso text: some StringProtocol) {
        // Reads at most 11 bytes on the stack: this runs once per bar read from the store.
        let parsed: Day? = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 11) { utf8 in
            var count = 0
            for byte in text.utf8 {
                utf8[count] = byte
                count += 1
                if count == 11 { break }
            }
            return Day(isoBytes: UnsafeBufferPointer(rebasing: utf8[0..<count]))
        }
        guard let day = parsed else { return nil }
        self = day
    }

    /// ``init(iso:)`` of UTF-8 text given as bytes (a store's column, a file's field), without
    /// making a `String`.
    public init?(isoBytes utf8: UnsafeBufferPointer<UInt8>) {
        let count = utf8.count
        guard count >= 10, utf8[4] == UInt8(ascii: "-"), utf8[7] == UInt8(ascii: "-") else { return nil }
        // A longer text must be a date-time: `T` or a space after the date.
        if count > 10, utf8[10] != UInt8(ascii: "T"), utf8[10] != UInt8(ascii: " ") { return nil }
        func num(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r {
                let c = utf8[i]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard let y = num(0..<4), let m = num(5..<7), let d = num(8..<10) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// `YYYY-MM-DD` (years 1...9999).
    public var iso: String {
        let (y, m, d) = civil
        return String(unsafeUninitializedCapacity: 10) { buf in
            func put(_ v: Int, _ at: Int, _ width: Int) {
                var v = v
                for i in stride(from: at + width - 1, through: at, by: -1) {
                    buf[i] = UInt8(48 + v % 10)
                    v /= 10
                }
            }
            put(y, 0, 4); buf[4] = UInt8(ascii: "-"); put(m, 5, 2); buf[7] = UInt8(ascii: "-"); put(d, 8, 2)
            return 10
        }
    }

    public var description: String { iso }

    /// (year, month, day) of this date.
    public var civil: (year: Int, month: Int, day: Int) { Gregorian.civil(daysSinceEpoch: Int(number)) }

    public var year: Int { civil.year }
    public var month: Int { civil.month }
    public var dayOfMonth: Int { civil.day }
    /// 1 (Monday) ... 7 (Sunday).
    public var weekday: Int { Gregorian.weekday(daysSinceEpoch: Int(number)) }

    public func adding(days: Int) -> Day { Day(number: number + Int32(days)) }
    public static func - (lhs: Day, rhs: Day) -> Int { Int(lhs.number) - Int(rhs.number) }
    public static func < (lhs: Day, rhs: Day) -> Bool { lhs.number < rhs.number }

    public static func isLeap(_ y: Int) -> Bool { Gregorian.isLeapYear(y) }
    public static func daysInMonth(year: Int, month: Int) -> Int { Gregorian.daysInMonth(year: year, month: month) }
}
