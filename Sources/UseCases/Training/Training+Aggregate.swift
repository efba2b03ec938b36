import Foundation
import Learning
import ModelMetrics
import Policy
import Store
import TradingDomain

extension Training {
    /// The refit of the production aggregate (README.md, "The production aggregate"): every
    /// base candidate of `training.algorithms` is fitted with its default hyperparameters on every
    /// labeled signal whose exit is before today (no walk-forward selection, no tuning, no paired
    /// test: the candidates earn their weight live), and the set is registered and promoted as one
    /// version in one transaction. The version's figures: the aggregate's live evidence so far
    /// (once it holds 50 outcomes of both classes), else an equal-weight time holdout (the
    /// candidates fitted on the purged first 80 %, measured on the rest).
    public func refitCandidates(shouldStop: StopCheck? = nil, now: Date = Date(), context given: JobContext? = nil) throws -> TrainingDecision {
        let context = try given ?? {
            let features = try FeatureComputation(config: config, store: store).compute()
            let (production, fallback) = try ProductionFallback.resolve(store: store, schemaHash: features.schemaHash)
            return JobContext(features: features, production: production, fallback: fallback)
        }()
        let aggregate = ProductionAggregate(config: config, store: store)
        let today = config.exchangeDay(of: now)
        var data = try dataset(features: context.features)
        // Only outcomes known before today: the same point-in-time rule as the weights.
        let known = data.exitDays.indices.filter { data.exitDays[$0] < Int(today.number) }
        if known.count < data.labels.count { data = data.selecting(rows: known) }
        guard data.labels.count >= 50 else {
            throw NotEnoughData(description: "only \(data.labels.count) labeled signals have features; training needs at least 50 (import or backfill more history)")
        }
        let algorithms = configuration().algorithms.filter { !$0.isEnsemble }
        let seed = UInt64(config.training.seed)
        let started = Date()
        let shouldStop = shouldStop.map { announcingFirstSafePoint($0) }
        let set = try CandidateSet.fit(algorithms, data.x, labels: data.labels, seed: seed, shouldStop: shouldStop)
        let fitSeconds = Date().timeIntervalSince(started)
        let names = ProductionAggregate.candidates(members: set.memberNames)
        let state = try aggregate.state(candidates: names, on: today)
        let figures = try aggregateFigures(data: data, state: state, algorithms: algorithms, seed: seed, shouldStop: shouldStop)
        if shouldStop?() == true { throw LearningError(.cancelled, "training stopped before registration") }

        let weights = zip(state.hedge.names, state.hedge.weights).map { "\($0) \(String(format: "%.3f", $1))" }.joined(separator: ", ")
        let reason = "aggregate of \(names.joined(separator: ", ")) refitted on \(data.labels.count) outcomes known before \(today.iso) "
            + "(no selection, no tuning: each candidate earns its weight live); weights now \(weights) "
            + "from \(state.hedge.updates) live outcomes; \(figures.source)" + replacing(context, schemaHash: data.schemaHash)
        let policy = VersionPolicy(policy: state.take, holdout: figures.economics)
        let encoder = JSONEncoder.sortedKeys()
        func json<T: Encodable>(_ v: T) throws -> String { String(decoding: try encoder.encode(v), as: UTF8.self) }
        CrashPoint.reach("train.before-register")
        let version = try store.registerTrainedModel(NewModelVersion(
            algorithm: ProductionModel.aggregateAlgorithm, hyperparameters: set.hyperparameters.jsonString(),
            featureSchemaHash: data.schemaHash, dataStart: data.firstEntry?.iso, dataEnd: data.lastEntry?.iso,
            nTrain: data.labels.count, nHoldout: figures.labels.count, seed: config.training.seed,
            libraryVersions: try json(Classifiers.libraryVersions), cvMetrics: "[]",
            holdoutMetrics: try StoredHoldout(metrics: figures.metrics, intervals: figures.intervals).json(), artifact: try set.serialize(),
            importance: nil,
            holdoutScores: HoldoutScores(labels: figures.labels, models: [.init(name: ProductionModel.aggregateAlgorithm, version: nil, probabilities: figures.probabilities)],
                                         production: nil),
            takeThreshold: state.take.threshold, takePolicy: try json(policy)
        ), decision: .promote(reason: reason), settings: [
            "last_training_label_change": String(data.labelChange),
            "last_training_at": SignalStoreTime.iso(now),
        ], at: now)
        CrashPoint.reach("train.after-register")
        logger.info("aggregate refitted", metadata: ["event": "aggregate_refit", "version": "\(version)", "seconds": "\(String(format: "%.1f", fitSeconds))"])
        let auc = figures.intervals?.auc
        var decision = TrainingDecision(
            version: version, algorithm: ProductionModel.aggregateAlgorithm, promoted: true, reason: reason,
            candidateAUC: auc?.estimate ?? figures.metrics.auc, productionAUC: nil, productionVersion: context.production?.record.version,
            grade: figures.metrics.grade.rawValue, shipped: "candidates refitted on all \(data.labels.count) known outcomes",
            policy: policy
        )
        decision.aggregateAUC = auc
        decision.aggregateAUCSource = figures.live ? "live AUC" : "equal-weight holdout AUC"
        return decision
    }

    /// What the new set replaces, when production could not go on scoring: a version of another
    /// feature schema, or one whose artifact cannot be used.
    func replacing(_ context: JobContext, schemaHash: String) -> String {
        if let broken = context.fallback {
            return "; replaces v\(broken.broken.version), whose artifact cannot be used (\(broken.brokenReason))"
        }
        if let p = context.production, !p.scores(schemaHash: schemaHash) {
            return "; replaces v\(p.record.version), which cannot score the current schema (\(p.record.featureSchemaHash) ≠ \(schemaHash))"
        }
        return ""
    }

    /// A version's figures: live evidence or the equal-weight holdout (see `refitCandidates`).
    struct AggregateFigures {
        var labels: [Int]
        var probabilities: [Double]
        var metrics: Metrics
        var intervals: MetricIntervals?
        var economics: Economics
        var source: String
        /// Whether the figures are the aggregate's live evidence (else the first holdout).
        var live: Bool
    }

    func aggregateFigures(
        data: TrainingDataset, state: AggregateState, algorithms: [Algorithm], seed: UInt64, shouldStop: StopCheck?
    ) throws -> AggregateFigures {
        let live = state.mixtures
        if live.count >= 50, Set(live.map(\.outcome)).count == 2 {
            let labels = live.map(\.outcome), p = live.map { state.probability(raw: $0.probabilities[EvidenceLog.aggregate]!) }
            return AggregateFigures(
                labels: labels, probabilities: p, metrics: try Metrics(labels: labels, probabilities: p),
                intervals: try MetricIntervals(labels: labels, probabilities: p, seed: seed),
                economics: Economics(labels: labels, take: live.map { state.take.take($0.probabilities[EvidenceLog.aggregate]!) }, returns: live.map(\.returnPct)),
                source: "figures: the aggregate's \(live.count) live outcomes (its mixture, calibrated as today)", live: true)
        }
        let split = try TimeSplit.holdout(entry: data.entryDays, exit: data.exitDays, fraction: config.training.holdoutFraction)
        let trainY = split.train.map { data.labels[$0] }
        let labels = split.holdout.map { data.labels[$0] }
        guard split.train.count >= LearningError.minimumTrainingRows, Set(trainY).count == 2, !labels.isEmpty else {
            throw LearningError(.insufficientData, "too few rows for a first holdout: \(split.train.count) training rows, \(labels.count) holdout rows")
        }
        let set = try CandidateSet.fit(algorithms, data.x.selecting(rows: split.train), labels: trainY, seed: seed, shouldStop: shouldStop)
        let members = try set.memberProbabilities(data.x.selecting(rows: split.holdout))
        let rate = Double(trainY.filter { $0 == 1 }.count) / Double(trainY.count)
        var p = [Double](repeating: rate, count: labels.count)
        for m in members { for i in p.indices { p[i] += m.probabilities[i] } }
        p = p.map { $0 / Double(members.count + 1) }
        return AggregateFigures(
            labels: labels, probabilities: p, metrics: try Metrics(labels: labels, probabilities: p),
            intervals: try MetricIntervals(labels: labels, probabilities: p, seed: seed),
            economics: Economics(labels: labels, take: p.map { _ in true }, returns: split.holdout.map { data.returns.count == data.labels.count ? data.returns[$0] : nil }),
            source: "figures: an equal-weight time holdout of \(labels.count) signals (fewer than 50 live outcomes yet)", live: false)
    }
}

extension TrainingDataset {
    /// The dataset restricted to `rows` (in the order given).
    func selecting(rows: [Int]) -> TrainingDataset {
        var out = self
        out.signalIds = rows.map { signalIds[$0] }
        out.x = x.selecting(rows: rows)
        out.labels = rows.map { labels[$0] }
        out.returns = returns.count == labels.count ? rows.map { returns[$0] } : returns
        out.entryDays = rows.map { entryDays[$0] }
        out.exitDays = rows.map { exitDays[$0] }
        return out
    }
}
