/// The five batch algorithms (README.md, "Training, the registry and scoring"), identified by their short raw values
/// (`gb`, `rf`, `lr`, `svm`, `nn`) as used on the command line and in the registry.
public enum Algorithm: String, CaseIterable, Codable, Sendable, Comparable, CustomStringConvertible {
    case gb, rf, lr, svm, nn

    /// The name used in reports, e.g. "gradient boosting".
    public var displayName: String {
        switch self {
        case .gb: "gradient boosting"
        case .rf: "random forest"
        case .lr: "logistic regression"
        case .svm: "SVM"
        case .nn: "neural network"
        }
    }

    /// The library that does the numeric work.
    public var library: String {
        switch self {
        case .gb, .rf: "xgboost"
        case .lr: "liblinear"
        case .svm: "libsvm"
        case .nn: "openblas"
        }
    }

    /// The default hyperparameters of this algorithm.
    public var defaultHyperparameters: Hyperparameters {
        switch self {
        case .gb: .gb(GradientBoostingParameters())
        case .rf: .rf(RandomForestParameters())
        case .lr: .lr(LogisticRegressionParameters())
        case .svm: .svm(SVMParameters())
        case .nn: .nn(MLPParameters())
        }
    }

    public var description: String { rawValue }

    public static func < (a: Algorithm, b: Algorithm) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
