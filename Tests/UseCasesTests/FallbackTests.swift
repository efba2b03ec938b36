import Foundation
import GRDB
import Learning
import Store
import Testing
@testable import UseCases

/// A bad production artifact does not stop scoring: jobs fall back to the most recent earlier
/// production version that verifies and scores the current features (README.md, "Operations").
@Suite struct FallbackTests {
    /// The bundled data with two production versions of the current feature schema in the
    /// history: v1 (lr), then v2 (gb) made production.
    func twoVersions() throws -> (App, first: Int, second: Int) {
        let app = try TestSupport.realApp(environment: TestSupport.quickTraining)
        let (first, _, _) = try app.training.train(algorithms: [.lr], tune: false)
        let (second, _, _) = try app.training.train(algorithms: [.gb], tune: false)
        if !second.promoted { try app.store.promote(second.version, reason: "made production by the test") }
        #expect(try app.store.productionModel()?.version == second.version)
        return (app, first.version, second.version)
    }

    /// Flips the stored bytes of `version`'s artifact: its checksum no longer matches.
    func corrupt(_ app: App, _ version: Int) throws {
        try app.store.pool.write { try $0.execute(sql: "UPDATE model_versions SET artifact = X'00' || artifact WHERE version = ?", arguments: [version]) }
    }

    func fallbackDecisions(_ app: App) throws -> [(job: String, reason: String, result: String?, version: Int?)] {
        try app.store.read("") {
            try Row.fetchAll($0, sql: "SELECT job, reason, result, model_version FROM decisions WHERE action = 'fallback' ORDER BY id").map { ($0[0], $0[1], $0[2], $0[3]) }
        }
    }

    @Test func predictScoresWithTheEarlierVersionAndTrainingReplacesTheBrokenOne() throws {
        let (app, first, second) = try twoVersions()
        try corrupt(app, second)
        #expect(throws: StoreError.self) { try ProductionModel.load(from: app.store) }

        let context = try app.prepareJob()
        #expect(context.production?.record.version == first)
        #expect(context.fallback?.broken.version == second)
        let report = try app.scoring.score(context)
        #expect(report.modelVersion == first && report.scored > 0)
        #expect(try app.store.latestPredictions().allSatisfy { $0.version == first })

        let decisions = try fallbackDecisions(app)
        #expect(decisions.count == 1)
        let reason = decisions[0].reason
        #expect(decisions[0].job == "predict" && decisions[0].version == first)
        #expect(reason.contains("production model v\(second) could not be loaded") && reason.contains("fails its checksum") && reason.contains("scoring with v\(first)"), "\(reason)")
        // status shows it, from the store alone.
        let shown = try #require(try ProductionFallback.current(store: app.store))
        #expect(shown.broken.version == second && shown.used?.record.version == first)

        // The next training run treats the broken production as absent.
        let (replacement, _, _) = try app.training.train(algorithms: [.lr], tune: false)
        #expect(replacement.promoted && replacement.reason.contains("production v\(second) could not be loaded"), "\(replacement.reason)")
        #expect(replacement.productionAUC == nil)
        let after = try app.prepareJob()
        #expect(after.fallback == nil && after.production?.record.version == replacement.version)
        #expect(try ProductionFallback.current(store: app.store) == nil)
        #expect(try fallbackDecisions(app).count == 1)
    }

    @Test func theDailyJobFallsBackOncePerJob() throws {
        let (app, first, second) = try twoVersions()
        try corrupt(app, second)
        let (daily, context) = try app.cycle.daily(now: Date())
        #expect(daily.scoring.modelVersion == first && daily.scoring.scored > 0)
        #expect(daily.evaluation?.modelVersion == first)
        #expect(context.fallback?.broken.version == second)
        let decisions = try fallbackDecisions(app)
        #expect(decisions.count == 1 && decisions[0].job == "daily")
    }

    @Test func withNoUsableVersionPredictFailsNamingTheVersions() throws {
        let (app, first, second) = try twoVersions()
        try corrupt(app, second)
        // v1's bytes match their checksum but are no model at all: the loader refuses them.
        try app.store.pool.write {
            try $0.execute(sql: "UPDATE model_versions SET artifact = X'0102', artifact_sha256 = ? WHERE version = ?", arguments: [SignalStore.sha256([1, 2]), first])
        }
        let error = #expect(throws: ProductionUnavailable.self) { try app.prepareJob() }
        let message = error?.description ?? ""
        #expect(message.contains("v\(second) could not be loaded") && message.contains("fails its checksum"), "\(message)")
        #expect(message.contains("v\(first): its artifact cannot be loaded"), "\(message)")
        #expect(message.contains("versions tried: v\(second), v\(first)"), "\(message)")
        let decisions = try fallbackDecisions(app)
        #expect(decisions.count == 1 && decisions[0].version == nil && decisions[0].result == "no usable version")
        // Training still replaces it.
        let (replacement, _, _) = try app.training.train(algorithms: [.lr], tune: false)
        #expect(replacement.promoted)
        #expect(try app.scoring.score(try app.prepareJob()).modelVersion == replacement.version)
    }

    @Test func anEarlierVersionOfAnotherFeatureSchemaIsPassedOver() throws {
        let app = try TestSupport.realApp(environment: TestSupport.quickTraining)
        let (first, _, _) = try app.training.train(algorithms: [.lr], tune: false)
        // An external series changes the feature schema, which forces the promotion.
        let ext = TestSupport.write("symbol,date,name,value\nMARICO,2020-01-01,sentiment,0.3\n", to: TestSupport.scratch(), name: "e.csv")
        _ = try app.importer.run(.external, paths: [ext], skipInvalid: false)
        let (second, _, _) = try app.training.train(algorithms: [.lr], tune: false)
        #expect(second.promoted)
        try corrupt(app, second.version)
        let error = #expect(throws: ProductionUnavailable.self) { try app.prepareJob() }
        #expect(error?.description.contains("v\(first.version): trained on feature schema") == true, "\(error?.description ?? "")")
    }
}
