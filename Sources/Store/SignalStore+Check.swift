import Foundation
import GRDB

/// One check of `improvementd check`: its name, whether it passed, and what it found.
public struct StoreCheck: Codable, Sendable, Equatable {
    public var name: String
    public var ok: Bool
    /// What was found: the problems when it failed, a short count when it passed.
    public var details: [String]
}

/// What `improvementd check` found (README.md, "Operations").
public struct StoreCheckReport: Encodable, Sendable, Equatable {
    public var path: String
    public var checks: [StoreCheck]
    public var ok: Bool { checks.allSatisfy(\.ok) }

    enum CodingKeys: String, CodingKey { case path, checks, ok }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encode(checks, forKey: .checks)
        try c.encode(ok, forKey: .ok)
    }
}

extension SignalStore {
    /// Checks the store from one read snapshot: SQLite's `integrity_check`, `foreign_key_check`,
    /// every model artifact's SHA-256 against its recorded checksum, and at most one production
    /// version. Reports every problem found; writes nothing.
    public func check() throws(StoreError) -> StoreCheckReport {
        try read("checking the store") { db in
            var checks: [StoreCheck] = []
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            checks.append(StoreCheck(name: "integrity", ok: integrity == ["ok"], details: integrity))

            let violations = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").map { row -> String in
                let table: String = row[0]
                let rowid: Int64? = row[1]
                let parent: String = row[2]
                return "\(table) row \(rowid.map(String.init) ?? "?") refers to a missing \(parent) row"
            }
            checks.append(StoreCheck(name: "foreign keys", ok: violations.isEmpty, details: violations.isEmpty ? ["no violations"] : violations))

            var bad: [String] = []
            var n = 0
            let cursor = try Row.fetchCursor(db, sql: "SELECT version, artifact, artifact_sha256 FROM model_versions ORDER BY version")
            while let row = try cursor.next() {
                n += 1
                let version: Int = row[0]
                let expected: String = row[2]
                let actual = Self.sha256([UInt8](row.dataNoCopy(atIndex: 1) ?? Data()))
                if actual != expected {
                    bad.append("model version \(version): artifact hashes to \(actual.prefix(12))…, recorded sha256 \(expected.prefix(12))…")
                }
            }
            checks.append(StoreCheck(name: "artifact checksums", ok: bad.isEmpty, details: bad.isEmpty ? ["\(n) artifacts match"] : bad))

            let production = try Int.fetchAll(db, sql: "SELECT version FROM model_versions WHERE status = 'production' ORDER BY version")
            checks.append(StoreCheck(
                name: "one production version", ok: production.count <= 1,
                details: [production.isEmpty ? "no production version" : "production: \(production.map { "v\($0)" }.joined(separator: ", "))"]
            ))
            return StoreCheckReport(path: path, checks: checks)
        }
    }
}
