import Foundation
import Logging
import Store

/// What the daily backup did.
public struct BackupReport: Codable, Sendable, Equatable {
    /// The copy written this run; nil when today's already existed.
    public var written: String?
    /// Older copies deleted beyond `backup.keep`.
    public var deleted: [String] = []
}

/// The daily job's rotating copies of the store: `improvementd-YYYYMMDD.sqlite` in `backup.dir`,
/// once per day, keeping the newest `backup.keep` (README.md, "Operations").
public struct Backups: Sendable {
    public let config: Configuration
    public let store: SignalStore
    public let logger: Logger

    public init(config: Configuration, store: SignalStore, logger: Logger) {
        self.config = config
        self.store = store
        self.logger = logger
    }

    static let prefix = "improvementd-"
    static let suffix = ".sqlite"

    /// The file name of the copy of the day of `now` in the exchange's time zone.
    func fileName(_ now: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: config.exchangeTimezone) ?? .gmt
        let c = calendar.dateComponents([.year, .month, .day], from: now)
        return Self.prefix + String(format: "%04d%02d%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0) + Self.suffix
    }

    /// Writes today's copy unless it exists, then deletes the oldest copies beyond `keep`.
    /// Nil, doing nothing, when `backup.dir` is empty. A failure is logged and thrown: the
    /// job's other steps have already committed.
    public func daily(now: Date) throws -> BackupReport? {
        var report = BackupReport()
        let dir = config.backup.dir
        guard !dir.isEmpty else { return nil }
        let path = (dir as NSString).appendingPathComponent(fileName(now))
        do {
            if !FileManager.default.fileExists(atPath: path) {
                try store.backup(to: path)
                report.written = path
                logger.info("backup written", metadata: ["event": "backup", "path": "\(path)"])
            }
            report.deleted = try rotate(dir: dir)
        } catch {
            logger.error("daily backup failed", metadata: ["event": "error", "path": "\(path)", "error": "\(error)"])
            throw error
        }
        return report
    }

    /// Deletes the oldest daily copies in `dir` beyond `keep` (names sort by date); other files
    /// are left alone. Returns the deleted paths.
    func rotate(dir: String) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter {
            $0.hasPrefix(Self.prefix) && $0.hasSuffix(Self.suffix) && $0.count == Self.prefix.count + 8 + Self.suffix.count
        }.sorted()
        let old = names.dropLast(config.backup.keep).map { (dir as NSString).appendingPathComponent($0) }
        for path in old { try FileManager.default.removeItem(atPath: path) }
        return old
    }
}
