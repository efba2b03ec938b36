import Foundation
import TradingDomain

/// The daemon's whole configuration, read once at start-up (and on SIGHUP) from the YAML file in
/// `config/` with `IMPROVEMENTD_<SECTION>_<KEY>` environment overrides: the paths and the market
/// at the top level, then one section per concern, each with its defaults and its own checks.
/// Defaults match config/improvementd.yaml.
public struct Configuration: Sendable, Equatable, Codable {
    /// The SQLite store. Relative paths are relative to the working directory.
    public var database = "var/improvementd.sqlite"
    /// Where training reports (txt + json) are written.
    public var reportsDir = "var/reports"
    /// The daily job imports new files dropped here.
    public var inboxDir = "var/inbox"
    /// The trading system's own SQLite database to pull signals from ("" = off).
    public var tradingDB = ""
    /// IANA time zone of the exchange.
    public var exchangeTimezone = "Asia/Kolkata"
    /// The market index symbol used by market features and expiry checks.
    public var indexSymbol = "^NSEI"

    public var labels = LabelsSection()
    public var features = FeaturesSection()
    public var training = TrainingSection()
    public var schedule = ScheduleSection()
    public var triggers = TriggersSection()
    public var policy = PolicySection()
    public var logging = LoggingSection()
    public var backup = BackupSection()
    public var metrics = MetricsSection()

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case database, reportsDir = "reports_dir", inboxDir = "inbox_dir", tradingDB = "trading_db"
        case exchangeTimezone = "exchange_timezone", indexSymbol = "index_symbol"
        case labels, features, training, schedule, triggers, policy, logging, backup, metrics
    }

    /// The keys inside each section, from the sections' own coding keys.
    static let sectionKeys: [CodingKeys: [String]] = [
        .labels: LabelsSection.keys, .features: FeaturesSection.keys, .training: TrainingSection.keys,
        .schedule: ScheduleSection.keys, .triggers: TriggersSection.keys, .policy: PolicySection.keys, .logging: LoggingSection.keys,
        .backup: BackupSection.keys, .metrics: MetricsSection.keys,
    ]

    /// Every key a file or the environment may set (`section.key` inside a section), in the
    /// order of config/improvementd.yaml.
    public static let knownKeys: [String] = CodingKeys.allCases.flatMap { key in
        sectionKeys[key].map { $0.map { "\(key.rawValue).\($0)" } } ?? [key.rawValue]
    }

    /// Missing keys and sections take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Configuration()
        database = try c.string(.database, or: d.database)
        reportsDir = try c.string(.reportsDir, or: d.reportsDir)
        inboxDir = try c.string(.inboxDir, or: d.inboxDir)
        tradingDB = try c.string(.tradingDB, or: d.tradingDB)
        exchangeTimezone = try c.string(.exchangeTimezone, or: d.exchangeTimezone)
        indexSymbol = try c.string(.indexSymbol, or: d.indexSymbol)
        labels = try c.decodeIfPresent(LabelsSection.self, forKey: .labels) ?? d.labels
        features = try c.decodeIfPresent(FeaturesSection.self, forKey: .features) ?? d.features
        training = try c.decodeIfPresent(TrainingSection.self, forKey: .training) ?? d.training
        schedule = try c.decodeIfPresent(ScheduleSection.self, forKey: .schedule) ?? d.schedule
        triggers = try c.decodeIfPresent(TriggersSection.self, forKey: .triggers) ?? d.triggers
        policy = try c.decodeIfPresent(PolicySection.self, forKey: .policy) ?? d.policy
        logging = try c.decodeIfPresent(LoggingSection.self, forKey: .logging) ?? d.logging
        backup = try c.decodeIfPresent(BackupSection.self, forKey: .backup) ?? d.backup
        metrics = try c.decodeIfPresent(MetricsSection.self, forKey: .metrics) ?? d.metrics
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(database, forKey: .database)
        try c.encode(reportsDir, forKey: .reportsDir)
        try c.encode(inboxDir, forKey: .inboxDir)
        try c.encode(tradingDB, forKey: .tradingDB)
        try c.encode(exchangeTimezone, forKey: .exchangeTimezone)
        try c.encode(indexSymbol, forKey: .indexSymbol)
        try c.encode(labels, forKey: .labels)
        try c.encode(features, forKey: .features)
        try c.encode(training, forKey: .training)
        try c.encode(schedule, forKey: .schedule)
        try c.encode(triggers, forKey: .triggers)
        try c.encode(policy, forKey: .policy)
        try c.encode(logging, forKey: .logging)
        try c.encode(backup, forKey: .backup)
        try c.encode(metrics, forKey: .metrics)
    }

    /// Checks the top-level values, then each section.
    public func validate() throws(ConfigurationError) {
        try ValueRule.nonEmpty.check(database, at: CodingKeys.database.rawValue)
        try ValueRule.timeZone.check(exchangeTimezone, at: CodingKeys.exchangeTimezone.rawValue)
        try labels.validate()
        try features.validate()
        try training.validate()
        try schedule.validate()
        try triggers.validate()
        try policy.validate()
        try backup.validate()
        try metrics.validate()
    }

    /// A time of day.
    public struct ClockTime: Sendable, Equatable {
        public var hour: Int
        public var minute: Int
        public init(hour: Int, minute: Int) {
            self.hour = hour
            self.minute = minute
        }

        /// `18:30`
        var text: String { String(format: "%02d:%02d", hour, minute) }
        var isValid: Bool { (0..<24).contains(hour) && (0..<60).contains(minute) }

        /// Parses `H:MM` into numbers (ranges are checked by ``isValid``); nil when not of that form.
        init?(parsing text: String) {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]) else { return nil }
            self.init(hour: h, minute: m)
        }
    }

    /// An inclusive range of (month, day) in any year.
    public struct SeasonRange: Sendable, Equatable {
        public var fromMonth: Int, fromDay: Int, toMonth: Int, toDay: Int
        public init(from: (Int, Int), to: (Int, Int)) {
            (fromMonth, fromDay, toMonth, toDay) = (from.0, from.1, to.0, to.1)
        }
    }
}

/// A configuration value that was refused, naming the key and what is expected.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file, `environment IMPROVEMENTD_…`, or `configuration` for a value checked outside a load.
    public var source: String
    /// `section.key` (or the environment variable's name for an unknown one).
    public var key: String
    public var reason: String
    /// What the key expects, when a value was refused; the loader re-renders `(got …)` from the
    /// value as written.
    var expected: String?

    public var description: String { "\(source): \(key): \(reason)" }

    public init(source: String, key: String, reason: String) {
        self.source = source
        self.key = key
        self.reason = reason
    }

    /// `key` refused `got`: `expected … (got VALUE)`.
    init(refusing key: String, expected: String, got: String, source: String = "configuration") {
        self.init(source: source, key: key, reason: "\(expected) (got \(got))")
        self.expected = expected
    }
}

extension Configuration {
    /// The calendar day of `now` in the exchange's time zone (`exchange_timezone`): the day a job's
    /// point-in-time rules count from.
    public func exchangeDay(of now: Date) -> Day {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: exchangeTimezone) ?? TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: now)
        return Day(year: c.year!, month: c.month!, day: c.day!)!
    }
}
