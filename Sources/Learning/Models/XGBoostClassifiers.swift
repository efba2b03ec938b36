import CXGBoost
import Foundation

/// The fitted state shared by the two XGBoost configurations: the model's UBJ bytes.
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

/// XGBoost's boosting rounds stopped early on a time-ordered validation tail.
public struct EarlyStopping: Sendable, Hashable {
    /// Upper bound on boosting rounds.
    public var maxRounds: Int
    /// Rounds without a better validation log loss before stopping.
    public var patience: Int
    /// The share of the training rows, at the end in the order given, used for stopping.
    public var validationFraction: Double
}

/// The hyperparameters of one XGBoost configuration, as `XGBoostClassifier` trains and records
/// them: `GradientBoostingParameters` and `RandomForestParameters`.
public protocol XGBoostConfiguration: Sendable, Hashable {
    /// The algorithm this configuration is.
    static var algorithm: Algorithm { get }
    /// The defaults.
    init()
    /// The parameters of recorded hyperparameters; nil when they are another algorithm's.
    init?(recorded: Hyperparameters)
    /// These parameters as an artifact records them.
    var hyperparameters: Hyperparameters { get }
    /// Throws `invalidParameters` for values that cannot train.
    func validate() throws
    /// XGBoost's own parameters beyond the ones every configuration sets, in the order set.
    var boosterParameters: [(String, String)] { get }
    /// Rounds stopped early on a validation tail; nil for one round on every row.
    var earlyStopping: EarlyStopping? { get }
}

extension GradientBoostingParameters: XGBoostConfiguration {
    public static var algorithm: Algorithm { .gb }
    public init?(recorded: Hyperparameters) {
        guard case .gb(let p) = recorded else { return nil }
        self = p
    }
    public var hyperparameters: Hyperparameters { .gb(self) }

    public func validate() throws {
        guard maxRounds >= 1, learningRate > 0, maxDepth >= 1, validationFraction > 0, validationFraction < 0.5 else {
            throw LearningError(.invalidParameters, "gradient boosting: maxRounds >= 1, learningRate > 0, maxDepth >= 1, 0 < validationFraction < 0.5")
        }
    }

    public var boosterParameters: [(String, String)] {
        [
            ("eta", "\(learningRate)"), ("max_depth", "\(maxDepth)"), ("min_child_weight", "\(minChildWeight)"),
            ("subsample", "\(subsample)"), ("colsample_bytree", "\(colsampleByTree)"), ("lambda", "\(lambda)"),
            ("alpha", "\(alpha)"), ("gamma", "\(gamma)"), ("max_bin", "\(maxBin)"),
        ]
    }

    public var earlyStopping: EarlyStopping? {
        EarlyStopping(maxRounds: maxRounds, patience: earlyStoppingRounds, validationFraction: validationFraction)
    }
}

extension RandomForestParameters: XGBoostConfiguration {
    public static var algorithm: Algorithm { .rf }
    public init?(recorded: Hyperparameters) {
        guard case .rf(let p) = recorded else { return nil }
        self = p
    }
    public var hyperparameters: Hyperparameters { .rf(self) }

    public func validate() throws {
        guard trees >= 1, maxDepth >= 1, subsample > 0, subsample <= 1, colsampleByNode > 0, colsampleByNode <= 1 else {
            throw LearningError(.invalidParameters, "random forest: trees >= 1, maxDepth >= 1, subsample and colsampleByNode in (0, 1]")
        }
    }

    public var boosterParameters: [(String, String)] {
        [
            ("eta", "1"), ("num_parallel_tree", "\(trees)"), ("max_depth", "\(maxDepth)"), ("subsample", "\(subsample)"),
            ("colsample_bynode", "\(colsampleByNode)"), ("min_child_weight", "\(minChildWeight)"), ("lambda", "\(lambda)"),
            ("max_bin", "\(maxBin)"),
        ]
    }

    public var earlyStopping: EarlyStopping? { nil }
}

/// XGBoost gradient boosting (`tree_method=hist`, one thread, NaN handled natively) with early
/// stopping on a time-ordered validation tail; see `GradientBoostingParameters`.
public typealias GradientBoostingClassifier = XGBoostClassifier<GradientBoostingParameters>
/// XGBoost in random-forest mode: one round of `trees` parallel trees, `eta = 1`, row and
/// per-split column subsampling, NaN handled natively; see `RandomForestParameters`.
public typealias RandomForestClassifier = XGBoostClassifier<RandomForestParameters>

/// An XGBoost classifier in one of its two configurations (`GradientBoostingClassifier`,
/// `RandomForestClassifier`): training follows the configuration; predicting, the artifact,
/// gain and SHAP are the same for both.
public final class XGBoostClassifier<Configuration: XGBoostConfiguration>: Classifier, ParallelScoring, @unchecked Sendable {
    /// The hyperparameters given at creation.
    public let parameters: Configuration
    private let lock = NSLock()
    private var state: XGBoostState?

    /// An unfitted model.
    public init(parameters: Configuration = Configuration()) { self.parameters = parameters }

    private init(state: XGBoostState, parameters: Configuration) {
        self.parameters = parameters
        self.state = state
    }

    public var algorithm: Algorithm { Configuration.algorithm }
    public var hyperparameters: Hyperparameters { parameters.hyperparameters }
    public var notes: [String] { lock.withLock { state?.header.notes ?? [] } }
    public var isFitted: Bool { lock.withLock { state != nil } }

    public func fit(_ x: FeatureMatrix, y: [Int], seed: UInt64, shouldStop: StopCheck?) throws {
        try FitValidation.check(x, y)
        try parameters.validate()
        let (booster, notes) = if let stopping = parameters.earlyStopping {
            try boost(x, y: y, seed: seed, stopping, shouldStop: shouldStop)
        } else {
            try forest(x, y: y, seed: seed, shouldStop: shouldStop)
        }
        let header = ModelHeader(
            algorithm: algorithm, hyperparameters: hyperparameters, columnNames: x.columnNames, seed: seed,
            preprocessor: nil, notes: notes
        )
        let newState = try XGBoostState(booster: booster, header: header)
        lock.withLock { state = newState }
    }

    /// A booster over `cache` with the shared and this configuration's parameters set.
    private func booster(cache: [XGDMatrix], seed: UInt64) throws -> XGBooster {
        let booster = try XGBooster(cache: cache)
        for (k, v) in XGBoostState.commonParameters(seed: seed) + parameters.boosterParameters { try booster.set(k, v) }
        return booster
    }

    /// Rounds on the rows before the validation tail until its log loss stops improving; keeps
    /// the best round's trees.
    private func boost(
        _ x: FeatureMatrix, y: [Int], seed: UInt64, _ stopping: EarlyStopping, shouldStop: StopCheck?
    ) throws -> (XGBooster, [String]) {
        let nValid = max(2, Int((Double(x.rows) * stopping.validationFraction).rounded()))
        let nTrain = x.rows - nValid
        let trainRows = Array(0..<nTrain), validRows = Array(nTrain..<x.rows)
        let dtrain = try XGDMatrix(x.selecting(rows: trainRows), labels: trainRows.map { y[$0] })
        let dvalid = try XGDMatrix(x.selecting(rows: validRows), labels: validRows.map { y[$0] })
        let booster = try booster(cache: [dtrain, dvalid], seed: seed)
        var best = Double.infinity, bestRound = 0, rounds = 0
        for round in 0..<stopping.maxRounds {
            if shouldStop?() == true { throw LearningError.cancelled("\(algorithm.displayName) training") }
            try booster.updateOneIter(round, dtrain)
            rounds = round + 1
            let loss = try booster.evalMetric(round, dvalid, name: "valid")
            if loss < best - 1e-12 {
                best = loss
                bestRound = round
            } else if round - bestRound >= stopping.patience {
                break
            }
        }
        let kept = bestRound + 1
        let final = kept < rounds ? try booster.slice(end: kept) : booster
        return (final, ["early stopping kept \(kept) of \(rounds) rounds (validation tail: last \(nValid) of \(x.rows) rows, log loss \(String(format: "%.5f", best)))"])
    }

    /// One round on every row (of `num_parallel_tree` trees in random-forest mode).
    private func forest(_ x: FeatureMatrix, y: [Int], seed: UInt64, shouldStop: StopCheck?) throws -> (XGBooster, [String]) {
        if shouldStop?() == true { throw LearningError.cancelled("\(algorithm.displayName) training") }
        let dtrain = try XGDMatrix(x, labels: y)
        let booster = try booster(cache: [dtrain], seed: seed)
        try booster.updateOneIter(0, dtrain)
        return (booster, [])
    }

    public func predictProbabilities(_ x: FeatureMatrix) throws -> [Double] {
        try lock.withLock { try fitted().predict(x) }
    }

    public func predictProbabilities(_ x: FeatureMatrix, threads: Int) throws -> [Double] {
        try lock.withLock { try fitted().predict(x, threads: threads) }
    }

    public func serialize() throws -> [UInt8] { try lock.withLock { try fitted().serialize() } }

    public func nativeExport() throws -> NativeExport { try lock.withLock { try fitted().nativeExport() } }

    public static func load(_ bytes: [UInt8]) throws -> XGBoostClassifier {
        let state = try XGBoostState(bytes: bytes, algorithm: Configuration.algorithm)
        guard let p = Configuration(recorded: state.header.hyperparameters) else {
            throw LearningError(.invalidArtifact, "hyperparameters do not match the algorithm")
        }
        return XGBoostClassifier(state: state, parameters: p)
    }

    /// XGBoost's average gain per feature (0 for features never split on).
    public func gainImportance() throws -> [Double] { try lock.withLock { try fitted().gain() } }

    /// Mean absolute SHAP contribution per feature over the rows of `x`.
    public func meanAbsoluteSHAP(_ x: FeatureMatrix) throws -> [Double] {
        try lock.withLock { try fitted().meanAbsoluteSHAP(x) }
    }

    private func fitted() throws -> XGBoostState {
        guard let state else { throw LearningError(.notFitted, "\(algorithm.displayName) model is not fitted") }
        return state
    }
}
