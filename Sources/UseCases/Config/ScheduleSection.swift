import Daemon
import Foundation

/// `schedule:`: when the three jobs run, as the YAML writes it (`daily: "18:30"`,
/// `weekly: "Sat 06:00"`, `monthly: "1 03:00"`); ``scheduleConfig`` is the scheduler's value.
public struct ScheduleSection: Sendable, Equatable, Codable {
    public typealias ClockTime = Configuration.ClockTime

    /// IANA time zone of the job times.
    public var timezone = "Asia/Kolkata"
    /// The daily evaluation.
    public var daily = ClockTime(hour: 18, minute: 30)
    /// The weekly retrain check's day: 1 = Monday ... 7 = Sunday (ISO 8601, as `Mon`...`Sun`).
    public var weeklyWeekday = 6
    public var weekly = ClockTime(hour: 6, minute: 0)
    /// The monthly full retrain's day, 1...31 (clamped to the month's last day).
    public var monthlyDay = 1
    public var monthly = ClockTime(hour: 3, minute: 0)

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case timezone, daily, weekly, monthly
    }

    static let keys = CodingKeys.allCases.map(\.rawValue)

    /// Weekday names by ISO number - 1; the YAML may spell them out (`Saturday`).
    static let weekdayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    enum Rules {
        static let time = ValueRule<ClockTime>(expected: "expected a time HH:MM") { $0.isValid }
        static let weekday = ValueRule<Int>(expected: "expected \"Day HH:MM\", e.g. \"Sat 06:00\"") { (1...7).contains($0) }
        static let monthDay = ValueRule<Int>(expected: "expected \"D HH:MM\" with D in 1...31, e.g. \"1 03:00\"") { (1...31).contains($0) }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        timezone = try c.string(.timezone, or: timezone)
        // The forms are parsed here, their ranges checked in validate().
        if let text = try c.text(.daily, expected: Rules.time.expected) {
            guard let t = ClockTime(parsing: text) else { throw c.refusal(.daily, Rules.time.expected) }
            daily = t
        }
        if let text = try c.text(.weekly, expected: Rules.weekday.expected) {
            let parts = text.split(separator: " ")
            guard parts.count == 2,
                  let d = Self.weekdayNames.firstIndex(where: { $0.lowercased() == parts[0].prefix(3).lowercased() })
            else { throw c.refusal(.weekly, Rules.weekday.expected) }
            guard let t = ClockTime(parsing: String(parts[1])) else { throw c.refusal(.weekly, Rules.time.expected) }
            (weeklyWeekday, weekly) = (d + 1, t)
        }
        if let text = try c.text(.monthly, expected: Rules.monthDay.expected) {
            let parts = text.split(separator: " ")
            guard parts.count == 2, let d = Int(parts[0]) else { throw c.refusal(.monthly, Rules.monthDay.expected) }
            guard let t = ClockTime(parsing: String(parts[1])) else { throw c.refusal(.monthly, Rules.time.expected) }
            (monthlyDay, monthly) = (d, t)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(timezone, forKey: .timezone)
        try c.encode(daily.text, forKey: .daily)
        let day = (1...7).contains(weeklyWeekday) ? Self.weekdayNames[weeklyWeekday - 1] : "\(weeklyWeekday)"
        try c.encode("\(day) \(weekly.text)", forKey: .weekly)
        try c.encode("\(monthlyDay) \(monthly.text)", forKey: .monthly)
    }

    public func validate() throws(ConfigurationError) {
        try ValueRule<String>.timeZone.check(timezone, at: Self.key(.timezone))
        try Rules.time.check(daily, at: Self.key(.daily))
        try Rules.weekday.check(weeklyWeekday, at: Self.key(.weekly))
        try Rules.time.check(weekly, at: Self.key(.weekly))
        try Rules.monthDay.check(monthlyDay, at: Self.key(.monthly))
        try Rules.time.check(monthly, at: Self.key(.monthly))
    }

    static func key(_ key: CodingKeys) -> String { "\(Configuration.CodingKeys.schedule.rawValue).\(key.rawValue)" }

    /// The scheduler's view of these settings (same weekday numbering).
    public var scheduleConfig: ScheduleConfig {
        ScheduleConfig(
            timeZone: timezone,
            daily: .init(hour: daily.hour, minute: daily.minute),
            weekly: .init(weekday: weeklyWeekday, hour: weekly.hour, minute: weekly.minute),
            monthly: .init(day: monthlyDay, hour: monthly.hour, minute: monthly.minute)
        )
    }
}
