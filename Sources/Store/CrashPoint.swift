import Foundation

/// A testing aid: named points where the process kills itself with SIGKILL when the environment
/// variable `IMPROVEMENTD_CRASH_AT` names the point, so a test can crash a run at an exact step
/// and check what the store holds afterwards (docs/TESTING.md lists the points).
///
/// The variable is read once, at the first point reached; without it (as in production) every
/// point does nothing. A point inside a write transaction (`import.rows-written`,
/// `train.register.*`) kills the process with the transaction open, uncommitted.
public enum CrashPoint {
    /// The environment variable naming the point to crash at.
    public static let variable = "IMPROVEMENTD_CRASH_AT"

    static let armed: String? = ProcessInfo.processInfo.environment[variable]

    /// Kills the process (SIGKILL, no clean-up, like `kill -9`) when `name` is the armed point.
    public static func reach(_ name: String) {
        guard let armed, armed == name else { return }
        kill(getpid(), SIGKILL)
    }
}
