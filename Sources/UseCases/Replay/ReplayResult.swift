import Foundation
import TradingDomain

/// What a replay did and wrote: the `replay` command prints it (`--json`) and tests read it.
public struct ReplayResult: Sendable, Encodable {
    /// The output folder.
    public var directory: String
    /// The scratch store (a real store: every other command reads it with `--db`).
    public var store: String
    /// The output files written in `directory`.
    public var files: [String]
    public var from: Day
    /// The last day simulated (`to` unless stopped early).
    public var through: Day
    public var to: Day
    /// Trading days delivered, of `totalDays`.
    public var daysSimulated: Int
    public var totalDays: Int
    /// Stopped by a stop request (SIGINT/SIGTERM) before `to`.
    public var stoppedEarly: Bool
    /// Checks that decided to retrain.
    public var retrains: Int
    /// Job runs that failed (the scheduler retries them, as in the daemon).
    public var failedJobs: Int
    /// The summary text `ReplayReport` returned.
    public var summary: String

    enum CodingKeys: String, CodingKey {
        case directory, store, files, from, through, to, retrains
        case daysSimulated = "days_simulated", totalDays = "total_days", stoppedEarly = "stopped_early", failedJobs = "failed_jobs"
    }

    /// Days as ISO dates; the summary text is left out (it is `summary.txt`).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(directory, forKey: .directory)
        try c.encode(store, forKey: .store)
        try c.encode(files, forKey: .files)
        try c.encode(from.iso, forKey: .from)
        try c.encode(through.iso, forKey: .through)
        try c.encode(to.iso, forKey: .to)
        try c.encode(daysSimulated, forKey: .daysSimulated)
        try c.encode(totalDays, forKey: .totalDays)
        try c.encode(stoppedEarly, forKey: .stoppedEarly)
        try c.encode(retrains, forKey: .retrains)
        try c.encode(failedJobs, forKey: .failedJobs)
    }
}

/// Where a replay is, reported at each simulated midnight (the progress line).
public struct ReplayProgress: Sendable, Equatable {
    /// The simulated day that just ended.
    public var day: Day
    /// Trading days delivered so far, of `totalDays`.
    public var daysDone: Int
    public var totalDays: Int
    /// Checks that decided to retrain so far.
    public var retrains: Int
}
