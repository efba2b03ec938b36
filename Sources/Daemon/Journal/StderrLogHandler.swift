import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A swift-log handler writing one line per record to stderr, for runs outside systemd:
/// `2026-11-25T18:30:00Z info decision=retrain trigger=accuracy model_version=7 message`.
///
/// The time is UTC with seconds; metadata is sorted by key; a value holding spaces, quotes,
/// `=` or control characters is written as a quoted, escaped string (`reason="nothing new"`);
/// an array value is joined with commas (`trigger=accuracy,schedule`);
/// newlines in the message become `\n` so a record stays one line. Formatting is pure
/// (``format(date:level:metadata:message:)``); each line goes out in one `write(2)`.
public struct StderrLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    public let label: String
    private let now: @Sendable () -> Date
    private let output: @Sendable (String) -> Void

    public init(
        label: String, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider,
        now: @escaping @Sendable () -> Date = { Date() },
        output: @escaping @Sendable (String) -> Void = StderrLogHandler.write
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.now = now
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = Self.merge(metadata, metadataProvider, event)
        output(Self.format(date: now(), level: event.level, metadata: merged, message: event.message.description))
    }

    /// Handler metadata, then the provider's, then the record's (later wins); a record's
    /// `error` becomes the `error` key unless the record set one.
    static func merge(
        _ handler: Logger.Metadata, _ provider: Logger.MetadataProvider?, _ event: LogEvent
    ) -> Logger.Metadata {
        var merged = handler
        if let provided = provider?.get() { merged.merge(provided) { $1 } }
        if let explicit = event.metadata { merged.merge(explicit) { $1 } }
        if let error = event.error, merged["error"] == nil { merged["error"] = "\(error)" }
        return merged
    }

    /// The line for one record, with its trailing newline.
    public static func format(date: Date, level: Logger.Level, metadata: Logger.Metadata, message: String) -> String {
        var line = timestamp(date) + " " + level.rawValue
        for key in metadata.keys.sorted() {
            let value: String
            if case .array(let items) = metadata[key]! {
                value = items.map { "\($0)" }.joined(separator: ",")
            } else {
                value = "\(metadata[key]!)"
            }
            line += " " + key + "=" + quote(value)
        }
        line += " " + message.replacingOccurrences(of: "\n", with: "\\n") + "\n"
        return line
    }

    /// `2026-11-25T18:30:00Z` (UTC, whole seconds, rounded down).
    public static func timestamp(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let rest = seconds - days * 86_400
        let d = CivilDate(daysSinceEpoch: days)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02dZ", d.year, d.month, d.day, rest / 3600, rest / 60 % 60, rest % 60
        )
    }

    static func quote(_ value: String) -> String {
        let needs = value.isEmpty || value.unicodeScalars.contains {
            $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\\" || $0.value < 0x20 || $0.value == 0x7f
        }
        guard needs else { return value }
        var out = "\""
        for s in value.unicodeScalars {
            switch s {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if s.value < 0x20 || s.value == 0x7f {
                    out += String(format: "\\u{%x}", s.value)
                } else {
                    out.unicodeScalars.append(s)
                }
            }
        }
        return out + "\""
    }

    /// Writes `line` to file descriptor 2 in as few `write(2)` calls as the kernel allows.
    @Sendable
    public static func write(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = systemWrite(2, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += n
            }
        }
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif
