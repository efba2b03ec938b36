import Foundation
import Testing

@testable import Daemon

/// Parses `2026-11-28T06:00:00Z` or `2026-11-28T06:00:00+05:30` (test helper).
func instant(_ text: String) -> Date {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    guard let d = f.date(from: text) else { fatalError("bad test date \(text)") }
    return d
}

extension Date {
    func adding(days: Double = 0, hours: Double = 0, minutes: Double = 0, seconds: Double = 0) -> Date {
        addingTimeInterval(days * 86_400 + hours * 3_600 + minutes * 60 + seconds)
    }
}

@Suite("Civil dates")
struct CivilDateTests {
    @Test("round trip over 800 years, weekdays and leap years", arguments: [-200_000, -1, 0, 1, 20_000, 59, 60, 11_016, 150_000])
    func roundTrip(days: Int) {
        let d = CivilDate(daysSinceEpoch: days)
        #expect(d.daysSinceEpoch == days)
        #expect(d.adding(days: 1).daysSinceEpoch == days + 1)
    }

    @Test func knownDates() {
        #expect(CivilDate(daysSinceEpoch: 0) == CivilDate(year: 1970, month: 1, day: 1))
        #expect(CivilDate(year: 1970, month: 1, day: 1).weekday == 4)  // Thursday (ISO: 1 Monday ... 7 Sunday)
        #expect(CivilDate(year: 2026, month: 11, day: 28).weekday == 6)  // Saturday
        #expect(CivilDate(year: 2026, month: 11, day: 29).weekday == 7)  // Sunday
        #expect(CivilDate(year: 2026, month: 11, day: 30).weekday == 1)  // Monday
        #expect(CivilDate(year: 2000, month: 2, day: 29).adding(days: 1) == CivilDate(year: 2000, month: 3, day: 1))
        #expect(CivilDate(year: 2028, month: 2, day: 28).adding(days: 1) == CivilDate(year: 2028, month: 2, day: 29))
        #expect(CivilDate(year: 2100, month: 2, day: 28).adding(days: 1) == CivilDate(year: 2100, month: 3, day: 1))
        #expect(CivilDate.isLeapYear(2000) && CivilDate.isLeapYear(2028))
        #expect(!CivilDate.isLeapYear(1900) && !CivilDate.isLeapYear(2026) && !CivilDate.isLeapYear(2100))
        #expect(CivilDate(year: 2026, month: 11, day: 5).description == "2026-11-05")
    }
}

@Suite("Schedule maths")
struct ScheduleTests {
    let kolkata = ScheduleConfig()

    @Test func defaults() {
        #expect(kolkata.timeZone == "Asia/Kolkata")
        #expect(kolkata.daily == .init(hour: 18, minute: 30))
        #expect(kolkata.weekly == .init(weekday: 6, hour: 6, minute: 0))  // Saturday
        #expect(kolkata.monthly == .init(day: 1, hour: 3, minute: 0))
    }

    @Test func weeklyOnEveryISOWeekday() {
        // Wed 25 Nov 2026 12:00 UTC: the next fire of weekday w (1 Monday ... 7 Sunday) at 06:00.
        let now = instant("2026-11-25T12:00:00Z")
        let expected = ["2026-11-30", "2026-12-01", "2026-12-02", "2026-11-26", "2026-11-27", "2026-11-28", "2026-11-29"]
        for weekday in 1...7 {
            let s = ScheduleConfig(timeZone: "UTC", weekly: .init(weekday: weekday, hour: 6, minute: 0))
            #expect(s.nextFire(of: .weekly, after: now).period == expected[weekday - 1], "weekday \(weekday)")
        }
    }

    @Test func defaultScheduleInKolkata() {
        // Wednesday 2026-11-25 18:29:59 IST: daily not yet due today, so the latest is yesterday's.
        let justBefore = instant("2026-11-25T18:29:59+05:30")
        #expect(kolkata.latestFire(of: .daily, atOrBefore: justBefore).period == "2026-11-24")
        let at = instant("2026-11-25T18:30:00+05:30")
        let daily = kolkata.latestFire(of: .daily, atOrBefore: at)
        #expect(daily.period == "2026-11-25")
        #expect(daily.scheduledAt == instant("2026-11-25T13:00:00Z"))
        // Weekly: the previous Saturday 06:00 IST.
        let weekly = kolkata.latestFire(of: .weekly, atOrBefore: at)
        #expect(weekly.period == "2026-11-21")
        #expect(weekly.scheduledAt == instant("2026-11-21T06:00:00+05:30"))
        // Monthly: 1 November 03:00 IST.
        let monthly = kolkata.latestFire(of: .monthly, atOrBefore: at)
        #expect(monthly.period == "2026-11")
        #expect(monthly.scheduledAt == instant("2026-11-01T03:00:00+05:30"))
        // A Saturday exactly at 06:00 is that Saturday's period.
        #expect(kolkata.latestFire(of: .weekly, atOrBefore: instant("2026-11-28T06:00:00+05:30")).period == "2026-11-28")
        #expect(kolkata.latestFire(of: .weekly, atOrBefore: instant("2026-11-28T05:59:59+05:30")).period == "2026-11-21")
        // Monthly just before 03:00 on the 1st belongs to the previous month, across a year end.
        #expect(kolkata.latestFire(of: .monthly, atOrBefore: instant("2027-01-01T02:59:00+05:30")).period == "2026-12")
        #expect(kolkata.latestFire(of: .monthly, atOrBefore: instant("2027-01-01T03:00:00+05:30")).period == "2027-01")
    }

    @Test func nextFireOrdering() {
        // Wed 25 Nov 2026 12:00 IST: next daily today 18:30, weekly Sat 28th 06:00, monthly 1 Dec.
        let now = instant("2026-11-25T12:00:00+05:30")
        let fires = kolkata.nextFires(after: now)
        #expect(fires.map(\.job) == [.daily, .weekly, .monthly])
        #expect(fires.map(\.scheduledAt) == [
            instant("2026-11-25T18:30:00+05:30"), instant("2026-11-28T06:00:00+05:30"), instant("2026-12-01T03:00:00+05:30"),
        ])
        #expect(fires.map(\.period) == ["2026-11-25", "2026-11-28", "2026-12"])
        let next = kolkata.nextFire(after: now)
        #expect(next.job == .daily && next.at == instant("2026-11-25T18:30:00+05:30"))
        // Exactly at a fire instant, the next one is strictly later.
        let atDaily = kolkata.nextFire(after: instant("2026-11-25T18:30:00+05:30"))
        #expect(atDaily.job == .daily && atDaily.at == instant("2026-11-26T18:30:00+05:30"))
        // Saturday 27 Nov 2026 ... at Friday 19:00 the weekly (Sat 06:00) comes before daily (Sat 18:30).
        let friday = kolkata.nextFire(after: instant("2026-11-27T19:00:00+05:30"))
        #expect(friday.job == .weekly && friday.at == instant("2026-11-28T06:00:00+05:30"))
        // 30 Nov 19:00: monthly (1 Dec 03:00) is next.
        let endOfMonth = kolkata.nextFire(after: instant("2026-11-30T19:00:00+05:30"))
        #expect(endOfMonth.job == .monthly && endOfMonth.at == instant("2026-12-01T03:00:00+05:30"))
    }

    @Test func nextFireIsMonotonicAndMatchesLatestFire() {
        // Walking through a year fire by fire visits every daily fire exactly once.
        var now = instant("2027-01-01T00:00:00+05:30")
        var dailyCount = 0, weeklyCount = 0, monthlyCount = 0
        let end = instant("2028-01-01T00:00:00+05:30")
        while true {
            let (job, at) = kolkata.nextFire(after: now)
            if at >= end { break }
            #expect(at > now)
            #expect(kolkata.latestFire(of: job, atOrBefore: at).scheduledAt == at)
            switch job {
            case .daily: dailyCount += 1
            case .weekly: weeklyCount += 1
            case .monthly: monthlyCount += 1
            }
            now = at
        }
        #expect(dailyCount == 365)
        #expect(weeklyCount == 52)  // 2027 has 52 Saturdays
        #expect(monthlyCount == 12)
    }

    // MARK: DST

    @Test func springForwardNewYork() {
        // 8 March 2026: 02:00 EST → 03:00 EDT; 02:30 does not exist.
        let ny = ScheduleConfig(timeZone: "America/New_York", daily: .init(hour: 2, minute: 30))
        let fire = ny.nextFire(of: .daily, after: instant("2026-03-08T00:00:00-05:00"))
        #expect(fire.period == "2026-03-08")
        #expect(fire.scheduledAt == instant("2026-03-08T07:30:00Z"))  // = 03:30 EDT, shifted by the gap
        // Day before and after are normal.
        #expect(ny.nextFire(of: .daily, after: instant("2026-03-07T00:00:00-05:00")).scheduledAt == instant("2026-03-07T02:30:00-05:00"))
        #expect(ny.nextFire(of: .daily, after: fire.scheduledAt).scheduledAt == instant("2026-03-09T02:30:00-04:00"))
        // Due exactly once that day.
        let before = ny.dueJobs(now: instant("2026-03-08T07:29:59Z"), lastRuns: [.daily: "2026-03-07"])
        #expect(before.filter { $0.job == .daily }.isEmpty)
        let after = ny.dueJobs(now: instant("2026-03-08T07:30:00Z"), lastRuns: [.daily: "2026-03-07"])
        #expect(after.filter { $0.job == .daily }.map(\.period) == ["2026-03-08"])
    }

    @Test func fallBackNewYork() {
        // 1 November 2026: 02:00 EDT → 01:00 EST; 01:30 happens twice, 02:30 once.
        let ny230 = ScheduleConfig(timeZone: "America/New_York", daily: .init(hour: 2, minute: 30))
        #expect(ny230.nextFire(of: .daily, after: instant("2026-11-01T00:00:00-04:00")).scheduledAt
            == instant("2026-11-01T02:30:00-05:00"))
        let ny130 = ScheduleConfig(timeZone: "America/New_York", daily: .init(hour: 1, minute: 30))
        let first = ny130.nextFire(of: .daily, after: instant("2026-11-01T00:00:00-04:00"))
        #expect(first.scheduledAt == instant("2026-11-01T01:30:00-04:00"))  // first occurrence (EDT)
        // At the second 01:30 (EST) the job is not due again.
        let secondOccurrence = instant("2026-11-01T01:30:00-05:00")
        #expect(ny130.dueJobs(now: secondOccurrence, lastRuns: [.daily: "2026-11-01", .weekly: "9999", .monthly: "9999"]).isEmpty)
        #expect(ny130.nextFire(of: .daily, after: first.scheduledAt).scheduledAt == instant("2026-11-02T01:30:00-05:00"))
    }

    @Test func londonSpringForwardAndFallBack() {
        // 29 March 2026: 01:00 GMT → 02:00 BST. 02:30 exists (BST); 01:30 does not.
        let london230 = ScheduleConfig(timeZone: "Europe/London", daily: .init(hour: 2, minute: 30))
        #expect(london230.nextFire(of: .daily, after: instant("2026-03-29T00:00:00Z")).scheduledAt == instant("2026-03-29T01:30:00Z"))
        let london130 = ScheduleConfig(timeZone: "Europe/London", daily: .init(hour: 1, minute: 30))
        let gap = london130.nextFire(of: .daily, after: instant("2026-03-29T00:00:00Z"))
        #expect(gap.period == "2026-03-29")
        #expect(gap.scheduledAt == instant("2026-03-29T01:30:00Z"))  // 02:30 BST
        // 25 October 2026: 02:00 BST → 01:00 GMT. 02:30 happens once (GMT); 01:30 twice.
        #expect(london230.nextFire(of: .daily, after: instant("2026-10-25T00:00:00Z")).scheduledAt == instant("2026-10-25T02:30:00Z"))
        let repeated = london130.nextFire(of: .daily, after: instant("2026-10-24T23:30:00Z"))
        #expect(repeated.scheduledAt == instant("2026-10-25T00:30:00Z"))  // 01:30 BST, the first
        #expect(london130.nextFire(of: .daily, after: repeated.scheduledAt).scheduledAt == instant("2026-10-26T01:30:00Z"))
        // Walking across both DST days: exactly one daily fire per local day.
        var now = instant("2026-03-27T00:00:00Z")
        var periods: [String] = []
        while now < instant("2026-03-31T00:00:00Z") {
            let f = london230.nextFire(of: .daily, after: now)
            periods.append(f.period)
            now = f.scheduledAt
        }
        #expect(periods == ["2026-03-27", "2026-03-28", "2026-03-29", "2026-03-30", "2026-03-31"])
    }

    @Test func weeklyAcrossDST() {
        // Saturday 06:00 in New York keeps its wall time across the November change.
        let ny = ScheduleConfig(timeZone: "America/New_York")
        #expect(ny.nextFire(of: .weekly, after: instant("2026-10-30T00:00:00Z")).scheduledAt == instant("2026-10-31T06:00:00-04:00"))
        #expect(ny.nextFire(of: .weekly, after: instant("2026-11-01T00:00:00Z")).scheduledAt == instant("2026-11-07T06:00:00-05:00"))
    }

    // MARK: Month ends

    @Test func monthlyDay31Clamps() {
        let s = ScheduleConfig(timeZone: "UTC", monthly: .init(day: 31, hour: 3, minute: 0))
        let expected = [
            ("2027-01", "2027-01-31"), ("2027-02", "2027-02-28"), ("2027-03", "2027-03-31"), ("2027-04", "2027-04-30"),
            ("2027-05", "2027-05-31"), ("2027-06", "2027-06-30"), ("2027-07", "2027-07-31"), ("2027-08", "2027-08-31"),
            ("2027-09", "2027-09-30"), ("2027-10", "2027-10-31"), ("2027-11", "2027-11-30"), ("2027-12", "2027-12-31"),
            ("2028-01", "2028-01-31"), ("2028-02", "2028-02-29"),
        ]
        var now = instant("2027-01-01T00:00:00Z")
        for (period, day) in expected {
            let f = s.nextFire(of: .monthly, after: now)
            #expect(f.period == period)
            #expect(f.scheduledAt == instant("\(day)T03:00:00Z"))
            now = f.scheduledAt
        }
    }

    @Test func monthlyDay29InFebruary() {
        let s = ScheduleConfig(timeZone: "UTC", monthly: .init(day: 29, hour: 0, minute: 0))
        #expect(s.nextFire(of: .monthly, after: instant("2027-02-01T00:00:00Z")).scheduledAt == instant("2027-02-28T00:00:00Z"))
        #expect(s.nextFire(of: .monthly, after: instant("2028-02-01T00:00:00Z")).scheduledAt == instant("2028-02-29T00:00:00Z"))
        #expect(s.nextFire(of: .monthly, after: instant("2100-02-01T00:00:00Z")).scheduledAt == instant("2100-02-28T00:00:00Z"))
        #expect(s.nextFire(of: .monthly, after: instant("2000-02-01T00:00:00Z")).scheduledAt == instant("2000-02-29T00:00:00Z"))
        // On 28 Feb 2027 after the fire, March's fire is on the 29th.
        #expect(s.nextFire(of: .monthly, after: instant("2027-02-28T00:00:00Z")).scheduledAt == instant("2027-03-29T00:00:00Z"))
        // On 1 March 2027 the latest monthly is February's (clamped), not March's.
        #expect(s.latestFire(of: .monthly, atOrBefore: instant("2027-03-01T12:00:00Z")).period == "2027-02")
    }

    @Test func dailyOn29FebruaryAndYearEnd() {
        let s = ScheduleConfig(timeZone: "Asia/Kolkata")
        #expect(s.nextFire(of: .daily, after: instant("2028-02-28T19:00:00+05:30")).period == "2028-02-29")
        #expect(s.nextFire(of: .daily, after: instant("2028-02-29T19:00:00+05:30")).period == "2028-03-01")
        #expect(s.nextFire(of: .daily, after: instant("2026-12-31T19:00:00+05:30")).period == "2027-01-01")
        // Saturday 29 Feb 2020 is a weekly period.
        #expect(s.latestFire(of: .weekly, atOrBefore: instant("2020-03-01T00:00:00+05:30")).period == "2020-02-29")
    }

    // MARK: Due jobs

    @Test func downFortyDaysRunsEachMissedJobOnce() {
        // Last runs on 10 Oct 2026; the daemon comes back on 19 Nov 2026 (40 days) at 12:00 IST.
        let lastRuns: [JobKind: String] = [.daily: "2026-10-10", .weekly: "2026-10-10", .monthly: "2026-10"]
        let now = instant("2026-11-19T12:00:00+05:30")
        let due = kolkata.dueJobs(now: now, lastRuns: lastRuns)
        #expect(due.map(\.job) == [.daily, .weekly, .monthly])
        #expect(due.map(\.period) == ["2026-11-18", "2026-11-14", "2026-11"])
        // Once recorded, nothing is due again in the same periods.
        var recorded = lastRuns
        for d in due { recorded[d.job] = d.period }
        #expect(kolkata.dueJobs(now: now, lastRuns: recorded).isEmpty)
        #expect(kolkata.dueJobs(now: now.adding(hours: 6), lastRuns: recorded).isEmpty)  // 18:00 IST
        // Next evening the daily is due again, only it.
        #expect(kolkata.dueJobs(now: instant("2026-11-19T18:30:00+05:30"), lastRuns: recorded).map(\.description) == ["daily@2026-11-19"])
    }

    @Test func neverRunBeforeRunsEachJobOnce() {
        let due = kolkata.dueJobs(now: instant("2026-11-25T10:00:00+05:30"), lastRuns: [:])
        #expect(due.map(\.description) == ["daily@2026-11-24", "weekly@2026-11-21", "monthly@2026-11"])
    }

    @Test func restartWithinAPeriodRunsNothing() {
        let lastRuns: [JobKind: String] = [.daily: "2026-11-25", .weekly: "2026-11-21", .monthly: "2026-11"]
        for time in ["2026-11-25T18:30:00+05:30", "2026-11-25T23:59:59+05:30", "2026-11-26T18:29:59+05:30"] {
            #expect(kolkata.dueJobs(now: instant(time), lastRuns: lastRuns).isEmpty)
        }
    }

    @Test func clockSteppingBackDoesNotRerunOlderPeriods() {
        // Last run recorded for the 25th; the clock is then set back to the 24th evening.
        let lastRuns: [JobKind: String] = [.daily: "2026-11-25", .weekly: "2026-11-21", .monthly: "2026-11"]
        #expect(kolkata.dueJobs(now: instant("2026-11-24T20:00:00+05:30"), lastRuns: lastRuns).isEmpty)
    }

    @Test func simulatedMonthNeverRunsAPeriodTwice() {
        // Poll every 7 minutes for 62 days, recording runs: each period runs exactly once.
        var lastRuns: [JobKind: String] = [.daily: "2026-10-31", .weekly: "2026-10-31", .monthly: "2026-10"]
        var ran: [String] = []
        var now = instant("2026-11-01T00:00:00+05:30")
        let end = instant("2027-01-01T00:00:00+05:30")
        while now < end {
            for d in kolkata.dueJobs(now: now, lastRuns: lastRuns) {
                ran.append(d.description)
                lastRuns[d.job] = d.period
            }
            now = now.adding(minutes: 7)
        }
        #expect(Set(ran).count == ran.count)
        #expect(ran.filter { $0.hasPrefix("daily@") }.count == 61)
        #expect(ran.filter { $0.hasPrefix("weekly@") }.count == 8)  // Saturdays 7 Nov ... 26 Dec 2026
        #expect(ran.filter { $0.hasPrefix("monthly@") } == ["monthly@2026-11", "monthly@2026-12"])
    }
}
