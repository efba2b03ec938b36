import CSystemd
import Foundation
import Logging

/// A swift-log handler that sends each record to journald as structured fields
/// (``JournalFields``) with `sd_journal_sendv`, so `journalctl -u improvementd DECISION=retrain`
/// finds the retrains (README.md, "The daemon": logging).
///
/// Field building is pure (``JournalFields/build(level:message:metadata:label:file:function:line:)``);
/// this type only merges metadata and sends. If the send fails (no journald socket), the record
/// is written to stderr as ``StderrLogHandler`` would, so it is never lost.
public struct JournalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    public let label: String
    private let send: @Sendable ([(name: String, value: String)]) -> Int32

    /// - Parameter send: sends the fields and returns sd_journal_sendv's result (0 or -errno);
    ///   injectable for tests, defaults to ``sendToJournal(_:)``.
    public init(
        label: String, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider,
        send: @escaping @Sendable ([(name: String, value: String)]) -> Int32 = JournalLogHandler.sendToJournal
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.send = send
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = StderrLogHandler.merge(metadata, metadataProvider, event)
        let fields = JournalFields.build(
            level: event.level, message: event.message.description, metadata: merged, label: label,
            file: event.file, function: event.function, line: event.line
        )
        if send(fields) < 0 {
            StderrLogHandler.write(
                StderrLogHandler.format(date: Date(), level: event.level, metadata: merged, message: event.message.description)
            )
        }
    }

    /// Sends `fields` with `sd_journal_sendv`, one `NAME=value` iovec each (values may hold
    /// newlines or any bytes). Returns 0 on success or a negative errno.
    @Sendable
    public static func sendToJournal(_ fields: [(name: String, value: String)]) -> Int32 {
        let buffers: [UnsafeMutableRawBufferPointer] = fields.map { field in
            let bytes = Array("\(field.name)=\(field.value)".utf8)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
            buffer.copyBytes(from: bytes)
            return UnsafeMutableRawBufferPointer(rebasing: buffer[0..<bytes.count])
        }
        defer { buffers.forEach { $0.deallocate() } }
        var iovecs = buffers.map { iovec(iov_base: $0.baseAddress, iov_len: $0.count) }
        return iovecs.withUnsafeMutableBufferPointer { sd_journal_sendv($0.baseAddress, Int32($0.count)) }
    }
}

/// Whether stderr is connected to the journal, as systemd tells a service through
/// `JOURNAL_STREAM=<device>:<inode>`.
///
/// The variable is inherited by children whose stderr may be redirected, so, as systemd.exec(5)
/// recommends, it counts only when the device and inode match stderr's own.
public enum JournalStream {
    /// Parses `"<dev>:<ino>"`.
    public static func parse(_ value: String) -> (device: UInt64, inode: UInt64)? {
        let parts = value.split(separator: ":")
        guard parts.count == 2, let d = UInt64(parts[0]), let i = UInt64(parts[1]) else { return nil }
        return (d, i)
    }

    /// True when `environment["JOURNAL_STREAM"]` names the file of `fd` (default stderr).
    public static func isConnected(environment: [String: String] = ProcessInfo.processInfo.environment, fd: Int32 = 2) -> Bool {
        guard let value = environment["JOURNAL_STREAM"], let (device, inode) = parse(value) else { return false }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return false }
        return UInt64(st.st_dev) == device && UInt64(st.st_ino) == inode
    }
}

/// The log handler for the executable's `LoggingSystem.bootstrap`: a ``JournalLogHandler``
/// under systemd (``JournalStream/isConnected(environment:fd:)``), else a ``StderrLogHandler``.
public func makeLogHandler(label: String) -> any LogHandler {
    makeLogHandler(label: label, environment: ProcessInfo.processInfo.environment)
}

/// ``makeLogHandler(label:)`` with an explicit environment (tests).
public func makeLogHandler(label: String, environment: [String: String]) -> any LogHandler {
    if JournalStream.isConnected(environment: environment) {
        return JournalLogHandler(label: label)
    }
    return StderrLogHandler(label: label)
}
