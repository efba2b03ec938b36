import Foundation
import GRDB
import Testing
@testable import Store
import TradingDomain

/// The take decision stored with each prediction and the `signal_scores` view (docs/SCHEMA.md).
@Suite struct SignalScoresTests {
    @Test func theViewGivesTheLatestScorePerSignalWithItsDecision() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("scores-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let s = try SignalStore(path: dir.appendingPathComponent("s.sqlite").path)
        let day = Day(iso: "2024-01-02")!
        _ = try s.upsertSignals(["a", "b", "c"].map { .init(id: $0, symbol: "X", strategy: "m", entryDate: day, entryPrice: 10) }, source: "test")
        func version(_ threshold: Double?, _ policy: String?) throws -> Int {
            try s.registerModel(NewModelVersion(
                algorithm: "lr", hyperparameters: "{}", featureSchemaHash: "h", dataStart: nil, dataEnd: nil, nTrain: 1, nHoldout: 1,
                seed: 1, libraryVersions: "{}", cvMetrics: "{}", holdoutMetrics: "{}", artifact: [1], takeThreshold: threshold, takePolicy: policy
            ))
        }
        let v1 = try version(nil, nil), v2 = try version(0.42, "{\"policy\":{}}")
        #expect(try s.modelVersion(v1).takePolicy == nil && s.modelVersion(v2).takeThreshold == 0.42 && s.modelVersion(v2).takePolicy == "{\"policy\":{}}")
        // v1 without a decision (as before the take policy), then v2 with one, later.
        _ = try s.insertPredictions([("a", 0.5), ("b", 0.3)], version: v1, scoredAt: Date(timeIntervalSince1970: 1000))
        _ = try s.insertPredictions([("b", 0.45), ("a", 0.4)], version: v2, scoredAt: Date(timeIntervalSince1970: 2000), blended: [0.5, 0.35],
                                    decisions: [PredictionDecision(take: true, threshold: 0.42, size: 0.1), PredictionDecision(take: false, threshold: 0.42, size: 0)])
        let scores = try s.signalScores()
        #expect(scores.map(\.signalId) == ["a", "b"] && scores.allSatisfy { $0.modelVersion == v2 })
        #expect(scores[0].probability == 0.4 && scores[0].take == false && scores[0].size == 0 && scores[0].blendedProbability == 0.35)
        #expect(scores[1].probability == 0.45 && scores[1].take == true && scores[1].threshold == 0.42 && scores[1].size == 0.1)
        // A row without a decision reads as NULL; the CHECK refuses a size outside [0, 1].
        let old = try s.read("") { try Row.fetchOne($0, sql: "SELECT take, threshold, size FROM predictions WHERE model_version = ? AND signal_id = 'a'", arguments: [v1]) }
        #expect(old?[0] as Int? == nil && old?[1] as Double? == nil && old?[2] as Double? == nil)
        #expect(throws: StoreError.self) {
            _ = try s.insertPredictions([("c", 0.9)], version: v1, scoredAt: Date(), decisions: [PredictionDecision(take: true, threshold: 0, size: 2)])
        }
    }
}
