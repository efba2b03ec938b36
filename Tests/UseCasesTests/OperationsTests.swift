import Foundation
import GRDB
import Store
import Testing
@testable import UseCases

/// Backups, their rotation and the store check, as the daemon and the commands run them
/// (README.md, "Operations").
@Suite struct OperationsTests {
    func storeWithAModel(_ dir: URL) throws -> App {
        let app = try TestSupport.app(dir)
        let v = try app.store.registerModel(NewModelVersion(
            algorithm: "gb", hyperparameters: "{}", featureSchemaHash: "h", dataStart: nil, dataEnd: nil, nTrain: 10, nHoldout: 3,
            seed: 42, libraryVersions: "{}", cvMetrics: "{}", holdoutMetrics: "{}", artifact: [1, 2, 3]
        ))
        try app.store.promote(v, reason: "test")
        return app
    }

    @Test func dailyBackupsRotateKeepingTheNewest() throws {
        let dir = TestSupport.scratch()
        let backups = dir.appendingPathComponent("backups")
        let app = try TestSupport.app(dir, environment: ["IMPROVEMENTD_BACKUP_DIR": backups.path, "IMPROVEMENTD_BACKUP_KEEP": "2"])
        #expect(app.config.backup.dir == backups.path && app.config.backup.keep == 2)
        try FileManager.default.createDirectory(at: backups, withIntermediateDirectories: true)
        try Data("not mine".utf8).write(to: backups.appendingPathComponent("notes.txt"))
        let day: TimeInterval = 86400
        let start = ISO8601DateFormatter().date(from: "2026-03-02T12:00:00Z")!
        var written: [String] = []
        for i in 0..<4 {
            let report = try #require(try app.backups.daily(now: start.addingTimeInterval(Double(i) * day)))
            written.append(try #require(report.written))
            // The same day again writes nothing.
            #expect(try app.backups.daily(now: start.addingTimeInterval(Double(i) * day + 60))?.written == nil)
        }
        #expect(written.map { ($0 as NSString).lastPathComponent } == (2...5).map { "improvementd-2026030\($0).sqlite" })
        let left = try FileManager.default.contentsOfDirectory(atPath: backups.path).sorted()
        #expect(left == ["improvementd-20260304.sqlite", "improvementd-20260305.sqlite", "notes.txt"])
        #expect(try SignalStore(path: backups.appendingPathComponent("improvementd-20260305.sqlite").path).check().ok)
        // Off by default.
        #expect(try TestSupport.app().backups.daily(now: start) == nil)
    }

    @Test func theDailyJobMakesTheDaysBackup() throws {
        let dir = TestSupport.scratch()
        let backups = dir.appendingPathComponent("backups")
        let app = try TestSupport.app(dir, environment: ["IMPROVEMENTD_BACKUP_DIR": backups.path])
        let (report, _) = try app.cycle.daily(now: Date())
        let path = try #require(report.backup?.written)
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test func backupAndCheckCommands() throws {
        let dir = TestSupport.scratch()
        let db = dir.appendingPathComponent("store.sqlite").path
        let app = try storeWithAModel(dir)
        let target = dir.appendingPathComponent("copy.sqlite").path
        let (code, out, err) = try TestSupport.run(["backup", target, "--db", db])
        #expect(code == 0 && out.contains(target), "\(out)\(err)")
        let (again, _, refused) = try TestSupport.run(["backup", target, "--db", db])
        #expect(again == 1 && refused.contains("already exists"), "\(refused)")
        #expect(try TestSupport.run(["backup", target, "--force", "--db", db]).0 == 0)

        let (ok, report, _) = try TestSupport.run(["check", "--db", target])
        #expect(ok == 0 && report.contains("integrity: ok") && report.contains("artifact checksums: ok"), "\(report)")
        try app.store.pool.write { try $0.execute(sql: "UPDATE model_versions SET artifact = X'09' WHERE version = 1") }
        let (failed, text, _) = try TestSupport.run(["check", "--db", db])
        #expect(failed == 1 && text.contains("artifact checksums: FAILED") && text.contains("model version 1:"), "\(text)")
        let (jsonCode, json, _) = try TestSupport.run(["check", "--json", "--db", db])
        let decoded = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect(jsonCode == 1 && decoded?["ok"] as? Bool == false)
        let (statusCode, status, _) = try TestSupport.run(["status", "--db", db])
        #expect(statusCode == 0 && status.contains("production artifact: BROKEN: production model v1 could not be loaded"), "\(status)")
    }
}
