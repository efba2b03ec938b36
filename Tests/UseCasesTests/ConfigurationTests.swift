import Daemon
import Learning
import Policy
import Foundation
import Testing
import Yams
@testable import UseCases

/// The one configuration: the YAML file, environment overrides, each section's defaults and
/// checks, and the error text a user sees at start-up.
@Suite struct ConfigurationTests {
    static var shippedPath: String { TestSupport.root.appendingPathComponent("config/improvementd.yaml").path }

    /// Loads `yaml` as a file; returns the error text with the file's path shortened to `c.yaml`,
    /// or nil when it loaded.
    func refusal(_ yaml: String, environment: [String: String] = [:]) throws -> String? {
        let path = TestSupport.write(yaml, to: TestSupport.scratch(), name: "c.yaml")
        do {
            _ = try Configuration.load(path: path, environment: environment)
            return nil
        } catch let error as ConfigurationError {
            return error.description.replacingOccurrences(of: path, with: "c.yaml")
        }
    }

    @Test func shippedFileEqualsTheDefaults() throws {
        let shipped = try Configuration.load(path: Self.shippedPath, environment: [:])
        #expect(shipped == UseCases.Configuration())
    }

    @Test func shippedFileDocumentsEveryKeyAndEachDecodesToItsDefault() throws {
        let text = try String(contentsOfFile: Self.shippedPath, encoding: .utf8)
        let root = try #require(try Yams.compose(yaml: text)?.mapping)
        var keys: [String] = []
        for (k, v) in root {
            if let section = v.mapping {
                keys += section.keys.compactMap(\.string).map { "\(k.string!).\($0)" }
            } else {
                keys.append(k.string!)
            }
        }
        #expect(keys == Configuration.knownKeys)
        // Each key alone, as the file writes it, decodes to the default.
        for key in keys {
            let parts = key.split(separator: ".").map(String.init)
            let node = parts.count == 2 ? root[parts[0]]!.mapping![parts[1]]! : root[key]!
            let one: Node = parts.count == 2 ? Node([(Node(parts[0]), Node([(Node(parts[1]), node)]))]) : Node([(Node(key), node)])
            let yaml = try Yams.serialize(node: one)
            let path = TestSupport.write(yaml, to: TestSupport.scratch(), name: "one.yaml")
            #expect(try Configuration.load(path: path, environment: [:]) == UseCases.Configuration(), "\(key)")
        }
    }

    @Test func encodedDefaultsDecodeToTheDefaults() throws {
        let yaml = try YAMLEncoder().encode(UseCases.Configuration())
        #expect(yaml.contains("weekly: Sat 06:00") && yaml.contains("earnings_season:"), "\(yaml)")
        let path = TestSupport.write(yaml, to: TestSupport.scratch(), name: "encoded.yaml")
        #expect(try Configuration.load(path: path, environment: [:]) == UseCases.Configuration())
    }

    @Test func serviceConfigurationLoadsWithAbsolutePaths() throws {
        let c = try Configuration.load(path: TestSupport.root.appendingPathComponent("systemd/improvementd.yaml").path, environment: [:])
        #expect(c.database == "/var/lib/improvementd/improvementd.sqlite")
        #expect(c.reportsDir.hasPrefix("/var/lib/improvementd/") && c.inboxDir.hasPrefix("/var/lib/improvementd/"))
        var expected = UseCases.Configuration()
        (expected.database, expected.reportsDir, expected.inboxDir) = (c.database, c.reportsDir, c.inboxDir)
        #expect(c == expected)
    }

    @Test func environmentOverridesAndValidation() throws {
        let c = try Configuration.load(path: nil, environment: ["IMPROVEMENTD_TRAINING_SEED": "7", "IMPROVEMENTD_SCHEDULE_WEEKLY": "Sun 05:15"])
        #expect(c.training.seed == 7 && c.schedule.weeklyWeekday == 7 && c.schedule.weekly == .init(hour: 5, minute: 15))
        #expect(throws: ConfigurationError.self) { try Configuration.load(path: nil, environment: ["IMPROVEMENTD_NOPE": "1"]) }
        let dir = TestSupport.scratch()
        for (yaml, key) in [("triggers:\n  accuracy: 1.5\n", "triggers.accuracy"), ("schedule:\n  timezone: Mars/Olympus\n", "schedule.timezone"),
                            ("trainng:\n  seed: 1\n", "trainng"), ("training:\n  algorithms: [gb, xgb]\n", "training.algorithms")] {
            let path = TestSupport.write(yaml, to: dir, name: "c.yaml")
            let error = try #require(throws: ConfigurationError.self) { try Configuration.load(path: path, environment: [:]) }
            #expect(error.description.contains(key), "\(error)")
        }
    }

    @Test func environmentOverrideWinsOverTheFile() throws {
        let path = TestSupport.write("training:\n  seed: 3\n  algorithms: [gb]\nindex_symbol: \"^BSESN\"\n", to: TestSupport.scratch(), name: "c.yaml")
        let c = try Configuration.load(path: path, environment: [
            "IMPROVEMENTD_TRAINING_SEED": "9", "IMPROVEMENTD_TRAINING_ALGORITHMS": "lr, svm", "IMPROVEMENTD_LOGGING_LEVEL": "DEBUG",
            "IMPROVEMENTD_FEATURES_EARNINGS_SEASON": "[\"03-01..03-31\"]", "HOME": "/ignored",
        ])
        #expect(c.training.seed == 9 && c.training.algorithms == ["lr", "svm"])
        #expect(c.indexSymbol == "^BSESN")  // from the file, not overridden
        #expect(c.logging.level == .debug)
        #expect(c.features.earningsSeason == [.init(from: (3, 1), to: (3, 31))])
        let policy = try Configuration.load(path: nil, environment: [
            "IMPROVEMENTD_POLICY_OBJECTIVE": "mean_return", "IMPROVEMENTD_POLICY_MIN_TAKE_FRACTION": "0.5", "IMPROVEMENTD_POLICY_SIZE": "true",
        ]).policy
        #expect(policy.objective == .meanReturn && policy.minTakeFraction == 0.5 && policy.size)
        // Environment values are YAML: `18:30` is accepted as a time, and printed as written when refused.
        #expect(try Configuration.load(path: nil, environment: ["IMPROVEMENTD_SCHEDULE_DAILY": "18:45"]).schedule.daily == .init(hour: 18, minute: 45))
        let late = try #require(throws: ConfigurationError.self) { try Configuration.load(path: nil, environment: ["IMPROVEMENTD_SCHEDULE_DAILY": "25:30"]) }
        #expect(late.description == "environment IMPROVEMENTD_SCHEDULE_DAILY: schedule.daily: expected a time HH:MM (got 25:30)")
        // The replay benchmark's keys, set per run from the environment.
        let options = try Configuration.load(path: path, environment: [
            "IMPROVEMENTD_TRAINING_TUNING_BUDGET_FACTOR": "0.5", "IMPROVEMENTD_TRAINING_SHIP": "refit",
            "IMPROVEMENTD_TRAINING_MONTHLY_PROMOTION": "Unless_Worse",
        ])
        #expect(options.training.tuningBudgetFactor == 0.5 && options.training.ship == .refit && options.training.monthlyPromotion == .unlessWorse)
        let ship = try #require(throws: ConfigurationError.self) { try Configuration.load(path: nil, environment: ["IMPROVEMENTD_TRAINING_SHIP": "newest"]) }
        #expect(ship.description == "environment IMPROVEMENTD_TRAINING_SHIP: training.ship: expected measured or refit (got newest)")
        // A bad environment value names the variable as its source.
        let error = try refusal("training:\n  holdout_fraction: 0.3\n", environment: ["IMPROVEMENTD_TRAINING_HOLDOUT_FRACTION": "0.9"])
        #expect(error == "environment IMPROVEMENTD_TRAINING_HOLDOUT_FRACTION: training.holdout_fraction: expected a number in (0.0, 0.5] (got 0.9)")
    }

    @Test func unknownKeysAreRefusedByName() throws {
        let known = Configuration.knownKeys.joined(separator: ", ")
        #expect(known.hasPrefix("database, reports_dir, inbox_dir, trading_db, exchange_timezone, index_symbol, labels.horizon_days,"))
        #expect(known.hasSuffix("triggers.min_signals, policy.objective, policy.min_take_fraction, policy.size, logging.level, backup.dir, backup.keep, metrics.textfile_dir"))
        #expect(try refusal("trainng:\n  seed: 1\n") == "c.yaml: trainng: unknown key (known: \(known))")
        #expect(try refusal("training:\n  sed: 1\n") == "c.yaml: training.sed: unknown key (known: \(known))")
        #expect(try refusal("databse: x.sqlite\n") == "c.yaml: databse: unknown key (known: \(known))")
        let env = try #require(throws: ConfigurationError.self) {
            try Configuration.load(path: nil, environment: ["IMPROVEMENTD_TRAINING_SED": "1"])
        }
        #expect(env.description == "environment: IMPROVEMENTD_TRAINING_SED: no such configuration key (known: \(known))")
    }

    @Test(arguments: [
        ("database: \"\"\n", "c.yaml: database: must not be empty (got )"),
        ("exchange_timezone: Mars/Olympus\n", "c.yaml: exchange_timezone: expected an IANA time zone such as Asia/Kolkata (got Mars/Olympus)"),
        ("index_symbol: 5\n", "c.yaml: index_symbol: expected a string (got 5)"),
        ("labels:\n  horizon_days: 0\n", "c.yaml: labels.horizon_days: expected a whole number in 1...3650 (got 0)"),
        ("labels:\n  horizon_days: abc\n", "c.yaml: labels.horizon_days: expected a whole number in 1...3650 (got abc)"),
        ("labels:\n  default_stop_pct: 0\n", "c.yaml: labels.default_stop_pct: expected a number in (0.0, 1.0] (got 0)"),
        ("features:\n  earnings_season: [\"13-01..02-01\"]\n", #"c.yaml: features.earnings_season: expected "MM-DD..MM-DD" items (got ["13-01..02-01"])"#),
        ("features:\n  earnings_season: 01-10..02-15\n", #"c.yaml: features.earnings_season: expected a list of "MM-DD..MM-DD" (got 01-10..02-15)"#),
        ("training:\n  holdout_fraction: 0.9\n", "c.yaml: training.holdout_fraction: expected a number in (0.0, 0.5] (got 0.9)"),
        ("training:\n  algorithms: [gb, xgb]\n", #"c.yaml: training.algorithms: expected a non-empty list of gb, rf, lr, svm, nn, voting, stacking, blending, regime, bma (got ["gb", "xgb"])"#),
        ("training:\n  selection: best\n", "c.yaml: training.selection: expected one of mean_cv, pooled_oof, one_se, fixed:<algorithm> (e.g. fixed:voting) (got best)"),
        ("training:\n  selection: fixed:xgb\n", "c.yaml: training.selection: expected one of mean_cv, pooled_oof, one_se, fixed:<algorithm> (e.g. fixed:voting) (got fixed:xgb)"),
        ("training:\n  regime_min_rows: -1\n", "c.yaml: training.regime_min_rows: expected a whole number in 0...1000000 (got -1)"),
        ("training:\n  seed: -1\n", "c.yaml: training.seed: expected a whole number in 0...2147483647 (got -1)"),
        ("training:\n  tuning_budget_factor: 0\n", "c.yaml: training.tuning_budget_factor: expected a number in (0.0, 1000.0] (got 0)"),
        ("training:\n  tuning_budget_factor: much\n", "c.yaml: training.tuning_budget_factor: expected a number in (0.0, 1000.0] (got much)"),
        ("training:\n  ship: latest\n", "c.yaml: training.ship: expected measured or refit (got latest)"),
        ("training:\n  ship: [refit]\n", #"c.yaml: training.ship: expected a string (got ["refit"])"#),
        ("training:\n  monthly_promotion: always\n", "c.yaml: training.monthly_promotion: expected paired_test or unless_worse (got always)"),
        ("schedule:\n  timezone: Mars/Olympus\n", "c.yaml: schedule.timezone: expected an IANA time zone such as Asia/Kolkata (got Mars/Olympus)"),
        ("schedule:\n  daily: \"25:00\"\n", "c.yaml: schedule.daily: expected a time HH:MM (got 25:00)"),
        ("schedule:\n  weekly: \"Xyz 06:00\"\n", #"c.yaml: schedule.weekly: expected "Day HH:MM", e.g. "Sat 06:00" (got Xyz 06:00)"#),
        ("schedule:\n  weekly: \"Sat 06:60\"\n", "c.yaml: schedule.weekly: expected a time HH:MM (got Sat 06:60)"),
        ("schedule:\n  monthly: \"32 03:00\"\n", #"c.yaml: schedule.monthly: expected "D HH:MM" with D in 1...31, e.g. "1 03:00" (got 32 03:00)"#),
        ("triggers:\n  accuracy: 1.5\n", "c.yaml: triggers.accuracy: expected a number in [0.0, 1.0] (got 1.5)"),
        ("triggers:\n  min_signals: 0\n", "c.yaml: triggers.min_signals: expected a whole number in 1...1000000 (got 0)"),
        ("policy:\n  objective: profit\n", "c.yaml: policy.objective: expected one of success_rate, mean_return (got profit)"),
        ("policy:\n  min_take_fraction: 0\n", "c.yaml: policy.min_take_fraction: expected a number in (0.0, 1.0] (got 0)"),
        ("policy:\n  min_take_fraction: 1.5\n", "c.yaml: policy.min_take_fraction: expected a number in (0.0, 1.0] (got 1.5)"),
        ("policy:\n  size: maybe\n", "c.yaml: policy.size: expected true or false (got maybe)"),
        ("logging:\n  level: loud\n", "c.yaml: logging.level: expected trace, debug, info, notice, warning, error or critical (got loud)"),
        ("backup:\n  keep: 0\n", "c.yaml: backup.keep: expected a whole number in 1...3650 (got 0)"),
        ("backup:\n  dir: 5\n", "c.yaml: backup.dir: expected a string (got 5)"),
        ("training: 5\n", "c.yaml: training: expected a mapping of keys (got 5)"),
    ])
    func badValueIsRefusedWithItsKey(yaml: String, message: String) throws {
        #expect(try refusal(yaml) == message)
    }

    @Test func missingKeysAndEmptySectionsTakeTheirDefaults() throws {
        let c = try Configuration.load(path: TestSupport.write("training:\nschedule:\n  timezone: Europe/London\n  daily: \"02:30\"\n", to: TestSupport.scratch(), name: "c.yaml"), environment: [:])
        var expected = UseCases.Configuration()
        expected.schedule.timezone = "Europe/London"
        expected.schedule.daily = .init(hour: 2, minute: 30)
        #expect(c == expected)
        #expect(try Configuration.load(path: TestSupport.write("", to: TestSupport.scratch(), name: "empty.yaml"), environment: [:]) == UseCases.Configuration())
    }

    @Test func scheduleSectionValidatesItsValues() {
        func refused(_ change: (inout ScheduleSection) -> Void) -> String? {
            var s = ScheduleSection()
            change(&s)
            do { try s.validate(); return nil } catch { return error.key }
        }
        #expect(refused { _ in } == nil)
        #expect(refused { $0.timezone = "Mars/Olympus" } == "schedule.timezone")
        #expect(refused { $0.daily = .init(hour: 24, minute: 0) } == "schedule.daily")
        #expect(refused { $0.weeklyWeekday = 0 } == "schedule.weekly")
        #expect(refused { $0.weeklyWeekday = 8 } == "schedule.weekly")
        #expect(refused { $0.monthlyDay = 32 } == "schedule.monthly")
        #expect(refused { $0.monthly = .init(hour: 3, minute: 60) } == "schedule.monthly")
    }

    @Test func scheduleWeekdaysAreISOFromTheFileToTheScheduler() throws {
        for (index, name) in ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sunday"].enumerated() {
            let c = try Configuration.load(path: nil, environment: ["IMPROVEMENTD_SCHEDULE_WEEKLY": "\(name) 07:45", "IMPROVEMENTD_SCHEDULE_TIMEZONE": "UTC"])
            let schedule = c.schedule.scheduleConfig
            #expect(schedule.weekly == .init(weekday: index + 1, hour: 7, minute: 45))
            // After Sunday 29 Nov 2026 12:00 UTC (07:45 passed), weekday 1 + i next fires on Monday 30th + i days.
            let fire = schedule.nextFire(of: .weekly, after: Date(timeIntervalSince1970: 1_795_953_600))
            #expect(fire.period == CivilDate(year: 2026, month: 11, day: 30).adding(days: index).description, "\(name)")
        }
        #expect(ScheduleSection().scheduleConfig == ScheduleConfig())
    }

    @Test func sectionsBuildTheDomainSettings() {
        let c = UseCases.Configuration()
        #expect(c.labels.labelConfig.horizonDays == c.labels.horizonDays)
        #expect(c.labels.labelConfig.expiryGraceDays == 10)
        let features = c.features.featureConfig(indexSymbol: c.indexSymbol)
        #expect(features.indexSymbol == "^NSEI" && features.resultsSeason.seasons.count == 4)
    }
}
