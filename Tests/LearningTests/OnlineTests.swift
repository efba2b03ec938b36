import Foundation
import Testing
@testable import Learning
import ModelMetrics

/// The online model (README.md, "Online model"): SGD logistic regression, prequential evaluation, blend weight.
@Suite struct OnlineTests {
    /// A stream where label = 1 iff 2*x0 - x1 + noise > 0. Columns: x0 shifted and scaled
    /// (10 % missing), x1 shifted and scaled (10 % missing), a column missing everywhere, a
    /// constant column and an unrelated noise column.
    static func stream(count: Int, seed: UInt64) -> (rows: [[Double]], labels: [Int]) {
        var rng = SplitMix64(seed: seed)
        var rows = [[Double]](), labels = [Int]()
        for _ in 0..<count {
            let x0 = rng.nextGaussian(), x1 = rng.nextGaussian()
            let noise = rng.nextGaussian()
            labels.append(2 * x0 - x1 + noise > 0 ? 1 : 0)
            var row = [100 + 50 * x0, -3 + 0.01 * x1, .nan, 7, rng.nextGaussian()]
            if rng.nextUniform() < 0.1 { row[0] = .nan }
            if rng.nextUniform() < 0.1 { row[1] = .nan }
            rows.append(row)
        }
        return (rows, labels)
    }

    static func train(_ rows: [[Double]], _ labels: [Int]) throws -> OnlineLogisticModel {
        var model = OnlineLogisticModel(features: rows.first?.count ?? 0)
        for (x, y) in zip(rows, labels) { try model.update(x, label: y) }
        return model
    }

    // MARK: - Learning

    @Test func learnsSyntheticStream() throws {
        let (rows, labels) = Self.stream(count: 3000, seed: 42)
        var evaluator = PrequentialEvaluator(model: OnlineLogisticModel(features: 5))
        try evaluator.run(rows, labels: labels)
        let recent = try evaluator.metrics(last: 1000)
        #expect(recent.count == 1000)
        #expect(recent.auc > 0.85, "prequential AUC over the last 1000: \(recent.auc)")
        // The first examples are predicted by an untrained model: worse than the end.
        #expect(try evaluator.metrics().auc < recent.auc)
        let model = evaluator.model
        #expect(model.updates == 3000)
        #expect(model.weights[0] > 0.5)
        #expect(model.weights[1] < -0.2)
        // The all-missing and the constant column never contribute: their weights stay 0.
        #expect(model.weights[2] == 0)
        #expect(model.weights[3] == 0)
        #expect(model.counts[2] == 0)
        #expect(model.counts[3] == 3000)
        #expect(abs(model.weights[4]) < 0.3)
    }

    /// Welford statistics are updated with the example before its gradient step: checked by
    /// hand on two one-feature examples.
    @Test func statisticsComeBeforeTheGradientStep() throws {
        var model = OnlineLogisticModel(features: 1)
        try model.update([1], label: 1)
        // One observed value: no std yet, so only the bias moves, by eta0 * (1 - 0.5).
        #expect(model.weights == [0])
        #expect(model.bias == 0.05 * 0.5)
        try model.update([3], label: 0)
        // Statistics with both values: mean 2, sample std sqrt(2), so z = 1 / sqrt(2).
        #expect(model.means == [2])
        #expect(model.squaredDeviations == [2])
        let z = 1 / 2.0.squareRoot()
        let p = 1 / (1 + exp(-0.025))
        let eta = 0.05 / (1 + 1e-4)
        #expect(abs(model.weights[0] - (-eta * p * z)) < 1e-15)
        #expect(abs(model.bias - (0.025 - eta * p)) < 1e-15)
        #expect(model.currentLearningRate == 0.05 / (1 + 2e-4))
        // Missing values are imputed with the mean: they contribute nothing and do not
        // change the statistics.
        let before = model
        #expect(model.predict([.nan]) == OnlineLogisticModel.sigmoid(model.bias))
        try model.update([.nan], label: 1)
        #expect(model.counts == before.counts && model.means == before.means)
        // Only the L2 shrinkage moves the weight.
        let shrunk = before.weights[0] * (1 - model.parameters.l2 * before.currentLearningRate)
        #expect(abs(model.weights[0] - shrunk) < 1e-18)
    }

    @Test func runningStatisticsMatchDirectComputation() throws {
        let (rows, labels) = Self.stream(count: 500, seed: 7)
        let model = try Self.train(rows, labels)
        for c in [0, 1, 4] {
            let observed = rows.map { $0[c] }.filter(\.isFinite)
            let mean = observed.reduce(0, +) / Double(observed.count)
            let ss = observed.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            #expect(model.counts[c] == observed.count)
            #expect(abs(model.means[c] - mean) <= 1e-9 * max(1, abs(mean)))
            #expect(abs(model.squaredDeviations[c] - ss) <= 1e-9 * max(1, ss))
        }
    }

    // MARK: - Prequential evaluation

    @Test func prequentialEvaluatorHasNoLookAhead() throws {
        let (rows, labels) = Self.stream(count: 300, seed: 3)
        var evaluator = PrequentialEvaluator(model: OnlineLogisticModel(features: 5))
        try evaluator.run(rows, labels: labels)

        var reference = OnlineLogisticModel(features: 5)
        var afterUpdate = 0
        for i in rows.indices {
            let expected = reference.predict(rows[i])
            #expect(evaluator.predictions[i] == expected, "row \(i)")
            try reference.update(rows[i], label: labels[i])
            // A look-ahead prediction (after the update) would differ.
            if reference.predict(rows[i]) != expected { afterUpdate += 1 }
        }
        #expect(afterUpdate == rows.count)
        #expect(evaluator.labels == labels)
        #expect(evaluator.model == reference)

        // The matrix form and single steps agree with the row form.
        var fromMatrix = PrequentialEvaluator(model: OnlineLogisticModel(features: 5))
        try fromMatrix.run(FeatureMatrix(rowArrays: rows), labels: labels)
        #expect(fromMatrix == evaluator)
    }

    @Test func prequentialEvaluatorRejectsBadInputWithoutRecording() throws {
        var evaluator = PrequentialEvaluator(model: OnlineLogisticModel(features: 2))
        try evaluator.step([1, 2], label: 1)
        let before = evaluator
        #expect(throws: LearningError.self) { try evaluator.step([1, 2], label: 2) }
        #expect(throws: LearningError.self) { try evaluator.step([1], label: 0) }
        #expect(evaluator == before)
        #expect(throws: LearningError.self) { try evaluator.run([[1, 2]], labels: []) }
        #expect(evaluator == before)
    }

    // MARK: - Determinism and persistence

    @Test func deterministicAndRoundTrips() throws {
        let (rows, labels) = Self.stream(count: 1000, seed: 11)
        let a = try Self.train(rows, labels)
        let b = try Self.train(rows, labels)
        let bytes = try a.encodedJSON()
        #expect(bytes == (try b.encodedJSON()))

        let decoded = try OnlineLogisticModel(json: bytes)
        #expect(decoded == a)
        #expect(try decoded.encodedJSON() == bytes)
        let (probe, probeLabels) = Self.stream(count: 200, seed: 12)
        for x in probe { #expect(decoded.predict(x) == a.predict(x)) }
        // Plain JSONDecoder works too, and a reloaded model keeps learning identically.
        var reloaded = try JSONDecoder().decode(OnlineLogisticModel.self, from: JSONEncoder().encode(a))
        var original = a
        for (x, y) in zip(probe, probeLabels) {
            try reloaded.update(x, label: y)
            try original.update(x, label: y)
        }
        #expect(try reloaded.encodedJSON() == original.encodedJSON())
        #expect(reloaded != a)
    }

    @Test func decodingRejectsInvalidState() throws {
        #expect(throws: LearningError.self) { try OnlineLogisticModel(json: Data("not json".utf8)) }
        var model = OnlineLogisticModel(features: 2)
        try model.update([1, 2], label: 1)
        let json = try #require(String(data: try model.encodedJSON(), encoding: .utf8))
        // Too few weights for the declared features.
        let shortWeights = json.replacingOccurrences(of: "\"weights\":[0,0]", with: "\"weights\":[0]")
        #expect(shortWeights != json)
        let error = #expect(throws: LearningError.self) { try OnlineLogisticModel(json: Data(shortWeights.utf8)) }
        #expect(error?.code == .invalidArtifact)
        let wrongVersion = json.replacingOccurrences(of: "\"formatVersion\":1", with: "\"formatVersion\":99")
        #expect(wrongVersion != json)
        #expect(throws: LearningError.self) { try OnlineLogisticModel(json: Data(wrongVersion.utf8)) }
    }

    // MARK: - Bad input and bounds

    @Test func rejectsBadInputAndStaysUnchanged() throws {
        var model = OnlineLogisticModel(features: 3)
        try model.update([1, 2, 3], label: 0)
        let before = model
        var error = #expect(throws: LearningError.self) { try model.update([1, 2], label: 1) }
        #expect(error?.code == .shapeMismatch)
        error = #expect(throws: LearningError.self) { try model.update([1, 2, 3, 4], label: 1) }
        #expect(error?.code == .shapeMismatch)
        error = #expect(throws: LearningError.self) { try model.update([1, 2, 3], label: 2) }
        #expect(error?.code == .invalidLabels)
        error = #expect(throws: LearningError.self) { try model.update([1, 2, 3], label: -1) }
        #expect(error?.code == .invalidLabels)
        #expect(model == before)

        var bad = OnlineLogisticModel(features: 1, parameters: OnlineParameters(learningRate: 0))
        error = #expect(throws: LearningError.self) { try bad.update([1], label: 1) }
        #expect(error?.code == .invalidParameters)
        #expect(throws: LearningError.self) { try OnlineParameters(l2: -1).validate() }
        #expect(throws: LearningError.self) { try OnlineParameters(decay: .nan).validate() }
        try OnlineParameters().validate()
    }

    @Test func probabilitiesStayInsideTheOpenInterval() throws {
        var model = OnlineLogisticModel(features: 3)
        // A separable stream drives the weights far, with extreme values mixed in.
        for i in 0..<2000 {
            let y = i % 2
            var x: [Double] = [y == 1 ? 1 : -1, Double(i % 7), .nan]
            if i % 50 == 0 { x[1] = i % 100 == 0 ? 1e300 : -1e300 }
            if i % 77 == 0 { x[0] = .infinity }
            try model.update(x, label: y)
        }
        let probes: [[Double]] = [
            [1e300, 1e300, 1e300], [-1e300, -1e300, -1e300], [.nan, .nan, .nan],
            [.infinity, -.infinity, .nan], [1, 3, 0], [-1, 3, 0],
            [.greatestFiniteMagnitude, 0, 0], [-.greatestFiniteMagnitude, 0, 0],
        ]
        for x in probes {
            let p = model.predict(x)
            #expect(p > 0 && p < 1, "\(x) -> \(p)")
            #expect(p >= OnlineLogisticModel.probabilityFloor && p <= 1 - OnlineLogisticModel.probabilityFloor)
        }
        #expect(model.predict([1e300, 0, 0]) > 0.99)
        #expect(model.predict([-1e300, 0, 0]) < 0.01)
        // A fresh model predicts exactly 0.5, for anything.
        #expect(OnlineLogisticModel(features: 3).predict([1e300, .nan, -1e300]) == 0.5)
        // The state stays finite, so it always persists.
        #expect(model.weights.allSatisfy(\.isFinite) && model.bias.isFinite)
        let finite = model.squaredDeviations.allSatisfy(\.isFinite)
        #expect(finite)
        #expect(try OnlineLogisticModel(json: model.encodedJSON()) == model)
    }

    /// Standardized values are clipped to ±featureClip, so an outlier moves the weight by a
    /// bounded step and far-out inputs all predict alike.
    @Test func outliersAreClipped() throws {
        var model = OnlineLogisticModel(features: 1)
        // A moderate weight: predictions at the clip are not saturated (unclipped ones would be).
        for i in 0..<200 { try model.update([Double(i % 5)], label: i % 3 == 0 || i % 5 == 4 ? 1 : 0) }
        let clip = model.parameters.featureClip
        let atClip = OnlineLogisticModel.sigmoid(model.bias + model.weights[0] * clip)
        #expect(atClip > 1e-6 && atClip < 1 - 1e-6, "\(atClip)")
        #expect(model.predict([1e6]) == atClip)
        #expect(model.predict([1e9]) == atClip)
        #expect(model.predict([-1e9]) == OnlineLogisticModel.sigmoid(model.bias - model.weights[0] * clip))

        let before = model
        try model.update([1e50], label: 1)
        let eta = before.currentLearningRate
        let step = abs(model.weights[0] - before.weights[0])
        #expect(step <= eta * (clip + model.parameters.l2 * abs(before.weights[0])) + 1e-15)
        #expect(step > 0)
    }

    // MARK: - Order sensitivity

    @Test func orderMattersButBothOrdersLearn() throws {
        let (rows, labels) = Self.stream(count: 3000, seed: 42)
        let forward = try Self.train(rows, labels)
        let backward = try Self.train(rows.reversed(), labels.reversed())
        #expect(forward.weights != backward.weights)
        #expect(try forward.encodedJSON() != backward.encodedJSON())
        // Same data, so the same statistics up to rounding.
        #expect(forward.counts == backward.counts)

        let (holdout, holdoutLabels) = Self.stream(count: 1000, seed: 4242)
        for model in [forward, backward] {
            let auc = Metrics.auc(labels: holdoutLabels, scores: holdout.map(model.predict))
            #expect(auc > 0.85, "holdout AUC \(auc)")
        }
    }

    // MARK: - Blend weight

    static func randomObservations(count: Int, seed: UInt64, batchPerfect: Bool) -> [BlendObservation] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let y = rng.nextInt(below: 2)
            let perfect = y == 1 ? 0.99 : 0.01
            let random = rng.nextUniform()
            return batchPerfect
                ? BlendObservation(batch: perfect, online: random, label: y)
                : BlendObservation(batch: random, online: perfect, label: y)
        }
    }

    @Test func blendPrefersTheBetterModel() throws {
        let batchGood = try BlendWeight.choose(Self.randomObservations(count: 200, seed: 1, batchPerfect: true))
        #expect(batchGood.weight == 1)
        #expect(!batchGood.isFallback)
        #expect(batchGood.observations == 200)
        #expect(batchGood.candidates.map(\.weight) == BlendWeight.grid)
        #expect(batchGood.candidates.count == 21)

        let onlineGood = try BlendWeight.choose(Self.randomObservations(count: 200, seed: 2, batchPerfect: false))
        #expect(onlineGood.weight == 0)
        #expect(!onlineGood.isFallback)
        // The chosen candidate has the lowest loss.
        let lowest = onlineGood.candidates.map(\.logLoss).min()
        #expect(onlineGood.candidates[0].logLoss == lowest)
    }

    @Test func blendFallsBackToBatchWithTooFewObservations() throws {
        let observations = Self.randomObservations(count: 29, seed: 5, batchPerfect: false)
        let choice = try BlendWeight.choose(observations)
        #expect(choice.weight == 1)
        #expect(choice.isFallback)
        #expect(choice.candidates.isEmpty)
        #expect(choice.reason.contains("29"))
        #expect(choice.reason.contains("30"))
        #expect(try BlendWeight.choose([]).weight == 1)
        // With 30 the online model wins; a window of 29 recent ones falls back again.
        let more = Self.randomObservations(count: 30, seed: 5, batchPerfect: false)
        #expect(try BlendWeight.choose(more).weight == 0)
        #expect(try BlendWeight.choose(more, window: 29).isFallback)
        #expect(try BlendWeight.choose(observations, minimumObservations: 10).weight == 0)
    }

    /// Both observations blend to 0.4 + 0.4 w; one success and one failure make the loss
    /// -(log p + log(1 - p)) / 2, lowest at p = 0.5, i.e. w = 0.25, where it is log 2.
    @Test func blendHandComputed() throws {
        let observations = [
            BlendObservation(batch: 0.8, online: 0.4, label: 1),
            BlendObservation(batch: 0.8, online: 0.4, label: 0),
        ]
        let choice = try BlendWeight.choose(observations, minimumObservations: 2)
        #expect(choice.weight == 0.25)
        #expect(abs(choice.candidates[5].logLoss - log(2)) < 1e-12)
        #expect(abs(choice.candidates[0].logLoss - -(log(0.4) + log(0.6)) / 2) < 1e-12)
        #expect(abs(choice.candidates[20].logLoss - -(log(0.8) + log(0.2)) / 2) < 1e-12)
        #expect(BlendWeight.blend(batch: 0.8, online: 0.4, weight: 0.25) == 0.5)

        // Identical models tie everywhere: the batch model is preferred.
        let same = (0..<40).map { (i: Int) -> BlendObservation in
            let p = 0.3 + 0.01 * Double(i % 7)
            return BlendObservation(batch: p, online: p, label: i % 3 == 0 ? 1 : 0)
        }
        #expect(try BlendWeight.choose(same).weight == 1)
    }

    @Test func blendRejectsInvalidObservations() {
        var observations = Self.randomObservations(count: 40, seed: 9, batchPerfect: true)
        observations[3].label = 2
        var error = #expect(throws: LearningError.self) { try BlendWeight.choose(observations) }
        #expect(error?.code == .invalidLabels)
        observations[3].label = 1
        observations[4].online = .nan
        error = #expect(throws: LearningError.self) { try BlendWeight.choose(observations) }
        #expect(error?.code == .invalidParameters)
        observations[4].online = 0.5
        #expect(throws: LearningError.self) { try BlendWeight.choose(observations, window: 0) }
        #expect(throws: LearningError.self) { try BlendWeight.choose(observations, minimumObservations: -1) }
    }
}
