import Foundation
import Learning
import ModelMetrics
import Policy
import Store
import TradingDomain

/// The baselines of a replay, each scored on the labeled live signals (README.md, "Replay"):
/// (a) the base rate, a constant; (b) the first model, never retrained; (c) each of the five
/// algorithms alone with its default hyperparameters, refitted at the start of every month on
/// everything labeled by then. Each is compared with the daemon's live predictions on the same
/// signals by DeLong's paired test.
struct ReplayBaselines {
    let store: SignalStore
    /// The labeled live predictions, in report order (entry date, signal id).
    let evaluated: [LivePrediction]
    /// `training.seed`: the bootstrap's seed, and the models' through `Trainer.modelSeed`.
    let seed: UInt64
    /// The take policy's settings, for baseline (c)'s walk-forward thresholds.
    var policy = PolicySection()

    /// Fewer training rows than this skip a month of baseline (c).
    static let minimumTrainingRows = 50

    /// Every baseline: the base rate, the first model (when the registry has one), then the
    /// five algorithms refitted monthly on feature rows of `schemaHash` (the current schema).
    func all(schemaHash: String) throws -> [ReplaySummary.Baseline] {
        var out = [baseRate()]
        if let first = try firstModel() { out.append(first) }
        out += try monthly(schemaHash: schemaHash)
        return out
    }

    /// (a) The pooled base rate of the evaluated signals, predicted for every one: AUC 0.5,
    /// Brier skill 0 by construction (it knows the period's base rate in advance).
    func baseRate() -> ReplaySummary.Baseline {
        let r = evaluated.isEmpty ? 0 : Double(evaluated.filter { $0.outcome == 1 }.count) / Double(evaluated.count)
        return baseline(
            kind: "a", name: "the base rate",
            description: "a constant prediction, the pooled base rate of these signals (\(String(format: "%.3f", r))), known in advance",
            scores: Dictionary(uniqueKeysWithValues: evaluated.indices.map { ($0, r) }), seconds: 0, notes: [],
            take: Dictionary(uniqueKeysWithValues: evaluated.indices.map { ($0, true) }), policy: "takes every signal"
        )
    }

    /// (b) The lowest version of the registry (the model trained at the start, never replaced),
    /// loaded from its checksum-verified artifact, scoring every signal from its stored feature
    /// row of that version's schema. Nil with an empty registry.
    func firstModel() throws -> ReplaySummary.Baseline? {
        guard let record = try store.modelVersions().first else { return nil }
        let started = Self.now()
        let model = try Classifiers.load(try store.artifact(record.version))
        let rows = try store.featureRows(evaluated.map(\.signalId), schemaHash: record.featureSchemaHash)
        let covered = evaluated.indices.filter { rows[evaluated[$0].signalId] != nil }
        var scores: [Int: Double] = [:]
        if !covered.isEmpty {
            let names = try store.featureNames(schemaHash: record.featureSchemaHash)
            let x = try FeatureMatrix(rowArrays: covered.map { rows[evaluated[$0].signalId]!.values }, columnNames: names)
            for (i, p) in zip(covered, try model.predictProbabilities(x)) { scores[i] = p }
        }
        var notes: [String] = []
        if covered.count < evaluated.count {
            notes.append("\(evaluated.count - covered.count) signals have no feature row of v\(record.version)'s schema \(record.featureSchemaHash) (the features were recomputed under another schema); compared on the \(covered.count) others")
        }
        let rule = VersionPolicy.of(record)
        return baseline(
            kind: "b", name: "the first model v\(record.version)",
            description: "v\(record.version) (\(record.algorithm), trained \(record.dataEnd.map { "on signals entered through \($0)" } ?? "first")), never retrained",
            scores: scores, seconds: Self.now() - started, notes: notes,
            take: scores.mapValues(rule.take),
            policy: rule.takesEverySignal ? "v\(record.version)'s policy: takes every signal" : String(format: "v%d's policy: take when p ≥ %.4f", record.version, rule.threshold)
        )
    }

    /// (c) Each base model of `Algorithm.baseCases` with its default hyperparameters, fitted at
    /// the start of every month that has evaluated signals, on `trainingRows(before:)` of the
    /// month (features of `schemaHash`), scoring the month's signals. No CV, no tuning; the
    /// model seed is the trainer's (`Trainer.modelSeed`); each model fits on one thread.
    func monthly(schemaHash: String) throws -> [ReplaySummary.Baseline] {
        let algorithms = Algorithm.baseCases
        var scores = [[Int: Double]](repeating: [:], count: algorithms.count)
        var seconds = [Double](repeating: 0, count: algorithms.count)
        var notes = [[String]](repeating: [], count: algorithms.count)
        var shared: [String] = []

        let labeled = try store.labeledRows(schemaHash: schemaHash)
        let names = try store.featureNames(schemaHash: schemaHash)
        let features = try store.featureRows(evaluated.map(\.signalId), schemaHash: schemaHash)
        let missing = evaluated.filter { features[$0.signalId] == nil }.count
        if missing > 0 { shared.append("\(missing) signals have no feature row of the current schema \(schemaHash): not scored") }
        let all = labeled.signalIds.isEmpty ? nil
            : try FeatureMatrix(rows: labeled.signalIds.count, cols: labeled.width, values: labeled.values, columnNames: names)

        let months = Dictionary(grouping: evaluated.indices.filter { features[evaluated[$0].signalId] != nil }) {
            Day(year: evaluated[$0].entryDate.year, month: evaluated[$0].entryDate.month, day: 1)!
        }
        for start in months.keys.sorted() {
            let month = months[start]!
            let label = String(start.iso.prefix(7))
            let rows = Self.trainingRows(labeled, before: start)
            let y = rows.map { labeled.labels[$0] }
            let positives = y.filter { $0 == 1 }.count
            guard let all, rows.count >= Self.minimumTrainingRows, positives > 0, positives < rows.count else {
                let why = rows.count < Self.minimumTrainingRows
                    ? "\(rows.count) training rows (fewer than \(Self.minimumTrainingRows))" : "one outcome only in its \(rows.count) training rows"
                shared.append("\(label) skipped (\(month.count) signals not scored): \(why)")
                continue
            }
            let x = all.selecting(rows: rows)
            let test = try FeatureMatrix(rowArrays: month.map { features[evaluated[$0].signalId]!.values }, columnNames: names)
            for (a, algorithm) in algorithms.enumerated() {
                let started = Self.now()
                do {
                    let model = Classifiers.make(algorithm)
                    try model.fit(x, y: y, seed: Trainer.modelSeed(seed, algorithm))
                    for (i, p) in zip(month, try model.predictProbabilities(test)) { scores[a][i] = p }
                } catch {
                    notes[a].append("\(label): fitting failed (\(error)); \(month.count) signals not scored")
                }
                seconds[a] += Self.now() - started
            }
        }
        return algorithms.enumerated().map { a, algorithm in
            baseline(
                kind: "c", name: "\(algorithm.rawValue) alone",
                description: "\(algorithm.displayName) with its default hyperparameters, refitted at the start of each month on every signal labeled with an exit before it (no CV, no tuning)",
                scores: scores[a], seconds: seconds[a], notes: shared + notes[a],
                take: walkForwardTakes(scores[a]),
                policy: "a threshold chosen at the start of each month by the take rule (\(policy.objective.rawValue), at least \(Int((policy.minTakeFraction * 100).rounded())) % taken, no skill gate) on its own earlier scored signals whose exit is before the month; the first month takes every signal"
            )
        }
    }

    /// Baseline (c)'s take decisions, as the daemon's would be made without a holdout: at the
    /// start of each month, `TakePolicy.choose` on the baseline's own scored signals whose exit
    /// date is before the month (their outcome known by then), applied to the month's scores.
    func walkForwardTakes(_ scores: [Int: Double]) -> [Int: Bool] {
        let months = Dictionary(grouping: scores.keys) {
            Day(year: evaluated[$0].entryDate.year, month: evaluated[$0].entryDate.month, day: 1)!
        }
        var out: [Int: Bool] = [:]
        for start in months.keys.sorted() {
            let known = scores.keys.filter { evaluated[$0].exitDate.map { $0 < start } ?? false }.sorted()
            let rule = policy.choose(probabilities: known.map { scores[$0]! }, labels: known.map { evaluated[$0].outcome ?? 0 },
                                     returns: known.map { evaluated[$0].returnPct }, skillDemonstrated: true)
            for i in months[start]! { out[i] = rule.take(scores[i]!) }
        }
        return out
    }

    /// The rows of `rows` a model fitted at the start of the month beginning `monthStart` may
    /// learn from: labeled signals whose exit date is strictly before it, so the label window
    /// closed before the month (no label from the future; feature rows are point in time by
    /// construction). In `rows`' order (entry date, signal id).
    static func trainingRows(_ rows: LabeledRows, before monthStart: Day) -> [Int] {
        let limit = Int(monthStart.number)
        return rows.exitDays.indices.filter { rows.exitDays[$0] < limit }
    }

    /// The baseline of `scores` (probability by index into `evaluated`): its measures on the
    /// signals it scored, and the paired test of the daemon against it on those.
    func baseline(
        kind: String, name: String, description: String, scores: [Int: Double], seconds: Double, notes: [String],
        take: [Int: Bool]? = nil, policy: String? = nil
    ) -> ReplaySummary.Baseline {
        let covered = scores.keys.sorted()
        let labels = covered.map { evaluated[$0].outcome ?? 0 }
        let probabilities = covered.map { scores[$0]! }
        let test = DeLong.compare(labels: labels, a: covered.map { evaluated[$0].probability }, b: probabilities)
        var out = ReplaySummary.Baseline(
            kind: kind, name: name, description: description, covered: covered.count,
            scores: ReplayScores(ids: covered.map { evaluated[$0].signalId }, labels: labels, probabilities: probabilities,
                                 returns: covered.map { evaluated[$0].returnPct }, seed: seed),
            comparison: test, verdict: ReplaySummary.verdict(test, against: name), seconds: seconds, notes: notes
        )
        if let take {
            // `covered` is in report order (entry date), the drawdown's order.
            out.economics = Economics(labels: labels, take: covered.map { take[$0] ?? true }, returns: covered.map { evaluated[$0].returnPct })
            out.policy = policy
        }
        return out
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
