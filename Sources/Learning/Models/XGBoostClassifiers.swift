import CXGBoost
import Foundation

/// The fitted state shared by the two XGBoost classifiers: the model's UBJ bytes.
///
/// No booster handle outlives a call. XGBoost 1.7 keeps per-thread buffers keyed by booster
/// address and clears them only on the thread that frees the booster; a booster freed on
/// another thread than the one that predicted with it led to double frees under concurrency
/// (seen in the test suite). So every call loads a booster, uses it and frees it on one thread.
struct XGBoostState {
    let header: ModelHeader
    /// The UBJ model bytes (save/load is exact by construction).
    let modelBytes: [UInt8]

    init(booster trained: XGBooster, header: ModelHeader) throws {
        modelBytes = try trained.save(format: "ubj")
        self.header = header
    }

    init(bytes: [UInt8], algorithm: Algorithm) throws {
        let (header, native) = try ModelArtifact.decode(bytes, expecting: algorithm)
        self.header = header
        modelBytes = native
        _ = try booster() // refuse unreadable bytes at load time
    }

    /// A booster for the duration of one call, freed on the calling thread.
    func booster() throws -> XGBooster { try XGBooster(loading: modelBytes) }

    /// `threads` > 1 splits the rows between threads: each row's trees are still summed by one
    /// thread in the same order, so the bits do not depend on it.
    func predict(_ x: FeatureMatrix, threads: Int = 1) throws -> [Double] {
        try FitValidation.checkColumns(x, expected: header.columnNames.count)
        if x.rows == 0 { return [] }
        let booster = try booster()
        if threads > 1 { try booster.set("nthread", String(threads)) }
        return try booster.predictInPlace(x.floatValues(), rows: x.rows, cols: x.cols).map(Double.init)
    }

    /// The same probabilities through a DMatrix (what training evaluates with), for the test
    /// that both paths agree.
    func predictThroughDMatrix(_ x: FeatureMatrix) throws -> [Double] {
        try booster().predict(XGDMatrix(x), type: 0).values.map(Double.init)
    }

    func serialize() throws -> [UInt8] { try ModelArtifact.encode(header, native: modelBytes) }

    func nativeExport() throws -> NativeExport {
        NativeExport(bytes: try booster().save(format: "json"), fileExtension: "json")
    }

    /// Mean |SHAP| per feature over the rows of `x` (the bias column dropped).
    func meanAbsoluteSHAP(_ x: FeatureMatrix) throws -> [Double] {
        try FitValidation.checkColumns(x, expected: header.columnNames.count)
        guard x.rows > 0 else { return [Double](repeating: 0, count: x.cols) }
        let (values, _) = try booster().predict(XGDMatrix(x), type: 2)
        let width = x.cols + 1
        var out = [Double](repeating: 0, count: x.cols)
        for r in 0..<x.rows {
            for c in 0..<x.cols { out[c] += abs(Double(values[r * width + c])) }
        }
        return out.map { $0 / Double(x.rows) }
    }

    func gain() throws -> [Double] { try booster().featureScore("gain", cols: header.columnNames.count) }

    static func commonParameters(seed: UInt64) -> [(String, String)] {
        [
            ("objective", "binary:logistic"), ("tree_method", "hist"), ("nthread", "1"),
            ("seed", String(seed & 0x7FFF_FFFF)), ("eval_metric", "logloss"), ("verbosity", "0"),
        ]
    }
}

/// XGBoost gradient boosting (`tree_method=hist`, one thread, NaN handled natively) with early
/// stopping on a time-ordered validation tail; see `GradientBoostingParameters`.
public final class GradientBoostingClassifier: Classifier, ParallelScoring, @unchecked Sendable {
    /// The hyperparameters given at creation.
    public let parameters: GradientBoostingParameters
    private let lock = NSLock()
    private var state: XGBoostState?

    /// An unfitted model.
    public init(parameters: GradientBoostingParameters = .init()) { self.parameters = parameters }

    private init(state: XGBoostState, parameters: GradientBoostingParameters) {
        self.parameters = parameters
        self.state = state
    }

    public var algorithm: Algorithm { .gb }
    public var hyperparameters: Hyperparameters { .gb(parameters) }
    public var notes: [String] { lock.withLock { state?.header.notes ?? [] } }
    public var isFitted: Bool { lock.withLock { state != nil } }

    public func fit(_ x: FeatureMatrix, y: [Int], seed: UInt64, shouldStop: StopCheck?) throws {
        try FitValidation.check(x, y)
        let p = parameters
        guard p.maxRounds >= 1, p.learningRate > 0, p.maxDepth >= 1, p.validationFraction > 0, p.validationFraction < 0.5 else {
            throw LearningError(.invalidParameters, "gradient boosting: maxRounds >= 1, learningRate > 0, maxDepth >= 1, 0 < validationFraction < 0.5")
        }
        let nValid = max(2, Int((Double(x.rows) * p.validationFraction).rounded()))
        let nTrain = x.rows - nValid
        let trainRows = Array(0..<nTrain), validRows = Array(nTrain..<x.rows)
        let dtrain = try XGDMatrix(x.selecting(rows: trainRows), labels: trainRows.map { y[$0] })
        let dvalid = try XGDMatrix(x.selecting(rows: validRows), labels: validRows.map { y[$0] })
        let booster = try XGBooster(cache: [dtrain, dvalid])
        for (k, v) in XGBoostState.commonParameters(seed: seed) { try booster.set(k, v) }
        try booster.set("eta", "\(p.learningRate)")
        try booster.set("max_depth", "\(p.maxDepth)")
        try booster.set("min_child_weight", "\(p.minChildWeight)")
        try booster.set("subsample", "\(p.subsample)")
        try booster.set("colsample_bytree", "\(p.colsampleByTree)")
        try booster.set("lambda", "\(p.lambda)")
        try booster.set("alpha", "\(p.alpha)")
        try booster.set("gamma", "\(p.gamma)")
        try booster.set("max_bin", "\(p.maxBin)")
        var best = Double.infinity, bestRound = 0, rounds = 0
        for round in 0..<p.maxRounds {
            if shouldStop?() == true { throw LearningError.cancelled("gradient boosting training") }
            try booster.updateOneIter(round, dtrain)
            rounds = round + 1
            let loss = try booster.evalMetric(round, dvalid, name: "valid")
            if loss < best - 1e-12 {
                best = loss
                bestRound = round
            } else if round - bestRound >= p.earlyStoppingRounds {
                break
            }
        }
        let kept = bestRound + 1
        let final = kept < rounds ? try booster.slice(end: kept) : booster
        let header = ModelHeader(
            algorithm: .gb, hyperparameters: hyperparameters, columnNames: x.columnNames, seed: seed,
            preprocessor: nil,
            notes: ["early stopping kept \(kept) of \(rounds) rounds (validation tail: last \(nValid) of \(x.rows) rows, log loss \(String(format: "%.5f", best)))"]
        )
        let newState = try XGBoostState(booster: final, header: header)
        lock.withLock { state = newState }
    }

    public func predictProbabilities(_ x: FeatureMatrix) throws -> [Double] {
        try lock.withLock { try fitted().predict(x) }
    }

    public func predictProbabilities(_ x: FeatureMatrix, threads: Int) throws -> [Double] {
        try lock.withLock { try fitted().predict(x, threads: threads) }
    }

    public func serialize() throws -> [UInt8] { try lock.withLock { try fitted().serialize() } }

    public func nativeExport() throws -> NativeExport { try lock.withLock { try fitted().nativeExport() } }

    public static func load(_ bytes: [UInt8]) throws -> GradientBoostingClassifier {
        let state = try XGBoostState(bytes: bytes, algorithm: .gb)
        guard case .gb(let p) = state.header.hyperparameters else {
            throw LearningError(.invalidArtifact, "hyperparameters do not match the algorithm")
        }
        return GradientBoostingClassifier(state: state, parameters: p)
    }

    /// XGBoost's average gain per feature (0 for features never split on).
    public func gainImportance() throws -> [Double] { try lock.withLock { try fitted().gain() } }

    /// Mean absolute SHAP contribution per feature over the rows of `x`.
    public func meanAbsoluteSHAP(_ x: FeatureMatrix) throws -> [Double] {
        try lock.withLock { try fitted().meanAbsoluteSHAP(x) }
    }

    private func fitted() throws -> XGBoostState {
        guard let state else { throw LearningError(.notFitted, "gradient boosting model is not fitted") }
        return state
    }
}

/// XGBoost in random-forest mode: one round of `trees` parallel trees, `eta = 1`, row and
/// per-split column subsampling, NaN handled natively; see `RandomForestParameters`.
public final class RandomForestClassifier: Classifier, ParallelScoring, @unchecked Sendable {
    /// The hyperparameters given at creation.
    public let parameters: RandomForestParameters
    private let lock = NSLock()
    private var state: XGBoostState?

    /// An unfitted model.
    public init(parameters: RandomForestParameters = .init()) { self.parameters = parameters }

    private init(state: XGBoostState, parameters: RandomForestParameters) {
        self.parameters = parameters
        self.state = state
    }

    public var algorithm: Algorithm { .rf }
    public var hyperparameters: Hyperparameters { .rf(parameters) }
    public var notes: [String] { lock.withLock { state?.header.notes ?? [] } }
    public var isFitted: Bool { lock.withLock { state != nil } }

    public func fit(_ x: FeatureMatrix, y: [Int], seed: UInt64, shouldStop: StopCheck?) throws {
        try FitValidation.check(x, y)
        let p = parameters
        guard p.trees >= 1, p.maxDepth >= 1, p.subsample > 0, p.subsample <= 1, p.colsampleByNode > 0, p.colsampleByNode <= 1 else {
            throw LearningError(.invalidParameters, "random forest: trees >= 1, maxDepth >= 1, subsample and colsampleByNode in (0, 1]")
        }
        if shouldStop?() == true { throw LearningError.cancelled("random forest training") }
        let dtrain = try XGDMatrix(x, labels: y)
        let booster = try XGBooster(cache: [dtrain])
        for (k, v) in XGBoostState.commonParameters(seed: seed) { try booster.set(k, v) }
        try booster.set("eta", "1")
        try booster.set("num_parallel_tree", "\(p.trees)")
        try booster.set("max_depth", "\(p.maxDepth)")
        try booster.set("subsample", "\(p.subsample)")
        try booster.set("colsample_bynode", "\(p.colsampleByNode)")
        try booster.set("min_child_weight", "\(p.minChildWeight)")
        try booster.set("lambda", "\(p.lambda)")
        try booster.set("max_bin", "\(p.maxBin)")
        try booster.updateOneIter(0, dtrain)
        let header = ModelHeader(
            algorithm: .rf, hyperparameters: hyperparameters, columnNames: x.columnNames, seed: seed,
            preprocessor: nil, notes: []
        )
        let newState = try XGBoostState(booster: booster, header: header)
        lock.withLock { state = newState }
    }

    public func predictProbabilities(_ x: FeatureMatrix) throws -> [Double] {
        try lock.withLock { try fitted().predict(x) }
    }

    public func predictProbabilities(_ x: FeatureMatrix, threads: Int) throws -> [Double] {
        try lock.withLock { try fitted().predict(x, threads: threads) }
    }

    public func serialize() throws -> [UInt8] { try lock.withLock { try fitted().serialize() } }

    public func nativeExport() throws -> NativeExport { try lock.withLock { try fitted().nativeExport() } }

    public static func load(_ bytes: [UInt8]) throws -> RandomForestClassifier {
        let state = try XGBoostState(bytes: bytes, algorithm: .rf)
        guard case .rf(let p) = state.header.hyperparameters else {
            throw LearningError(.invalidArtifact, "hyperparameters do not match the algorithm")
        }
        return RandomForestClassifier(state: state, parameters: p)
    }

    /// XGBoost's average gain per feature (0 for features never split on).
    public func gainImportance() throws -> [Double] { try lock.withLock { try fitted().gain() } }

    /// Mean absolute SHAP contribution per feature over the rows of `x`.
    public func meanAbsoluteSHAP(_ x: FeatureMatrix) throws -> [Double] {
        try lock.withLock { try fitted().meanAbsoluteSHAP(x) }
    }

    private func fitted() throws -> XGBoostState {
        guard let state else { throw LearningError(.notFitted, "random forest model is not fitted") }
        return state
    }
}
