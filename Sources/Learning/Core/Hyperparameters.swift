import Foundation
import ModelMetrics

/// Hyperparameters of XGBoost gradient boosting (`tree_method=hist`, one thread).
///
/// Training stops early when the log loss on a time-ordered validation tail (the last
/// `validationFraction` of the training rows, in the order given) has not improved for
/// `earlyStoppingRounds` rounds; the model keeps the trees up to the best round and is trained
/// on the rows before the tail.
public struct GradientBoostingParameters: Codable, Sendable, Equatable, Hashable {
    /// Upper bound on boosting rounds (early stopping usually ends sooner).
    public var maxRounds = 400
    /// XGBoost `eta`.
    public var learningRate = 0.1
    public var maxDepth = 4
    public var minChildWeight = 1.0
    /// Row sampling per tree.
    public var subsample = 0.8
    /// Column sampling per tree.
    public var colsampleByTree = 0.8
    /// L2 (`lambda`) and L1 (`alpha`) leaf-weight penalties; `gamma` is the minimum split loss.
    public var lambda = 1.0
    public var alpha = 0.0
    public var gamma = 0.0
    /// Histogram bins per feature; 64 trains ~3x faster than XGBoost's 256 with the same AUC here.
    public var maxBin = 64
    /// Rounds without a better validation log loss before stopping.
    public var earlyStoppingRounds = 25
    /// The share of the training rows, at the end in the order given, used for early stopping.
    public var validationFraction = 0.15
    public init() {}
}

/// Hyperparameters of XGBoost's random-forest mode: one round of `trees` parallel trees with
/// row (`subsample`) and per-split column (`colsampleByNode`) sampling and `eta = 1`.
///
/// With one round from the constant base score every row has the same hessian, so XGBoost's
/// gain is the Gini decrease and a leaf's value is linear in its success fraction when
/// `lambda = 0`: the defaults make each tree a CART tree as in a classic random forest (no
/// leaf shrinkage, leaves down to one row, 256 bins), measured on the bundled signals and the
/// 70-symbol set, 10 seeds each (bench/README.md): holdout AUC +0.017 to +0.021 over the earlier
/// 64 bins, `lambda` 1, `minChildWeight` 1, `subsample` 0.632, for 1.5-3x the fit time.
public struct RandomForestParameters: Codable, Sendable, Equatable, Hashable {
    /// `num_parallel_tree`.
    public var trees = 100
    /// Depth 6 trained 8x faster than depth 8 on 16k x 30 noisy rows, with the same AUC.
    public var maxDepth = 6
    /// Row sampling per tree, without replacement. A bootstrap of 0.632 n draws holds ~47 %
    /// distinct rows; 0.4 gave the least correlated, best-ranking forests of 0.4-0.632.
    public var subsample = 0.4
    /// Column sampling per split.
    public var colsampleByNode = 0.5
    /// Hessian a child must hold: every row holds 0.25 here, so 0.1 allows one-row leaves.
    public var minChildWeight = 0.1
    /// L2 penalty on leaf values: 0 keeps a leaf's value its (unshrunk) success fraction.
    public var lambda = 0.0
    /// Histogram bins per feature (XGBoost's default): 64 bins cost 0.01-0.02 AUC here, as
    /// deep unshrunk trees split on finer thresholds than boosting's shallow ones.
    public var maxBin = 256
    public init() {}
}

/// Hyperparameters of liblinear's L2-regularised logistic regression (solver `L2R_LR`), fitted
/// on median-imputed, standardized features with a bias term.
public struct LogisticRegressionParameters: Codable, Sendable, Equatable, Hashable {
    /// Inverse regularisation strength.
    public var c = 1.0
    /// liblinear's stopping tolerance (`eps`).
    public var tolerance = 0.01
    public init() {}
}

/// Hyperparameters of libsvm's C-SVC with an RBF kernel, on median-imputed, standardized features.
///
/// Probabilities come from a Platt sigmoid fitted by the model itself on out-of-fold decision
/// values of two time-contiguous halves (about 1.4x the cost of one fit, against 5.5x for
/// libsvm's `probability=1`). Exact SVC training grows ~n^2.2, so at most `maxTrainingRows`
/// rows are used: the most recent ones (the last rows in the order given); the model says so
/// in its `notes`.
public struct SVMParameters: Codable, Sendable, Equatable, Hashable {
    /// The soft-margin penalty C.
    public var c = 1.0
    /// RBF width; `nil` means libsvm's default 1 / number of features.
    public var gamma: Double? = nil
    /// At most this many (most recent) rows are trained on. Measured on 20k x 30 noisy rows:
    /// 3000 rows gave holdout AUC 0.728 in 0.56 s, 6000 rows 0.731 in 1.97 s.
    public var maxTrainingRows = 3000
    /// libsvm's kernel cache (40 MB trained as fast as 200 MB, measured here).
    public var cacheMB = 40.0
    /// libsvm's stopping tolerance (`eps`).
    public var tolerance = 0.001
    public init() {}
}

/// Hyperparameters of the multi-layer perceptron: ReLU hidden layers, sigmoid output, Adam on
/// minibatches, L2 weight decay, early stopping on the validation AUC of a time-ordered tail
/// (the last `validationFraction` of the training rows in the order given; log loss when the
/// tail holds one class).
public struct MLPParameters: Codable, Sendable, Equatable, Hashable {
    /// Widths of the hidden ReLU layers (one or two are typical).
    public var hiddenLayers = [32, 16]
    /// Adam's step size.
    public var learningRate = 0.001
    public var batchSize = 128
    public var maxEpochs = 200
    /// Epochs without a better validation AUC before stopping (the best epoch is kept).
    public var patience = 12
    /// L2 weight decay added to the gradient (biases are not decayed).
    public var l2 = 0.0001
    /// The share of the training rows, at the end in the order given, used for early stopping.
    public var validationFraction = 0.15
    public init() {}
}

/// Type-erased hyperparameters of any of the five algorithms or an ensemble, as stored in the registry.
///
/// Encodes as `{"algorithm": "gb", "parameters": {...}}` (an ensemble: `"algorithm": "voting"`
/// and its `EnsembleParameters`, members included).
public enum Hyperparameters: Codable, Sendable, Equatable, Hashable {
    case gb(GradientBoostingParameters)
    case rf(RandomForestParameters)
    case lr(LogisticRegressionParameters)
    case svm(SVMParameters)
    case nn(MLPParameters)
    case ensemble(EnsembleParameters)

    /// The algorithm these parameters belong to.
    public var algorithm: Algorithm {
        switch self {
        case .gb: .gb
        case .rf: .rf
        case .lr: .lr
        case .svm: .svm
        case .nn: .nn
        case .ensemble(let p): p.kind
        }
    }

    private enum Keys: String, CodingKey { case algorithm, parameters }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        switch try c.decode(Algorithm.self, forKey: .algorithm) {
        case .gb: self = .gb(try c.decode(GradientBoostingParameters.self, forKey: .parameters))
        case .rf: self = .rf(try c.decode(RandomForestParameters.self, forKey: .parameters))
        case .lr: self = .lr(try c.decode(LogisticRegressionParameters.self, forKey: .parameters))
        case .svm: self = .svm(try c.decode(SVMParameters.self, forKey: .parameters))
        case .nn: self = .nn(try c.decode(MLPParameters.self, forKey: .parameters))
        case let kind:
            let p = try c.decode(EnsembleParameters.self, forKey: .parameters)
            guard p.kind == kind else {
                throw DecodingError.dataCorruptedError(forKey: .parameters, in: c, debugDescription: "ensemble parameters of \(p.kind) under algorithm \(kind)")
            }
            self = .ensemble(p)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(algorithm, forKey: .algorithm)
        switch self {
        case .gb(let p): try c.encode(p, forKey: .parameters)
        case .rf(let p): try c.encode(p, forKey: .parameters)
        case .lr(let p): try c.encode(p, forKey: .parameters)
        case .svm(let p): try c.encode(p, forKey: .parameters)
        case .nn(let p): try c.encode(p, forKey: .parameters)
        case .ensemble(let p): try c.encode(p, forKey: .parameters)
        }
    }

    /// Canonical JSON (sorted keys), e.g. for the registry.
    public func jsonString() -> String {
        String(decoding: (try? JSONEncoder.sortedKeys().encode(self)) ?? Data(), as: UTF8.self)
    }
}
