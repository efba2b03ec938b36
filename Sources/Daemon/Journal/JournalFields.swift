import Logging

/// The kinds of event the daemon logs, each with a stable journald `MESSAGE_ID`.
///
/// A record names its kind with the metadata key `event` (`event=decision`), or sets
/// `message_id` to a kind name or to a 32-hex-digit id of its own. The ids were generated once
/// (like `journalctl --new-id128`) and must never change: `journalctl MESSAGE_ID=...` queries
/// and alerting rules depend on them.
public enum JournalEvent: String, CaseIterable, Sendable, Hashable {
    case decision
    case retrain
    case promotion
    case jobStart = "job_start"
    case jobEnd = "job_end"
    case error

    /// 128-bit id, 32 lower-case hex digits.
    public var messageID: String {
        switch self {
        case .decision: "dca8abe327b94ea387a370e98260a4bd"
        case .retrain: "f2a91d176edc44108e03dc4d9d7d76d7"
        case .promotion: "bd61fe69d6cf4ec4b32c33e7d83c6afe"
        case .jobStart: "bf9500132a7c46f18bae81d4fae6d2d0"
        case .jobEnd: "8c9b61cbb5724d29acbaca13ff7cac5b"
        case .error: "5d301dd20634447db435881128dfa1c1"
        }
    }
}

/// Builds the journald fields of one log record. Pure, so it is tested without a journal.
///
/// Fields, in order: `MESSAGE`, `PRIORITY` (syslog level), `SYSLOG_IDENTIFIER`, `MESSAGE_ID`
/// (when the record names an event kind or an id), `CODE_FILE`, `CODE_LINE`, `CODE_FUNC`,
/// `LOGGER` (the swift-log label), then every metadata key as an upper-cased field sorted by
/// key (`decision` → `DECISION=retrain`, `model_version` → `MODEL_VERSION=7`). An array value
/// becomes the field repeated once per element (`trigger: ["accuracy", "schedule"]` →
/// `TRIGGER=accuracy`, `TRIGGER=schedule`), which journald supports.
///
/// Journald field names may hold only `A-Z`, `0-9` and `_`, must not start with `_` or a digit
/// and are at most 64 bytes: other characters become `_`, a bad first character gets the
/// prefix `F`, long names are cut. Metadata keys that would collide with a field set above
/// (say `message` or `priority`) are prefixed with `META_`. The key `message_id` is consumed:
/// it sets `MESSAGE_ID`.
public enum JournalFields {
    public static let identifier = "improvementd"

    /// swift-log level → syslog priority (0 emerg ... 7 debug).
    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    static let reserved: Set<String> = [
        "MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "MESSAGE_ID", "CODE_FILE", "CODE_LINE", "CODE_FUNC", "LOGGER",
    ]

    /// A journald field name for metadata key `key`.
    public static func fieldName(_ key: String) -> String {
        var name = String(key.uppercased().unicodeScalars.map { s -> Character in
            (("A"..."Z").contains(s) || ("0"..."9").contains(s) || s == "_") ? Character(s) : "_"
        })
        if name.isEmpty || name.first == "_" || name.first!.isNumber { name = "F" + name }
        if reserved.contains(name) { name = "META_" + name }
        return String(name.prefix(64))
    }

    /// The `MESSAGE_ID` for a record: `message_id` metadata (an event-kind name or 32 hex
    /// digits), else the `event` metadata's kind, else nil.
    public static func messageID(_ metadata: Logger.Metadata) -> String? {
        if let raw = metadata["message_id"].map({ "\($0)" }) {
            if let kind = JournalEvent(rawValue: raw) { return kind.messageID }
            let hex = raw.lowercased().filter { $0 != "-" }
            if hex.count == 32, hex.allSatisfy(\.isHexDigit) { return hex }
        }
        if let raw = metadata["event"].map({ "\($0)" }), let kind = JournalEvent(rawValue: raw) {
            return kind.messageID
        }
        return nil
    }

    /// All fields as (name, value) pairs, ready to become `NAME=value` iovecs.
    public static func build(
        level: Logger.Level, message: String, metadata: Logger.Metadata, label: String,
        file: String, function: String, line: UInt
    ) -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = [
            ("MESSAGE", message),
            ("PRIORITY", String(priority(level))),
            ("SYSLOG_IDENTIFIER", identifier),
        ]
        if let id = messageID(metadata) { fields.append(("MESSAGE_ID", id)) }
        fields.append(("CODE_FILE", file))
        fields.append(("CODE_LINE", String(line)))
        fields.append(("CODE_FUNC", function))
        fields.append(("LOGGER", label))
        for key in metadata.keys.sorted() where key != "message_id" {
            let name = fieldName(key)
            if case .array(let items) = metadata[key]! {
                // journald allows a field several times per entry: TRIGGER=accuracy and
                // TRIGGER=schedule both match their `journalctl TRIGGER=...` query.
                for item in items { fields.append((name, "\(item)")) }
            } else {
                fields.append((name, "\(metadata[key]!)"))
            }
        }
        return fields
    }
}
