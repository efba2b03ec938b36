import Foundation
import Store
import Synchronization
import TradingDomain

/// The virtual clock a replay injects into the real scheduler and `CycleRunner`: `now` is the
/// simulated instant, and `sleep` moves it forward instead of waiting.
///
/// While it moves, `sleep` does what the outside world does to a running daemon: at each
/// trading day's delivery instant (``ReplayRun/deliveryTime`` in the exchange's time zone) it
/// delivers that day's rows from the source (the days after the previous delivery through this
/// one, so weekend-dated rows are not lost). At each midnight (a day boundary, between jobs, so
/// a job never stops half-way) it reports progress, and ends the walk by throwing
/// `CancellationError` — as a shutdown ends the scheduler — when the day after the last one has
/// begun or a stop was requested.
final class ReplayClock: Sendable {
    /// Where the walk is. Only the scheduler's loop calls `sleep`, one call at a time.
    struct State {
        var now: Date
        /// Index in `days` of the next trading day to deliver.
        var next = 0
        /// The first day not delivered yet (the seed holds everything before `from`).
        var undelivered: Day
        /// The last day whose every instant the clock went through.
        var finished: Day?
        var stoppedEarly = false
        var ended = false
    }

    let days: [Day]
    let calendar: Calendar
    let end: Date
    private let state: Mutex<State>
    private let deliver: @Sendable (ClosedRange<Day>) async throws -> Void
    private let dayDone: @Sendable (_ day: Day, _ delivered: Int) -> Void
    private let shouldStop: @Sendable () -> Bool

    /// - Parameters:
    ///   - days: the trading days to deliver, ascending, all on or after `from`.
    ///   - from: the first simulated day; the clock starts at the delivery instant of the day
    ///     before it, with everything dated before `from` already in the store.
    ///   - to: the last simulated day; the walk ends at the midnight after it.
    ///   - deliver: adds the rows of a range of days to the store.
    ///   - dayDone: called at each midnight with the day that ended and the trading days delivered.
    ///   - shouldStop: read at each midnight; true ends the walk there.
    init(
        days: [Day], from: Day, to: Day, timeZone: TimeZone,
        deliver: @escaping @Sendable (ClosedRange<Day>) async throws -> Void,
        dayDone: @escaping @Sendable (Day, Int) -> Void,
        shouldStop: @escaping @Sendable () -> Bool
    ) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
        self.days = days
        self.deliver = deliver
        self.dayDone = dayDone
        self.shouldStop = shouldStop
        end = Self.instant(to.adding(days: 1), hour: 0, minute: 0, calendar)
        let start = Self.instant(from.adding(days: -1), hour: ReplayRun.deliveryTime.hour, minute: ReplayRun.deliveryTime.minute, calendar)
        state = Mutex(State(now: start, undelivered: from))
    }

    var now: Date { state.withLock { $0.now } }
    var snapshot: State { state.withLock { $0 } }

    /// Moves the clock `duration` forward, delivering the trading days whose delivery instant it
    /// passes; throws `CancellationError` at the first midnight past the end or after a stop.
    func sleep(_ duration: Duration) async throws {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        let target = now.addingTimeInterval(max(seconds, 0))
        while true {
            let current = snapshot
            if current.ended { throw CancellationError() }
            let today = day(of: current.now)
            let midnight = Self.instant(today.adding(days: 1), hour: 0, minute: 0, calendar)
            let delivery = current.next < days.count
                ? Self.instant(days[current.next], hour: ReplayRun.deliveryTime.hour, minute: ReplayRun.deliveryTime.minute, calendar)
                : Date.distantFuture
            let event = min(midnight, delivery)
            if event > target { break }
            if midnight <= delivery {
                state.withLock { $0.now = midnight; $0.finished = today }
                dayDone(today, current.next)
                let stop = midnight < end && shouldStop()
                if midnight >= end || stop {
                    state.withLock { $0.ended = true; $0.stoppedEarly = stop }
                    throw CancellationError()
                }
            } else {
                let day = days[current.next]
                state.withLock { $0.now = delivery }
                try await deliver(current.undelivered...day)
                state.withLock { $0.next += 1; $0.undelivered = day.adding(days: 1) }
            }
        }
        state.withLock { $0.now = target }
    }

    /// The date of `instant` in the clock's time zone.
    func day(of instant: Date) -> Day {
        let c = calendar.dateComponents([.year, .month, .day], from: instant)
        return Day(year: c.year!, month: c.month!, day: c.day!)!
    }

    /// `hour:minute` on `day` in `calendar`'s time zone.
    static func instant(_ day: Day, hour: Int, minute: Int, _ calendar: Calendar) -> Date {
        calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.dayOfMonth, hour: hour, minute: minute))!
    }
}
