import Foundation

/// The three scheduled jobs (README.md, "The daemon").
///
/// The declaration order (daily, weekly, monthly) is the order in which jobs that are due at the
/// same moment run (for example at start-up after downtime): the daily evaluation imports and
/// labels new data first, then the weekly trigger check, then the monthly full retrain.
public enum JobKind: String, Codable, Sendable, CaseIterable, Hashable, Comparable {
    /// Daily evaluation (import, label, score, measure), default 18:30.
    case daily
    /// Weekly retrain check (the triggers), default Saturday 06:00.
    case weekly
    /// Monthly full retrain, default day 1 at 03:00.
    case monthly

    public static func < (a: JobKind, b: JobKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// One job that is due now: which job, and the period it runs for.
///
/// `period` is the key to store as the job's last run once it succeeded: the local date of the
/// scheduled fire (`2026-11-28`) for daily and weekly jobs, the local month (`2026-11`) for
/// the monthly job. Keys of one job sort chronologically as strings.
public struct DueJob: Hashable, Sendable, CustomStringConvertible {
    public var job: JobKind
    public var period: String
    /// The scheduled fire instant of that period (may be long past after downtime).
    public var scheduledAt: Date

    public init(job: JobKind, period: String, scheduledAt: Date) {
        self.job = job
        self.period = period
        self.scheduledAt = scheduledAt
    }

    public var description: String { "\(job.rawValue)@\(period)" }
}

/// When the daemon's jobs run: a time zone and a wall-clock time for each job (README.md,
/// "Schedule"). A plain value: the configuration's `schedule` section parses and validates the
/// YAML and builds this.
///
/// All schedule maths is pure: every function takes `now` and the stored last runs, so tests
/// can simulate months of downtime without sleeping (time is injected).
///
/// Rules:
/// - A job's period is identified by the local date of its scheduled fire (daily, weekly) or the
///   local month (monthly); see ``DueJob/period``.
/// - A job is due when its most recent scheduled fire is at or before `now` and its stored last
///   run is older than (sorts before) that period, or absent. After any amount of downtime a job
///   therefore runs once, for the latest period only; it never runs twice for one period, and a
///   clock that steps back never re-runs an older period.
/// - Daylight-saving time: a wall time skipped when clocks go forward runs shifted forward by
///   the gap (02:30 → 03:30 on a New York spring-forward day); a wall time that happens twice
///   when clocks go back runs at its first occurrence only.
/// - Monthly `day` larger than the month's length (29, 30, 31) is clamped to the month's last
///   day: day 31 runs on 30 April and on 28 or 29 February.
/// - Weekdays are ISO 8601's, as the configuration file names them: 1 = Monday ... 7 = Sunday.
public struct ScheduleConfig: Sendable, Hashable {
    /// A wall-clock time, every day.
    public struct Daily: Sendable, Hashable {
        public var hour: Int
        public var minute: Int
        public init(hour: Int, minute: Int) {
            self.hour = hour
            self.minute = minute
        }
    }

    /// A weekday and wall-clock time, every week.
    public struct Weekly: Sendable, Hashable {
        /// 1 = Monday ... 7 = Sunday (ISO 8601).
        public var weekday: Int
        public var hour: Int
        public var minute: Int
        public init(weekday: Int, hour: Int, minute: Int) {
            self.weekday = weekday
            self.hour = hour
            self.minute = minute
        }
    }

    /// A day of the month and wall-clock time, every month.
    public struct Monthly: Sendable, Hashable {
        /// 1...31, clamped to the month's last day.
        public var day: Int
        public var hour: Int
        public var minute: Int
        public init(day: Int, hour: Int, minute: Int) {
            self.day = day
            self.hour = hour
            self.minute = minute
        }
    }

    /// IANA identifier; default `Asia/Kolkata` (NSE).
    public var timeZone: String
    /// Default 18:30.
    public var daily: Daily
    /// Default Saturday 06:00.
    public var weekly: Weekly
    /// Default day 1 at 03:00.
    public var monthly: Monthly

    public init(
        timeZone: String = "Asia/Kolkata",
        daily: Daily = Daily(hour: 18, minute: 30),
        weekly: Weekly = Weekly(weekday: 6, hour: 6, minute: 0),
        monthly: Monthly = Monthly(day: 1, hour: 3, minute: 0)
    ) {
        self.timeZone = timeZone
        self.daily = daily
        self.weekly = weekly
        self.monthly = monthly
    }

    // MARK: - Schedule maths

    var zone: TimeZone { TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")! }

    /// The scheduled date of the period `index` steps from the period containing `date`
    /// (0 = that period, -1 = previous, +1 = next), with its key.
    private func period(of job: JobKind, containing date: CivilDate, step: Int) -> (CivilDate, String) {
        switch job {
        case .daily:
            let d = date.adding(days: step)
            return (d, d.description)
        case .weekly:
            let back = (date.weekday - weekly.weekday + 7) % 7
            let d = date.adding(days: -back + 7 * step)
            return (d, d.description)
        case .monthly:
            let months = date.year * 12 + (date.month - 1) + step
            let y = months >= 0 ? months / 12 : (months - 11) / 12
            let m = months - y * 12 + 1
            let day = Swift.min(monthly.day, CivilDate.daysIn(year: y, month: m))
            return (CivilDate(year: y, month: m, day: day), String(format: "%04d-%02d", y, m))
        }
    }

    private func fire(_ job: JobKind, on date: CivilDate) -> Date {
        switch job {
        case .daily: return zone.instant(of: date, hour: daily.hour, minute: daily.minute)
        case .weekly: return zone.instant(of: date, hour: weekly.hour, minute: weekly.minute)
        case .monthly: return zone.instant(of: date, hour: monthly.hour, minute: monthly.minute)
        }
    }

    /// The most recent scheduled fire of `job` at or before `now`, with its period key.
    public func latestFire(of job: JobKind, atOrBefore now: Date) -> DueJob {
        let today = zone.civilDate(of: now)
        var step = 0
        while true {
            let (date, key) = period(of: job, containing: today, step: step)
            let at = fire(job, on: date)
            if at <= now { return DueJob(job: job, period: key, scheduledAt: at) }
            step -= 1
        }
    }

    /// The first scheduled fire of `job` strictly after `now`, with its period key.
    public func nextFire(of job: JobKind, after now: Date) -> DueJob {
        let today = zone.civilDate(of: now)
        var step = -1
        while true {
            let (date, key) = period(of: job, containing: today, step: step)
            let at = fire(job, on: date)
            if at > now { return DueJob(job: job, period: key, scheduledAt: at) }
            step += 1
        }
    }

    /// The jobs to run now, in ``JobKind`` order: each job whose latest scheduled fire is at or
    /// before `now` and whose last run (`lastRuns[job]`, a period key) is absent or older.
    ///
    /// After downtime of any length each job appears at most once, for its latest period.
    public func dueJobs(now: Date, lastRuns: [JobKind: String]) -> [DueJob] {
        JobKind.allCases.compactMap { job in
            let latest = latestFire(of: job, atOrBefore: now)
            if let last = lastRuns[job], last >= latest.period { return nil }
            return latest
        }
    }

    /// Every job's next fire strictly after `now`, soonest first (ties in ``JobKind`` order).
    public func nextFires(after now: Date) -> [DueJob] {
        JobKind.allCases
            .map { nextFire(of: $0, after: now) }
            .sorted { ($0.scheduledAt, $0.job) < ($1.scheduledAt, $1.job) }
    }

    /// The soonest scheduled fire of any job strictly after `now`.
    public func nextFire(after now: Date) -> (job: JobKind, at: Date) {
        let first = nextFires(after: now)[0]
        return (first.job, first.scheduledAt)
    }
}
