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

    func newVersion(_ bytes: [UInt8]) -> NewModelVersion {
        NewModelVersion(
            algorithm: "gb", hyperparameters: "{}", featureSchemaHash: "h", dataStart: "2020-01-01", dataEnd: "2024-01-01",
            nTrain: 10, nHoldout: 3, seed: 42, libraryVersions: "{}", cvMetrics: "{}", holdoutMetrics: "{\"auc\":0.55}", artifact: bytes
        )
    }

    func version(_ store: SignalStore, _ bytes: [UInt8]) throws -> Int {
        try store.registerModel(newVersion(bytes))
    }

    func productionCount(_ s: SignalStore) throws -> Int? {
        try s.read("") { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM model_versions WHERE status = 'production'") }
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
        try s.promote(v1, reason: "first model")
        try s.promote(v2, reason: "beats v1")
        let v3 = try s.registerTrainedModel(newVersion([3]), decision: .reject(reason: "worse than v2"), settings: [:])
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
        #expect(try productionCount(s) == 1)
    }

    @Test func aTrainedVersionIsRegisteredWithItsDecisionAndSettings() throws {
        let s = try store()
        let v1 = try s.registerTrainedModel(newVersion([1]), decision: .promote(reason: "first model"), settings: ["last_training_at": "t1", "k": "1"])
        #expect(try s.productionModel()?.version == v1)
        #expect(try s.modelVersion(v1).decisionReason == "first model")
        #expect(try s.setting("last_training_at") == "t1" && s.setting("k") == "1")

        let v2 = try s.registerTrainedModel(newVersion([2]), decision: .promote(reason: "beats v1"), settings: ["last_training_at": "t2"])
        #expect(try s.productionModel()?.version == v2)
        #expect(try s.modelVersion(v1).status == "retired")
        let history = try s.promotionHistory()
        #expect(history.map(\.version) == [v1, v2] && history[0].demotedAt != nil && history[1].demotedAt == nil)
        #expect(try s.setting("last_training_at") == "t2")

        let v3 = try s.registerTrainedModel(newVersion([3]), decision: .reject(reason: "worse than v2"), settings: ["last_training_at": "t3"])
        let rejected = try s.modelVersion(v3)
        #expect(rejected.status == "rejected" && rejected.decisionReason == "worse than v2")
        #expect(try s.productionModel()?.version == v2)
        #expect(try s.promotionHistory().count == 2)
        #expect(try s.setting("last_training_at") == "t3")
        #expect(try productionCount(s) == 1)
    }

    /// A failure at the last step (the settings) leaves no trace of the version or its promotion.
    @Test func aFailedRegistrationWritesNothing() throws {
        let s = try store()
        let v1 = try s.registerTrainedModel(newVersion([1]), decision: .promote(reason: "first model"), settings: ["last_training_at": "t1"])
        try s.pool.write { try $0.execute(sql: "CREATE TRIGGER refuse BEFORE UPDATE ON settings BEGIN SELECT RAISE(ABORT, 'settings refused'); END") }
        let error = try #require(throws: StoreError.self) {
            try s.registerTrainedModel(newVersion([2]), decision: .promote(reason: "beats v1"), settings: ["last_training_at": "t2"])
        }
        #expect(error.message.contains("settings refused"))
        #expect(try s.modelVersions().map(\.version) == [v1])
        #expect(try s.productionModel()?.version == v1)
        let history = try s.promotionHistory()
        #expect(history.count == 1 && history[0].demotedAt == nil)
        #expect(try s.setting("last_training_at") == "t1")
    }

    @Test func aSecondProductionRowIsRefusedByTheIndex() throws {
        let s = try store()
        let v1 = try version(s, [1]), v2 = try version(s, [2])
        try s.promote(v1, reason: "first model")
        let error = try #require(throws: DatabaseError.self) {
            try s.pool.write { try $0.execute(sql: "UPDATE model_versions SET status = 'production' WHERE version = ?", arguments: [v2]) }
        }
        #expect(error.resultCode == .SQLITE_CONSTRAINT)
        #expect(error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE)
        #expect(try s.productionModel()?.version == v1)
        #expect(try s.modelVersion(v2).status == "candidate")
    }

    @Test func promoteChecksTheVersionInsideItsWrite() throws {
        let s = try store()
        let v1 = try version(s, [1])
        try s.promote(v1, reason: "first model")
        let error = try #require(throws: StoreError.self) { try s.promote(v1 + 7, reason: "by hand") }
        #expect(error.code == .notFound && error.message.contains("no model version \(v1 + 7)"))
        #expect(try s.productionModel()?.version == v1)
        #expect(try s.promotionHistory().count == 1 && s.promotionHistory()[0].demotedAt == nil)
    }

    /// Without the index (dropped here by hand), a second production row makes the read fail
    /// naming both versions rather than pick one.
    @Test func productionModelFailsLoudlyOnTwoProductionRows() throws {
        let s = try store()
        let v1 = try version(s, [1]), v2 = try version(s, [2])
        try s.pool.write { db in
            try db.execute(sql: "DROP INDEX model_versions_one_production")
            try db.execute(sql: "UPDATE model_versions SET status = 'production'")
        }
        let error = try #require(throws: StoreError.self) { try s.productionModel() }
        #expect(error.code == .integrity && error.message.contains("v\(v1), v\(v2)"))
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
