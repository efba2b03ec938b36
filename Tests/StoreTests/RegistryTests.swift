import Foundation
import GRDB
import Testing
@testable import Store

@Suite struct RegistryTests {
    func store() throws -> SignalStore {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("registry-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return try SignalStore(path: dir.appendingPathComponent("s.sqlite").path)
    }

    func version(_ store: SignalStore, _ bytes: [UInt8]) throws -> Int {
        try store.registerModel(NewModelVersion(
            algorithm: "gb", hyperparameters: "{}", featureSchemaHash: "h", dataStart: "2020-01-01", dataEnd: "2024-01-01",
            nTrain: 10, nHoldout: 3, seed: 42, libraryVersions: "{}", cvMetrics: "{}", holdoutMetrics: "{\"auc\":0.55}", artifact: bytes
        ))
    }

    @Test func sha256MatchesAKnownVector() {
        #expect(SignalStore.sha256(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func tamperedArtifactIsRefusedNamingTheVersion() throws {
        let s = try store()
        let v = try version(s, [1, 2, 3, 4])
        #expect(try s.artifact(v) == [1, 2, 3, 4])
        try s.pool.write { try $0.execute(sql: "UPDATE model_versions SET artifact = X'01020305' WHERE version = ?", arguments: [v]) }
        let error = try #require(throws: StoreError.self) { try s.artifact(v) }
        #expect(error.code == .integrity)
        #expect(error.message.contains("model version \(v) fails its checksum"))
    }

    @Test func promotionHistoryAndRollback() throws {
        let s = try store()
        let v1 = try version(s, [1])
        let v2 = try version(s, [2])
        let v3 = try version(s, [3])
        try s.promote(v1, reason: "first model")
        try s.promote(v2, reason: "beats v1")
        try s.reject(v3, reason: "worse than v2")
        #expect(try s.productionModel()?.version == v2)
        #expect(try s.modelVersion(v1).status == "retired")
        #expect(try s.modelVersion(v3).status == "rejected")
        let back = try s.rollback()
        #expect(back.from == v2 && back.to == v1)
        #expect(try s.productionModel()?.version == v1)
        let history = try s.promotionHistory()
        #expect(history.map(\.version) == [v1, v2, v1])
        #expect(history.dropLast().allSatisfy { $0.demotedAt != nil } && history.last?.demotedAt == nil)
        // Only one production row at any time.
        let n = try s.read("") { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM model_versions WHERE status = 'production'") }
        #expect(n == 1)
    }

    @Test func rollbackRefusesACorruptPreviousArtifact() throws {
        let s = try store()
        let v1 = try version(s, [1])
        let v2 = try version(s, [2])
        try s.promote(v1, reason: "a")
        try s.promote(v2, reason: "b")
        try s.pool.write { try $0.execute(sql: "UPDATE model_versions SET artifact = X'09' WHERE version = ?", arguments: [v1]) }
        #expect(throws: StoreError.self) { try s.rollback() }
        #expect(try s.productionModel()?.version == v2)
    }

    @Test func aJobNeverRunsTwiceForAPeriod() throws {
        let s = try store()
        #expect(try s.beginJob("daily", period: "2026-11-25"))
        try s.finishJob("daily", period: "2026-11-25", succeeded: false, detail: "boom")
        #expect(try s.beginJob("daily", period: "2026-11-25")) // a failed run may be retried
        try s.finishJob("daily", period: "2026-11-25", succeeded: true, detail: nil)
        #expect(try !s.beginJob("daily", period: "2026-11-25"))
        #expect(try s.lastJobRuns() == ["daily": "2026-11-25"])
    }

    @Test func predictionsKeepTheFirstScorePerVersionAndLatestWins() throws {
        let s = try store()
        _ = try s.upsertSignals([.init(id: "a", symbol: "X", strategy: "m", entryDate: .init(iso: "2024-01-02")!, entryPrice: 10)], source: "test")
        let v1 = try version(s, [1]), v2 = try version(s, [2])
        #expect(try s.insertPredictions([("a", 0.4)], version: v1, scoredAt: Date(timeIntervalSince1970: 1000)) == 1)
        #expect(try s.insertPredictions([("a", 0.9)], version: v1, scoredAt: Date(timeIntervalSince1970: 2000)) == 0)
        #expect(try s.insertPredictions([("a", 0.6)], version: v2, scoredAt: Date(timeIntervalSince1970: 3000)) == 1)
        let latest = try s.latestPredictions()
        #expect(latest.count == 1 && latest[0].version == v2 && latest[0].probability == 0.6)
    }
}
