import Foundation
import Learning
import Store
import Testing
import TradingDomain
@testable import UseCases

/// The paired promotion test on the real bundled signals: noise is not promoted, a real
/// improvement is.
@Suite(.serialized) struct PromotionTests {
    /// Retraining on identical data with other seeds only redraws the noise (gradient boosting's
    /// row and column samples): the test promotes at most one of ten such candidates.
    @Test func otherSeedsOnIdenticalDataAreRarelyPromoted() throws {
        let app = try TestSupport.realApp(environment: TestSupport.quickTraining)
        let (first, _, _) = try app.training.train(algorithms: [.gb], tune: false)
        #expect(first.promoted)
        var promoted = 0, higher = 0
        for seed in 1...10 {
            var config = app.config
            config.training.seed = seed
            let reseeded = App(config: config, store: app.store, logger: app.logger)
            let (d, _, _) = try reseeded.training.train(algorithms: [.gb], tune: false)
            let test = try #require(d.promotion?.test)
            if test.difference > 0 { higher += 1 }
            if d.promoted { promoted += 1 }
        }
        #expect(promoted <= 1)
        // The candidates did differ from production: the test, not identical models, held them.
        #expect(higher >= 1)
    }

    /// A feature that carries the outcome (a noisy copy of the label, planted at each signal's
    /// feature date: a test-only leak) makes a genuinely better challenger, which is promoted.
    @Test func aGenuinelyBetterChallengerIsPromoted() throws {
        let app = try TestSupport.realApp(environment: TestSupport.quickTraining)
        let dir = TestSupport.scratch()
        // The series exists before the first model, with no information: the schema stays the
        // same between the two runs, so the second is judged by the paired test.
        let symbols = Set(try app.store.signals().map(\.symbol)).sorted()
        let flat = "symbol,date,name,value\n" + symbols.map { "\($0),2000-01-03,leak,0" }.joined(separator: "\n") + "\n"
        _ = try app.importer.run(.external, paths: [TestSupport.write(flat, to: dir, name: "flat.csv")], skipInvalid: false)
        let (first, _, _) = try app.training.train(algorithms: [.lr], tune: false)
        #expect(first.promoted)

        let schema = try app.features.compute().schemaHash
        let features = try app.store.features(schemaHash: schema)
        let outcomes = try app.store.outcomes()
        var rows: [String: String] = [:] // "symbol,date" → value
        for (i, s) in try app.store.signals().enumerated() {
            guard let label = outcomes[s.id]?.label, let date = features[s.id]?.featureDate else { continue }
            let noise = Double((i * 7919) % 1000) / 1000 - 0.5 // deterministic, uniform in [-0.5, 0.5)
            rows["\(s.symbol),\(date)"] = rows["\(s.symbol),\(date)"] ?? String(Double(label) + 1.2 * noise)
        }
        let leak = "symbol,date,name,value\n" + rows.sorted { $0.key < $1.key }.map { "\($0.key),leak,\($0.value)" }.joined(separator: "\n") + "\n"
        _ = try app.importer.run(.external, paths: [TestSupport.write(leak, to: dir, name: "leak.csv")], skipInvalid: false)
        #expect(try app.features.compute().schemaHash == schema)

        let (second, _, _) = try app.training.train(algorithms: [.lr], tune: false)
        let test = try #require(second.promotion?.test)
        #expect(second.promoted && test.pGreater < 0.05 && test.interval.lower > 0)
        #expect(second.reason.contains("the candidate is better beyond sampling error"))
        #expect(try app.store.productionModel()?.version == second.version)
    }
}
