import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Guarantees one improvementd per store: an exclusive, non-blocking `flock` on
/// `<store>.lock`, holding the owner's pid for the error message.
///
/// Why flock on a side file: SQLite's own locks are per transaction and a second daemon would
/// happily run the same jobs; the lock file is never deleted (deleting it would let a third
/// process lock a new inode while the second still holds the old one). The kernel drops the
/// lock when the process dies, so a crash never leaves a stale lock; the pid in the file is
/// only informative. flock belongs to the open file description: two `InstanceLock`s in one
/// process conflict, as two processes do. Release with ``release()`` or by deinit.
public final class InstanceLock: @unchecked Sendable {
    /// The store this lock protects.
    public let storePath: String
    /// `<storePath>.lock`
    public let lockPath: String
    private let lock = NSLock()
    private var fd: Int32

    /// Takes the lock or throws at once: ``DaemonError/lockHeld(storePath:pid:)`` ("another
    /// improvementd (pid N) holds /var/lib/improvementd/improvementd.sqlite") when it is held,
    /// ``DaemonError/lockFailed(path:operation:errno:)`` on any other failure.
    public init(storePath: String) throws(DaemonError) {
        self.storePath = storePath
        self.lockPath = storePath + ".lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .lockFailed(path: lockPath, operation: "open", errno: errno) }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let e = errno
            if e == EINTR { continue }
            let holder = e == EWOULDBLOCK ? Self.readPID(fd) : nil
            close(fd)
            if e == EWOULDBLOCK { throw .lockHeld(storePath: storePath, pid: holder) }
            throw .lockFailed(path: lockPath, operation: "flock", errno: e)
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
        self.fd = fd
    }

    deinit { release() }

    /// Whether this object still holds the lock.
    public var isHeld: Bool { lock.withLock { fd >= 0 } }

    /// Releases the lock (idempotent). The file stays, emptied of the pid.
    public func release() {
        lock.withLock {
            guard fd >= 0 else { return }
            _ = ftruncate(fd, 0)
            close(fd)  // closing the last descriptor of the description drops the flock
            fd = -1
        }
    }

    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 31, 0) }
        guard n > 0 else { return nil }
        let text = String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Int32(text)
    }
}
