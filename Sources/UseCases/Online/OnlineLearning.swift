import Foundation
import Learning
import ModelMetrics
import Store
import TradingDomain

/// What the daily online-model update did (README.md, "Online model").
public struct OnlineReport: Codable, Sendable {
    /// Newly labeled signals the online model learned from, in label order.
    public var updates = 0
    /// Its total updates so far.
    public var totalUpdates = 0
    /// Weight of the batch (production) model in the blend, chosen on recent log loss.
    public var blendWeight = 1.0
    public var blendReason = ""
    public var note: String?
}

/// The online model: a logistic model updated by SGD with each newly labeled signal (in label
/// order), persisted in `settings`, and blended with the production model by a weight chosen
/// on recent prequential performance. Before each update the online model and the production
/// model predict that signal (the production model only for signals it never trained on); those
/// pairs choose the blend weight, so nothing is judged on data it learned from.
public struct OnlineLearning: Sendable {
    public let store: SignalStore

    public init(store: SignalStore) {
        self.store = store
    }

    static let onlineModelKey = "online_model"
    static let onlineSchemaKey = "online_schema"
    static let onlineChangeKey = "online_change_seq"
    static let blendObservationsKey = "online_blend_observations"
    static let blendWeightKey = "online_blend_weight"
    /// The blend weight is chosen on at most this many recent observations.
    static let blendWindow = 500

    /// Updates the online model with every signal labeled since its last update.
    public func update(_ context: JobContext) throws -> OnlineReport {
        let schema = context.features
        var report = OnlineReport()
        var model: OnlineLogisticModel
        var since = Int(try store.setting(Self.onlineChangeKey) ?? "") ?? 0
        var observations: [BlendObservation] = []
        if let text = try store.setting(Self.onlineModelKey), try store.setting(Self.onlineSchemaKey) == schema.schemaHash,
           let saved = try? OnlineLogisticModel(json: Data(text.utf8)) {
            model = saved
            observations = (try? JSONDecoder().decode([BlendObservation].self, from: Data((try store.setting(Self.blendObservationsKey) ?? "[]").utf8))) ?? []
        } else {
            // First run, or the feature schema changed: start afresh from all labeled history.
            model = OnlineLogisticModel(features: schema.columns)
            since = 0
            if try store.setting(Self.onlineModelKey) != nil { report.note = "feature schema changed: the online model restarted" }
        }
        let stream = try store.labeledOutcomes(afterChange: since)
        let features = try store.featureRows(stream.map(\.signalId), schemaHash: schema.schemaHash)
        // The production model joins the blend only when it can score the current features.
        let production = context.production.flatMap { $0.scores(schemaHash: schema.schemaHash) ? $0 : nil }
        let stored = try production.map { try store.predictions(version: $0.record.version) } ?? [:]
        let trainedUntil = production?.record.dataEnd.flatMap { Day(iso: $0) }
        var batchRows: [(index: Int, values: [Double])] = []
        var pending: [(online: Double, label: Int, batch: Double?)] = []
        // Test-then-train: each signal is predicted by the online model before it learns it.
        var prequential = PrequentialEvaluator(model: model)
        for item in stream {
            guard let (entry, x) = features[item.signalId] else { continue }
            let batch = stored[item.signalId]
            if batch == nil, let until = trainedUntil, entry > until {
                batchRows.append((pending.count, x))
            }
            let online = try prequential.step(x, label: item.label)
            pending.append((online, item.label, batch))
            report.updates += 1
            since = max(since, item.changeSeq)
        }
        model = prequential.model
        if let classifier = production?.classifier, !batchRows.isEmpty {
            let p = try classifier.predictProbabilities(try FeatureMatrix(rowArrays: batchRows.map(\.values)))
            for (k, row) in batchRows.enumerated() { pending[row.index].batch = p[k] }
        }
        for o in pending { if let b = o.batch { observations.append(BlendObservation(batch: b, online: o.online, label: o.label)) } }
        observations = Array(observations.suffix(Self.blendWindow))
        let choice = try BlendWeight.choose(observations)
        report.blendWeight = choice.weight
        report.blendReason = choice.reason
        report.totalUpdates = model.updates
        let modelJSON = String(decoding: try model.encodedJSON(), as: UTF8.self)
        let observationsJSON = String(decoding: try JSONEncoder.sortedKeys().encode(observations), as: UTF8.self)
        try store.setSettings([
            Self.onlineModelKey: modelJSON, Self.onlineSchemaKey: schema.schemaHash, Self.onlineChangeKey: String(since),
            Self.blendObservationsKey: observationsJSON, Self.blendWeightKey: String(choice.weight),
        ])
        return report
    }

    /// The online model's own probabilities for feature rows (a candidate of the production
    /// aggregate); nil when it does not match the current schema yet.
    public func probabilities(x: FeatureMatrix, schemaHash: String) throws -> [Double]? {
        guard try store.setting(Self.onlineSchemaKey) == schemaHash, let text = try store.setting(Self.onlineModelKey),
              let model = try? OnlineLogisticModel(json: Data(text.utf8)) else { return nil }
        return (0..<x.rows).map { model.predict(Array(x.row($0))) }
    }

    /// Blended probabilities for feature rows: weight x batch + (1 - weight) x online; nil when
    /// the online model does not match the current schema yet.
    public func blended(batch: [Double], x: FeatureMatrix, schemaHash: String) throws -> [Double]? {
        try blended(batch: batch, online: probabilities(x: x, schemaHash: schemaHash))
    }

    /// The blend of `batch` with the online model's probabilities `online` (from
    /// ``probabilities(x:schemaHash:)``) at the stored blend weight; nil without them.
    public func blended(batch: [Double], online: [Double]?) throws -> [Double]? {
        guard let online else { return nil }
        let weight = Double(try store.setting(Self.blendWeightKey) ?? "") ?? 1
        return batch.indices.map { BlendWeight.blend(batch: batch[$0], online: online[$0], weight: weight) }
    }
}
