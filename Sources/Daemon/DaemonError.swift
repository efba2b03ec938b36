import Foundation

/// The one error type of the Daemon module (a struct with a private code and static
/// factories, so cases can be added without breaking callers), with what was being done.
public struct DaemonError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case invalidConfiguration
        case lockHeld
        case lockFailed
    }

    private let code: Code
    /// Human-readable message, complete on its own.
    public let message: String
    /// For ``lockHeld``: the pid written in the lock file by the holder, if readable.
    public let holderPID: Int32?

    private init(_ code: Code, _ message: String, holderPID: Int32? = nil) {
        self.code = code
        self.message = message
        self.holderPID = holderPID
    }

    public var description: String { message }

    /// A configuration value is out of range or unknown.
    public static func invalidConfiguration(_ message: String) -> DaemonError {
        DaemonError(.invalidConfiguration, message)
    }

    /// Another process holds the instance lock of `storePath`.
    public static func lockHeld(storePath: String, pid: Int32?) -> DaemonError {
        let who = pid.map { "another improvementd (pid \($0))" } ?? "another improvementd"
        return DaemonError(.lockHeld, "\(who) holds \(storePath)", holderPID: pid)
    }

    /// The lock file could not be opened or locked for a reason other than contention.
    public static func lockFailed(path: String, operation: String, errno: Int32) -> DaemonError {
        DaemonError(.lockFailed, "\(operation) \(path): \(String(cString: strerror(errno))) (errno \(errno))")
    }

    /// True for ``lockHeld(storePath:pid:)``.
    public var isLockHeld: Bool { code == .lockHeld }

}
