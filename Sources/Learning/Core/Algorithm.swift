/// The candidates a training run compares (README.md, "Training, the registry and scoring"):
/// the five batch algorithms and the five ensembles built on them, identified by their short
/// raw values (`gb`, `rf`, `lr`, `svm`, `nn`; `voting`, `stacking`, `blending`, `regime`, `bma`)
/// as used on the command line and in the registry.
public enum Algorithm: String, CaseIterable, Codable, Sendable, Comparable, CustomStringConvertible {
    case gb, rf, lr, svm, nn
    case voting, stacking, blending, regime, bma

    /// The five base models (what "each algorithm alone" means, e.g. in the replay baselines).
    public static let baseCases: [Algorithm] = [.gb, .rf, .lr, .svm, .nn]
    /// The five ensembles, each combining base models.
    public static let ensembleCases: [Algorithm] = [.voting, .stacking, .blending, .regime, .bma]

    /// Whether this is one of the ensembles.
    public var isEnsemble: Bool { Self.ensembleCases.contains(self) }

    /// The name used in reports, e.g. "gradient boosting".
    public var displayName: String {
        switch self {
        case .gb: "gradient boosting"
        case .rf: "random forest"
        case .lr: "logistic regression"
        case .svm: "SVM"
        case .nn: "neural network"
        case .voting: "soft voting"
        case .stacking: "stacking"
        case .blending: "blending"
        case .regime: "regime selection"
        case .bma: "Bayesian averaging"
        }
    }

    /// The library that does the numeric work (`ensemble` for the ensembles: their members' libraries).
    public var library: String {
        switch self {
        case .gb, .rf: "xgboost"
        case .lr: "liblinear"
        case .svm: "libsvm"
        case .nn: "openblas"
        case .voting, .stacking, .blending, .regime, .bma: "ensemble"
        }
    }

    /// The default hyperparameters of this algorithm (an ensemble: the five base models' defaults).
    public var defaultHyperparameters: Hyperparameters {
        switch self {
        case .gb: .gb(GradientBoostingParameters())
        case .rf: .rf(RandomForestParameters())
        case .lr: .lr(LogisticRegressionParameters())
        case .svm: .svm(SVMParameters())
        case .nn: .nn(MLPParameters())
        case .voting, .stacking, .blending, .regime, .bma:
            .ensemble(EnsembleParameters(kind: self, members: Self.baseCases.map(\.defaultHyperparameters)))
        }
    }

    public var description: String { rawValue }

    public static func < (a: Algorithm, b: Algorithm) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
