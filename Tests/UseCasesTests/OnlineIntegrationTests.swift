import Foundation
import GRDB
import Testing
@testable import UseCases
import Learning
import Store
import TradingDomain

/// The online model in the daily job (README.md, "Online model"), on the real bundled data.
@Suite struct OnlineIntegrationTests {
    @Test func dailyUpdatesInLabelOrderChoosesABlendAndStoresBlendedScores() throws {
        let app = try TestSupport.realApp(environment: TestSupport.quickTraining)
        let labeled = try app.store.outcomes().values.filter { $0.status == .labeled }.count

        // Before any batch model: every labeled signal updates the model, no blend observation.
        let first = try app.online.update(try app.prepareJob())
        #expect(first.updates == labeled && first.totalUpdates == labeled)
        #expect(first.blendWeight == 1 && first.blendReason.contains("30"))
        #expect(try app.online.update(try app.prepareJob()).updates == 0) // nothing new, nothing learned twice

        // The persisted model is exactly the one a plain replay in label order builds.
        let schema = try app.features.compute()
        let features = try app.store.features(schemaHash: schema.schemaHash)
        var replay = OnlineLogisticModel(features: schema.columns)
        for item in try app.store.labeledOutcomes(afterChange: 0) { try replay.update(features[item.signalId]!.values, label: item.label) }
        let saved = try OnlineLogisticModel(json: Data(try #require(try app.store.setting("online_model")).utf8))
        #expect(saved == replay)

        // With a production model and a restart of the online model, the blend is chosen on the
        // signals the production model never trained on (its holdout and later), and only those.
        let (decision, _, _) = try app.training.train(algorithms: [.lr], tune: false)
        try app.store.setSetting("online_schema", "reset")
        let second = try app.online.update(try app.prepareJob())
        let record = try app.store.modelVersion(decision.version)
        let unseen = try app.store.signals().filter { s in
            s.entryDate > Day(iso: record.dataEnd!)! && (try? app.store.outcomes()[s.id]?.status) == .labeled
        }.count
        let observations = try JSONDecoder().decode([BlendObservation].self, from: Data(try #require(try app.store.setting("online_blend_observations")).utf8))
        #expect(observations.count == min(unseen, OnlineLearning.blendWindow) && unseen >= 30)
        #expect((0...1).contains(second.blendWeight) && second.blendReason.contains("observations"))

        // New predictions carry the blended probability: w x batch + (1 - w) x online.
        _ = try app.scoring.score(try app.prepareJob())
        let rows = try app.store.read("") { db in
            try Row.fetchAll(db, sql: "SELECT signal_id, probability, blended_probability FROM predictions")
        }
        #expect(!rows.isEmpty)
        let online = try OnlineLogisticModel(json: Data(try #require(try app.store.setting("online_model")).utf8))
        for row in rows {
            let id: String = row[0], p: Double = row[1]
            let blended = try #require(row[2] as Double?)
            #expect(abs(blended - (second.blendWeight * p + (1 - second.blendWeight) * online.predict(features[id]!.values))) < 1e-12)
        }
    }
}
