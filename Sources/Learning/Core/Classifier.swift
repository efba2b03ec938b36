import Foundation

/// A model's own file format, for use outside improvementd (e.g. Python).
public struct NativeExport: Sendable, Equatable {
    /// The file's bytes.
    public let bytes: [UInt8]
    /// The file extension to use, without the dot (`json`, `model`).
    public let fileExtension: String
}

/// A function the caller passes to stop long work early; checked between boosting rounds,
/// epochs and tuning trials. Returning `true` makes the work throw `LearningError` `.cancelled`.
public typealias StopCheck = @Sendable () -> Bool

/// The contract every batch classifier follows (scikit-learn's estimator contract, in Swift).
///
/// Hyperparameters are plain stored values given at creation; `fit` validates its input
/// (0/1 labels, both classes, at least `LearningError.minimumTrainingRows` rows, matching
/// shapes), learns, and replaces whatever was learned before. Imputation and scaling are
/// fitted on the training rows only and stored in the model. `predictProbabilities` returns
/// P(label = 1) per row. `serialize()` is self-describing (algorithm, hyperparameters,
/// preprocessing, the library's model bytes) and deterministic: the same data and seed give
/// byte-identical output. Implementations are `final class`es guarded by a lock, so a fitted
/// model can be shared between threads; `fit` blocks and belongs on a dedicated thread.
public protocol Classifier: AnyObject, Sendable {
    /// Which of the five algorithms or five ensembles this is.
    var algorithm: Algorithm { get }
    /// The hyperparameters the model was created with.
    var hyperparameters: Hyperparameters { get }
    /// Facts about the last fit a reader should know (subsampling, early-stopping round, ...).
    var notes: [String] { get }
    /// Whether `fit` (or `load`) has produced a model.
    var isFitted: Bool { get }
    /// Learns from `x` and 0/1 labels `y`; rows are assumed to be in time order.
    func fit(_ x: FeatureMatrix, y: [Int], seed: UInt64, shouldStop: StopCheck?) throws
    /// P(label = 1) for every row of `x`.
    func predictProbabilities(_ x: FeatureMatrix) throws -> [Double]
    /// The self-describing artifact bytes.
    func serialize() throws -> [UInt8]
    /// The library's own model format (XGBoost JSON, libsvm/liblinear text, MLP JSON weights).
    func nativeExport() throws -> NativeExport
    /// Restores a model from `serialize()` output of the same algorithm.
    static func load(_ bytes: [UInt8]) throws -> Self
}

extension Classifier {
    /// `fit` without a stop check.
    public func fit(_ x: FeatureMatrix, y: [Int], seed: UInt64) throws {
        try fit(x, y: y, seed: seed, shouldStop: nil)
    }
}

/// Factory and loader for classifiers of any algorithm.
public enum Classifiers {
    /// A new, unfitted classifier with the given hyperparameters.
    public static func make(_ hyperparameters: Hyperparameters) -> any Classifier {
        switch hyperparameters {
        case .gb(let p): GradientBoostingClassifier(parameters: p)
        case .rf(let p): RandomForestClassifier(parameters: p)
        case .lr(let p): LogisticRegressionClassifier(parameters: p)
        case .svm(let p): SVMClassifier(parameters: p)
        case .nn(let p): MLPClassifier(parameters: p)
        case .ensemble(let p): EnsembleClassifier(parameters: p)
        }
    }

    /// A new, unfitted classifier with the algorithm's default hyperparameters.
    public static func make(_ algorithm: Algorithm) -> any Classifier {
        make(algorithm.defaultHyperparameters)
    }

    /// Restores any model from `serialize()` output, dispatching on the recorded algorithm.
    public static func load(_ bytes: [UInt8]) throws -> any Classifier {
        let (header, _) = try ModelArtifact.decode(bytes)
        switch header.algorithm {
        case .gb: return try GradientBoostingClassifier.load(bytes)
        case .rf: return try RandomForestClassifier.load(bytes)
        case .lr: return try LogisticRegressionClassifier.load(bytes)
        case .svm: return try SVMClassifier.load(bytes)
        case .nn: return try MLPClassifier.load(bytes)
        case .voting, .stacking, .blending, .regime, .bma: return try EnsembleClassifier.load(bytes)
        }
    }

    /// Library versions, for the registry, e.g. `["xgboost": "1.7.4", ...]`.
    public static var libraryVersions: [String: String] { CLibraries.versions }

    /// Hands memory freed by a finished job back to the operating system (glibc's `malloc_trim`);
    /// without it an idle daemon keeps the peak of its last job resident (measured: bench/README.md, idle memory).
    public static func releaseFreedMemory() { CLibraries.releaseFreedMemory() }
}

/// Input checks shared by every `fit`.
enum FitValidation {
    static func check(_ x: FeatureMatrix, _ y: [Int]) throws {
        guard x.rows == y.count else {
            throw LearningError(.shapeMismatch, "\(x.rows) feature rows but \(y.count) labels")
        }
        guard x.cols > 0 else { throw LearningError(.shapeMismatch, "the matrix has no columns") }
        if let bad = y.first(where: { $0 != 0 && $0 != 1 }) {
            throw LearningError(.invalidLabels, "labels must be 0 or 1, found \(bad)")
        }
        guard y.count >= LearningError.minimumTrainingRows else {
            throw LearningError(.tooFewRows, "\(y.count) training rows; at least \(LearningError.minimumTrainingRows) are needed")
        }
        let positives = y.reduce(0, +)
        guard positives > 0, positives < y.count else {
            throw LearningError(.singleClass, "all \(y.count) training labels are \(y[0]); both classes are needed")
        }
    }

    static func checkColumns(_ x: FeatureMatrix, expected: Int) throws {
        guard x.cols == expected else {
            throw LearningError(.shapeMismatch, "the model was trained on \(expected) columns, got \(x.cols)")
        }
    }
}

/// A model that can score a large batch on several threads with the same bits as on one (the
/// XGBoost models: rows are split between threads, each row's trees summed by one). Training
/// keeps one thread per model; scoring, which runs alone, may use more.
public protocol ParallelScoring {
    func predictProbabilities(_ x: FeatureMatrix, threads: Int) throws -> [Double]
}
