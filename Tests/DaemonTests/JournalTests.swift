import Foundation
import Logging
import Testing

@testable import Daemon

/// Collects what handlers send, for assertions.
final class Recorder<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [T] = []
    func append(_ item: T) { lock.withLock { items.append(item) } }
    var all: [T] { lock.withLock { items } }
}

@Suite("Journal fields")
struct JournalFieldTests {
    func dict(_ fields: [(name: String, value: String)]) -> [String: String] {
        Dictionary(fields.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
    }

    @Test func decisionRecord() {
        let fields = JournalFields.build(
            level: .info, message: "retrain: accuracy 0.55 < 0.60",
            metadata: ["event": "decision", "decision": "retrain", "trigger": "accuracy", "model_version": "7"],
            label: "improvementd.scheduler", file: "Daemon/X.swift", function: "f()", line: 42
        )
        #expect(fields.prefix(3).map(\.name) == ["MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER"])
        let d = dict(fields)
        #expect(fields.count == d.count, "no duplicate field names")
        #expect(d["MESSAGE"] == "retrain: accuracy 0.55 < 0.60")
        #expect(d["PRIORITY"] == "6")
        #expect(d["SYSLOG_IDENTIFIER"] == "improvementd")
        #expect(d["MESSAGE_ID"] == JournalEvent.decision.messageID)
        #expect(d["DECISION"] == "retrain")
        #expect(d["TRIGGER"] == "accuracy")
        #expect(d["MODEL_VERSION"] == "7")
        #expect(d["EVENT"] == "decision")
        #expect(d["CODE_FILE"] == "Daemon/X.swift" && d["CODE_LINE"] == "42" && d["CODE_FUNC"] == "f()")
        #expect(d["LOGGER"] == "improvementd.scheduler")
    }

    @Test func messageIDs() {
        let ids = JournalEvent.allCases.map(\.messageID)
        #expect(Set(ids).count == ids.count)
        for id in ids { #expect(id.count == 32 && id.allSatisfy { $0.isHexDigit && !$0.isUppercase }) }
        #expect(JournalEvent.allCases.map(\.rawValue) == ["decision", "retrain", "promotion", "job_start", "job_end", "error"])
        // Stable: these exact values are what journalctl queries use.
        #expect(JournalEvent.retrain.messageID == "f2a91d176edc44108e03dc4d9d7d76d7")
        // message_id: a kind name, or an explicit id (dashes and case normalised); it is consumed.
        #expect(JournalFields.messageID(["message_id": "promotion"]) == JournalEvent.promotion.messageID)
        let explicit = "0123456789ABCDEF0123456789abcdef"
        #expect(JournalFields.messageID(["message_id": "\(explicit)"]) == explicit.lowercased())
        #expect(JournalFields.messageID(["message_id": "01234567-89ab-cdef-0123-456789abcdef"]) == "0123456789abcdef0123456789abcdef")
        #expect(JournalFields.messageID(["message_id": "nonsense"]) == nil)
        #expect(JournalFields.messageID(["event": "job_start"]) == JournalEvent.jobStart.messageID)
        #expect(JournalFields.messageID(["event": "other"]) == nil)
        let fields = JournalFields.build(
            level: .info, message: "m", metadata: ["message_id": "error"], label: "l", file: "f", function: "g", line: 1
        )
        #expect(!fields.contains { $0.name == "META_MESSAGE_ID" || $0.value == "error" })
        #expect(fields.filter { $0.name == "MESSAGE_ID" }.map(\.value) == [JournalEvent.error.messageID])
        // No kind: no MESSAGE_ID field at all.
        #expect(!JournalFields.build(level: .info, message: "m", metadata: [:], label: "l", file: "f", function: "g", line: 1)
            .contains { $0.name == "MESSAGE_ID" })
    }

    @Test("syslog priorities", arguments: [
        (Logger.Level.trace, 7), (.debug, 7), (.info, 6), (.notice, 5), (.warning, 4), (.error, 3), (.critical, 2),
    ])
    func priorities(level: Logger.Level, priority: Int) {
        #expect(JournalFields.priority(level) == priority)
    }

    @Test func fieldNamesAreValidJournalNames() {
        #expect(JournalFields.fieldName("model_version") == "MODEL_VERSION")
        #expect(JournalFields.fieldName("model.version-x") == "MODEL_VERSION_X")
        #expect(JournalFields.fieldName("_private") == "F_PRIVATE")  // '_' prefixes are journald's trusted fields
        #expect(JournalFields.fieldName("2fa") == "F2FA")
        #expect(JournalFields.fieldName("message") == "META_MESSAGE")
        #expect(JournalFields.fieldName("priority") == "META_PRIORITY")
        #expect(JournalFields.fieldName("") == "F")
        #expect(JournalFields.fieldName(String(repeating: "a", count: 100)).count == 64)
        #expect(JournalFields.fieldName("größe") == "GR_SSE")  // uppercased "GRÖSSE"
    }

    @Test func metadataValuesAndMultiline() {
        let fields = JournalFields.build(
            level: .error, message: "line1\nline2",
            metadata: ["list": ["a", "b"], "n": .stringConvertible(3.5)], label: "l", file: "f", function: "g", line: 1
        )
        let d = dict(fields)
        #expect(d["MESSAGE"] == "line1\nline2")  // sendv carries newlines
        #expect(fields.filter { $0.name == "LIST" }.map(\.value) == ["a", "b"])
        #expect(d["N"] == "3.5")
        #expect(d["PRIORITY"] == "3")
    }

    @Test func arrayValuesRepeatTheField() {
        let fields = JournalFields.build(
            level: .info, message: "m", metadata: ["trigger": ["accuracy", "schedule"], "decision": "retrain"],
            label: "l", file: "f", function: "g", line: 1
        )
        #expect(fields.filter { $0.name == "TRIGGER" }.map(\.value) == ["accuracy", "schedule"])
        let line = StderrLogHandler.format(
            date: instant("2026-11-25T18:30:00Z"), level: .info, metadata: ["trigger": ["accuracy", "schedule"]], message: "m"
        )
        #expect(line == "2026-11-25T18:30:00Z info trigger=accuracy,schedule m\n")
    }

    @Test func handlerMergesMetadataAndSends() {
        let sent = Recorder<[String: String]>()
        var handler = JournalLogHandler(label: "t", metadataProvider: nil) { fields in
            sent.append(Dictionary(fields.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }))
            return 0
        }
        handler[metadataKey: "model_version"] = "6"
        handler[metadataKey: "job"] = "weekly"
        var logger = Logger(label: "t") { _ in handler }
        logger.logLevel = .debug
        logger.info("decided", metadata: ["model_version": "7", "decision": "none", "event": "decision"])
        logger.trace("dropped by level")
        let records = sent.all
        #expect(records.count == 1)
        #expect(records.first?["MODEL_VERSION"] == "7")  // record metadata wins over handler metadata
        #expect(records.first?["JOB"] == "weekly")
        #expect(records.first?["DECISION"] == "none")
        #expect(records.first?["MESSAGE_ID"] == JournalEvent.decision.messageID)
    }
}

@Suite("Stderr log lines")
struct StderrFormatTests {
    @Test func lineFormat() {
        let line = StderrLogHandler.format(
            date: instant("2026-11-25T18:30:00Z"), level: .info,
            metadata: ["trigger": "accuracy", "decision": "retrain", "model_version": "7"],
            message: "retrain decided"
        )
        #expect(line == "2026-11-25T18:30:00Z info decision=retrain model_version=7 trigger=accuracy retrain decided\n")
    }

    @Test func quotingAndEscaping() {
        let line = StderrLogHandler.format(
            date: instant("2026-02-28T23:59:59Z").addingTimeInterval(0.999), level: .warning,
            metadata: ["reason": "nothing new", "path": "/a=b", "q": "say \"hi\"", "empty": "", "plain": "x"],
            message: "two\nlines"
        )
        #expect(line == #"2026-02-28T23:59:59Z warning empty="" path="/a=b" plain=x q="say \"hi\"" reason="nothing new" two\nlines"# + "\n")
        #expect(line.filter { $0 == "\n" }.count == 1)
    }

    @Test func timestamps() {
        #expect(StderrLogHandler.timestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(StderrLogHandler.timestamp(instant("2028-02-29T12:34:56Z")) == "2028-02-29T12:34:56Z")
        #expect(StderrLogHandler.timestamp(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
    }

    @Test func handlerWritesOneLinePerRecord() {
        let lines = Recorder<String>()
        let fixed = instant("2026-11-25T18:30:00Z")
        let handler = StderrLogHandler(label: "t", metadataProvider: nil, now: { fixed }) { lines.append($0) }
        let logger = Logger(label: "t") { _ in handler }
        logger.info("decided", metadata: ["decision": "retrain", "trigger": "accuracy"])
        logger.error("failed", error: POSIXError(.EIO))
        #expect(lines.all.first == "2026-11-25T18:30:00Z info decision=retrain trigger=accuracy decided\n")
        #expect(lines.all.count == 2)
        #expect(lines.all.last?.hasPrefix("2026-11-25T18:30:00Z error error=") == true)
    }

    @Test func factoryChoosesByJournalStream() throws {
        #expect(makeLogHandler(label: "x", environment: [:]) is StderrLogHandler)
        #expect(makeLogHandler(label: "x", environment: ["JOURNAL_STREAM": "garbage"]) is StderrLogHandler)
        #expect(makeLogHandler(label: "x", environment: ["JOURNAL_STREAM": "1:1"]) is StderrLogHandler)
        // JOURNAL_STREAM naming the file that stderr really is: journal.
        var st = stat()
        try #require(fstat(2, &st) == 0)
        let env = ["JOURNAL_STREAM": "\(st.st_dev):\(st.st_ino)"]
        #expect(JournalStream.isConnected(environment: env))
        #expect(makeLogHandler(label: "x", environment: env) is JournalLogHandler)
        #expect(JournalStream.parse("8:12345")?.device == 8 && JournalStream.parse("8:12345")?.inode == 12345)
        #expect(JournalStream.parse("8:") == nil)
    }

    @Test func journalFailureFallsBackToStderrPath() {
        // A send that fails must not throw or crash (the line goes to stderr).
        let handler = JournalLogHandler(label: "t", metadataProvider: nil) { _ in -2 }
        Logger(label: "t") { _ in handler }.info("fallback line from DaemonTests")
    }
}

@Suite("Journal round trip")
struct JournalRoundTripTests {
    static let available =
        FileManager.default.fileExists(atPath: "/run/systemd/journal/socket")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/journalctl")

    /// Runs only where journald listens (inside the systemd sandbox, or on a systemd host).
    @Test(.enabled(if: available, "no journald socket here; .ci/sandbox-journal-test.sh covers the unit"))
    func sendAndQuery() async throws {
        let run = UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let fields = JournalFields.build(
            level: .notice, message: "round trip \(run)",
            metadata: ["event": "decision", "decision": "retrain", "trigger": "accuracy", "model_version": "7", "test_run": "\(run)"],
            label: "test", file: #fileID, function: #function, line: #line
        )
        #expect(JournalLogHandler.sendToJournal(fields) == 0)
        var found = ""
        for _ in 0..<50 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/journalctl")
            p.arguments = ["--no-pager", "-o", "json", "TEST_RUN=\(run)", "DECISION=retrain"]
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            found = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            if !found.isEmpty { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(found.contains("\"MESSAGE_ID\":\"\(JournalEvent.decision.messageID)\""))
        #expect(found.contains("\"MODEL_VERSION\":\"7\""))
        #expect(found.contains("\"TRIGGER\":\"accuracy\""))
        #expect(found.contains("\"PRIORITY\":\"5\""))
        #expect(found.contains("\"SYSLOG_IDENTIFIER\":\"improvementd\""))
    }
}
