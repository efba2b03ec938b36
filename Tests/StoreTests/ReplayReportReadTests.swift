import Foundation
import Testing
import TradingDomain
@testable import Store

/// The replay report's reads: each signal's earliest prediction, and the decisions as stored.
@Suite struct ReplayReportReadTests {
    func store() throws -> SignalStore {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("replay-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return try SignalStore(path: dir.appendingPathComponent("s.sqlite").path)
    }

    func version(_ store: SignalStore, _ bytes: [UInt8]) throws -> Int {
        try store.registerModel(NewModelVersion(
            algorithm: "lr", hyperparameters: "{}", featureSchemaHash: "h", dataStart: nil, dataEnd: nil, nTrain: 10,
            nHoldout: 3, seed: 42, libraryVersions: "{}", cvMetrics: "{}", holdoutMetrics: "{}", artifact: bytes
        ))
    }

    @Test func theEarliestPredictionOfEachSignalTiesByTheLowerVersion() throws {
        let s = try store()
        let entry = Day(iso: "2024-01-02")!
        _ = try s.upsertSignals(["a", "b", "c", "d"].map { Signal(id: $0, symbol: "X", strategy: "m", entryDate: entry, entryPrice: 10) }, source: "test")
        let v1 = try version(s, [1]), v2 = try version(s, [2])
        let t = Date(timeIntervalSince1970: 1_704_200_000)
        _ = try s.insertPredictions([("a", 0.1), ("b", 0.2), ("c", 0.3)], version: v1, scoredAt: t)
        _ = try s.insertPredictions([("a", 0.6)], version: v2, scoredAt: t.addingTimeInterval(-60)) // earlier: wins
        _ = try s.insertPredictions([("b", 0.7)], version: v2, scoredAt: t.addingTimeInterval(60)) // later: ignored
        _ = try s.insertPredictions([("c", 0.8)], version: v2, scoredAt: t) // a tie: the lower version
        _ = try s.upsertOutcomes([Outcome(signalId: "a", status: .labeled, label: 1, exitDate: Day(iso: "2024-01-09"), exitPrice: 11,
                                      exitReason: .target, returnPct: 10, daysHeld: 5, hitTarget: true, hitStop: false)])
        let rows = try s.earliestPredictions()
        #expect(rows.map(\.signalId) == ["a", "b", "c"]) // d was never scored
        #expect(rows.map(\.modelVersion) == [v2, v1, v1] && rows.map(\.probability) == [0.6, 0.2, 0.3])
        #expect(rows[0].outcome == 1 && rows[0].returnPct == 10 && rows[0].outcomeStatus == "labeled")
        #expect(rows[1].outcome == nil && rows[1].outcomeStatus == nil && rows[1].entryDate == entry)
    }

    @Test func decisionsAreReadAsStoredInOrder() throws {
        let s = try store()
        let first = try s.insertDecision(job: "weekly", triggers: "{}", action: "none", reason: "no trusted trigger fired", result: nil, modelVersion: nil,
                                         at: Date(timeIntervalSince1970: 1_704_200_000))
        let second = try s.insertDecision(job: "monthly", triggers: "{\"x\":1}", action: "retrain", reason: "monthly full retrain", result: "promoted v1", modelVersion: 1)
        let rows = try s.decisionRecords()
        #expect(rows.map(\.id) == [first, second] && rows.map(\.job) == ["weekly", "monthly"])
        #expect(rows[0].decidedAt == "2024-01-02T12:53:20Z" && rows[1].triggers == "{\"x\":1}" && rows[1].result == "promoted v1" && rows[1].modelVersion == 1)
        #expect(rows[0].reason == "no trusted trigger fired" && rows[0].modelVersion == nil)
    }
}
