import Dispatch
import Foundation

/// Sleeps with a one-shot `DispatchSourceTimer`, bridged to async with a continuation.
///
/// Why not `Task.sleep`: the timer is scheduled on the wall clock (`wallDeadline`), so a
/// suspended machine or a stepped clock wakes the scheduler when the wall time is reached,
/// and it occupies no cooperative-pool thread while waiting. Task cancellation cancels the
/// timer at once and throws `CancellationError`; combined with `cancelWhenGracefulShutdown`
/// a graceful shutdown ends the wait immediately.
public enum DispatchTimerSleep {
    private static let queue = DispatchQueue(label: "improvementd.scheduler.timer")

    /// Waits `duration` (≤ 0 returns at once) or throws `CancellationError` when cancelled.
    @Sendable
    public static func sleep(_ duration: Duration) async throws {
        try Task.checkCancellation()
        let (seconds, attoseconds) = duration.components
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        guard nanoseconds > 0 else { return }
        let state = TimerState()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let timer = DispatchSource.makeTimerSource(flags: .strict, queue: queue)
                timer.setEventHandler { state.finish(with: nil) }
                timer.schedule(wallDeadline: .now() + .nanoseconds(Int(nanoseconds)), leeway: .milliseconds(50))
                state.start(timer: timer, continuation: continuation)
            }
        } onCancel: {
            state.finish(with: CancellationError())
        }
    }
}

/// Resumes the continuation exactly once, whichever of fire and cancel comes first (cancel may
/// even come before the continuation exists).
private final class TimerState: @unchecked Sendable {
    private let lock = NSLock()
    private var timer: (any DispatchSourceTimer)?
    private var continuation: CheckedContinuation<Void, any Error>?
    private var cancelled = false
    private var done = false

    /// Starts the timer, or resumes with CancellationError when already cancelled. The timer
    /// is resumed under the lock, so `finish` never cancels (and releases) a suspended source,
    /// which libdispatch treats as a crash.
    func start(timer: any DispatchSourceTimer, continuation: CheckedContinuation<Void, any Error>) {
        lock.lock()
        if cancelled {
            done = true
            lock.unlock()
            timer.cancel()
            timer.resume()  // an inactive source must not be released either
            continuation.resume(throwing: CancellationError())
            return
        }
        self.timer = timer
        self.continuation = continuation
        timer.resume()
        lock.unlock()
    }

    func finish(with error: (any Error)?) {
        lock.lock()
        if error != nil { cancelled = true }
        guard !done, let continuation else {
            lock.unlock()
            return
        }
        done = true
        let timer = self.timer
        self.timer = nil
        self.continuation = nil
        lock.unlock()
        timer?.cancel()
        if let error { continuation.resume(throwing: error) } else { continuation.resume() }
    }
}
