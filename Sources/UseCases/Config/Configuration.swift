import Foundation
import Yams

/// The daemon's whole configuration, read once at start-up (and on SIGHUP) from the YAML file in
/// `config/`, with `IMPROVEMENTD_<SECTION>_<KEY>` environment overrides. Defaults match the file.
public struct Configuration: Sendable, Equatable {
    public var database = "var/improvementd.sqlite"
    public var reportsDir = "var/reports"
    public var inboxDir = "var/inbox"
    public var tradingDB = ""
    public var exchangeTimezone = "Asia/Kolkata"
    public var indexSymbol = "^NSEI"

    public var labelHorizonDays = 30
    public var labelSuccessThreshold = 0.02
    public var labelDefaultTargetPct = 0.10
    public var labelDefaultStopPct = 0.05
    public var labelExpiryGraceDays = 10

    /// (month, day) ranges, inclusive.
    public var earningsSeason: [SeasonRange] = [
        SeasonRange(from: (1, 10), to: (2, 15)), SeasonRange(from: (4, 10), to: (5, 15)),
        SeasonRange(from: (7, 10), to: (8, 15)), SeasonRange(from: (10, 10), to: (11, 15)),
    ]

    public var trainingLookbackDays = 0
    public var holdoutFraction = 0.2
    public var algorithms = ["gb", "rf", "lr", "svm", "nn"]
    public var seed = 42
    public var tuningTrials = 24
    public var tuningSeconds = 30.0
    public var promotionMargin = 0.0

    public var scheduleTimezone = "Asia/Kolkata"
    public var daily = ClockTime(hour: 18, minute: 30)
    public var weeklyWeekday = 6 // 1 Monday ... 7 Sunday
    public var weekly = ClockTime(hour: 6, minute: 0)
    public var monthlyDay = 1
    public var monthly = ClockTime(hour: 3, minute: 0)

    public var evaluationWindowDays = 30
    public var accuracyThreshold = 0.60
    public var successRateThreshold = 0.50
    public var degradationThreshold = 0.10
    public var scheduleDays = 30
    public var minSignals = 50

    public var logLevel = "info"

    public init() {}

    /// A time of day.
    public struct ClockTime: Sendable, Equatable {
        public var hour: Int
        public var minute: Int
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
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var source: String
    public var key: String
    public var reason: String
    public var description: String { "\(source): \(key): \(reason)" }
}
