import Foundation
import Yams

extension Configuration {
    /// Loads `path` (nil: defaults only), then applies environment overrides and validates.
    public static func load(path: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Configuration {
        var values: [String: (Any, String)] = [:] // flattened key → (value, source)
        if let path {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ConfigurationError(source: path, key: "-", reason: "cannot read the configuration file")
            }
            let root: Any?
            do {
                root = try Yams.load(yaml: text)
            } catch {
                throw ConfigurationError(source: path, key: "-", reason: "not valid YAML: \(error)")
            }
            if let root {
                guard let dict = root as? [String: Any] else {
                    throw ConfigurationError(source: path, key: "-", reason: "the top level must be a mapping of keys")
                }
                for (k, v) in dict {
                    if let section = v as? [String: Any], sections.contains(k) {
                        for (k2, v2) in section { values["\(k).\(k2)"] = (v2, path) }
                    } else {
                        values[k] = (v, path)
                    }
                }
            }
        }
        for (name, value) in environment where name.hasPrefix("IMPROVEMENTD_") {
            let raw = name.dropFirst("IMPROVEMENTD_".count).lowercased()
            guard let key = allKeys.first(where: { $0.replacingOccurrences(of: ".", with: "_") == raw }) else {
                throw ConfigurationError(source: "environment", key: name, reason: "no such configuration key (known: \(allKeys.joined(separator: ", ")))")
            }
            let parsed: Any = (try? Yams.load(yaml: value)) as Any? ?? value
            values[key] = (parsed ?? value, "environment \(name)")
        }
        var c = Configuration()
        for (key, entry) in values {
            guard allKeys.contains(key) else {
                throw ConfigurationError(source: entry.1, key: key, reason: "unknown key (known: \(allKeys.joined(separator: ", ")))")
            }
            try c.set(key, entry.0, source: entry.1)
        }
        return c
    }

    static let sections: Set<String> = ["labels", "features", "training", "schedule", "triggers", "logging"]
    static let allKeys: [String] = [
        "database", "reports_dir", "inbox_dir", "trading_db", "exchange_timezone", "index_symbol",
        "labels.horizon_days", "labels.success_threshold", "labels.default_target_pct", "labels.default_stop_pct", "labels.expiry_grace_days",
        "features.earnings_season",
        "training.lookback_days", "training.holdout_fraction", "training.algorithms", "training.seed",
        "training.tuning_trials", "training.tuning_seconds", "training.promotion_margin",
        "schedule.timezone", "schedule.daily", "schedule.weekly", "schedule.monthly",
        "triggers.evaluation_window_days", "triggers.accuracy", "triggers.success_rate", "triggers.degradation",
        "triggers.schedule_days", "triggers.min_signals",
        "logging.level",
    ]

    private mutating func set(_ key: String, _ value: Any, source: String) throws {
        func fail(_ why: String) -> ConfigurationError { ConfigurationError(source: source, key: key, reason: "\(why) (got \(value))") }
        func string() throws -> String {
            if let s = value as? String { return s }
            if value is NSNull { return "" }
            throw fail("expected a string")
        }
        func int(_ range: ClosedRange<Int>) throws -> Int {
            let v: Int? = (value as? Int) ?? (value as? String).flatMap { Int($0) }
            guard let v, range.contains(v) else { throw fail("expected a whole number in \(range.lowerBound)...\(range.upperBound)") }
            return v
        }
        func number(_ range: ClosedRange<Double>, open lower: Bool = false) throws -> Double {
            let v: Double? = (value as? Double) ?? (value as? Int).map(Double.init) ?? (value as? String).flatMap { Double($0) }
            guard let v, v.isFinite, range.contains(v), !(lower && v == range.lowerBound) else {
                throw fail("expected a number in \(lower ? "(" : "[")\(range.lowerBound), \(range.upperBound)]")
            }
            return v
        }
        func timezone() throws -> String {
            let s = try string()
            guard TimeZone(identifier: s) != nil else { throw fail("expected an IANA time zone such as Asia/Kolkata") }
            return s
        }
        func clock(_ text: String) throws -> ClockTime {
            let parts = text.split(separator: ":")
            guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0..<24).contains(h), (0..<60).contains(m) else {
                throw fail("expected a time HH:MM")
            }
            return ClockTime(hour: h, minute: m)
        }
        switch key {
        case "database": database = try string(); if database.isEmpty { throw fail("must not be empty") }
        case "reports_dir": reportsDir = try string()
        case "inbox_dir": inboxDir = try string()
        case "trading_db": tradingDB = try string()
        case "exchange_timezone": exchangeTimezone = try timezone()
        case "index_symbol": indexSymbol = try string()
        case "labels.horizon_days": labelHorizonDays = try int(1...3650)
        case "labels.success_threshold": labelSuccessThreshold = try number(0...1, open: true)
        case "labels.default_target_pct": labelDefaultTargetPct = try number(0...1, open: true)
        case "labels.default_stop_pct": labelDefaultStopPct = try number(0...1, open: true)
        case "labels.expiry_grace_days": labelExpiryGraceDays = try int(0...3650)
        case "features.earnings_season":
            guard let list = value as? [Any] else { throw fail("expected a list of \"MM-DD..MM-DD\"") }
            earningsSeason = try list.map { item in
                let parts = "\(item)".components(separatedBy: "..")
                func md(_ s: String) -> (Int, Int)? {
                    let p = s.split(separator: "-")
                    guard p.count == 2, let m = Int(p[0]), let d = Int(p[1]), (1...12).contains(m), (1...31).contains(d) else { return nil }
                    return (m, d)
                }
                guard parts.count == 2, let a = md(parts[0]), let b = md(parts[1]) else { throw fail("expected \"MM-DD..MM-DD\" items") }
                return SeasonRange(from: a, to: b)
            }
        case "training.lookback_days": trainingLookbackDays = try int(0...36500)
        case "training.holdout_fraction": holdoutFraction = try number(0...0.5, open: true)
        case "training.algorithms":
            let list: [String]
            if let l = value as? [Any] { list = l.map { "\($0)" } } else { list = try string().split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
            let known = ["gb", "rf", "lr", "svm", "nn"]
            guard !list.isEmpty, list.allSatisfy(known.contains) else { throw fail("expected a non-empty list of \(known.joined(separator: ", "))") }
            algorithms = list
        case "training.seed": seed = try int(0...Int(Int32.max))
        case "training.tuning_trials": tuningTrials = try int(0...10000)
        case "training.tuning_seconds": tuningSeconds = try number(0...86400, open: true)
        case "training.promotion_margin": promotionMargin = try number(0...1)
        case "schedule.timezone": scheduleTimezone = try timezone()
        case "schedule.daily": daily = try clock(try string())
        case "schedule.weekly":
            let parts = try string().split(separator: " ")
            let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            guard parts.count == 2, let d = days.firstIndex(of: String(parts[0].prefix(3)).lowercased()) else { throw fail("expected \"Day HH:MM\", e.g. \"Sat 06:00\"") }
            weeklyWeekday = d + 1
            weekly = try clock(String(parts[1]))
        case "schedule.monthly":
            let parts = try string().split(separator: " ")
            guard parts.count == 2, let d = Int(parts[0]), (1...31).contains(d) else { throw fail("expected \"D HH:MM\" with D in 1...31, e.g. \"1 03:00\"") }
            monthlyDay = d
            monthly = try clock(String(parts[1]))
        case "triggers.evaluation_window_days": evaluationWindowDays = try int(1...3650)
        case "triggers.accuracy": accuracyThreshold = try number(0...1)
        case "triggers.success_rate": successRateThreshold = try number(0...1)
        case "triggers.degradation": degradationThreshold = try number(0...1)
        case "triggers.schedule_days": scheduleDays = try int(1...3650)
        case "triggers.min_signals": minSignals = try int(1...1_000_000)
        case "logging.level":
            let s = try string().lowercased()
            guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(s) else { throw fail("expected trace, debug, info, notice, warning, error or critical") }
            logLevel = s
        default:
            throw fail("unknown key")
        }
    }
}
