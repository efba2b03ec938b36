import Foundation
import ModelMetrics
import Testing
@testable import Store

/// `status` reads production's stored holdout metrics through the `Metrics` type.
@Suite struct StatusTests {
    @Test func productionHoldoutAUCDecodesFromStoredMetrics() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("status-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try SignalStore(path: dir.appendingPathComponent("s.sqlite").path)
        let holdout = try Metrics(labels: [1, 0, 1, 0, 1], probabilities: [0.9, 0.4, 0.3, 0.2, 0.7])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func register(_ metrics: String) throws -> Int {
            try store.registerModel(NewModelVersion(
                algorithm: "gb", hyperparameters: "{}", featureSchemaHash: "h", dataStart: nil, dataEnd: nil,
                nTrain: 10, nHoldout: 5, seed: 42, libraryVersions: "{}", cvMetrics: "[]", holdoutMetrics: metrics, artifact: [1]
            ))
        }
        let v = try register(String(decoding: try encoder.encode(holdout), as: UTF8.self))
        try store.promote(v, reason: "first model")
        let production = try #require(try store.status().production)
        #expect(production.version == v)
        #expect(production.holdoutAUC == holdout.auc)
        #expect(holdout.auc == 5.0 / 6)
        // Metrics that are not a `Metrics` value show no AUC rather than a wrong one.
        let broken = try register(#"{"area":0.7}"#)
        try store.promote(broken, reason: "test")
        #expect(try store.status().production?.holdoutAUC == nil)
    }
}
